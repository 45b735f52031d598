import AuditStream

/// What the daemon does with each assembled event, and with its own notices (kernel loss, tampering).
/// The pipeline stage after the stream: Enricher → { RuleEngine, Baselines } → AlertRouter.
public protocol EventProcessor: AnyObject {
    func process(_ event: AuditEvent, decoded: DecodedEvent)
    /// A condition of the monitor itself that an operator must see as an alert.
    func notice(kind: String, message: String, priority: String)
    /// SIGUSR1: reopen output files (logrotate).
    func reopenOutputs()
    /// SIGTERM: deliver what is queued, within `timeoutSeconds`.
    func drain(timeoutSeconds: Double)
    /// Copies the processor's counters (rule matches, alerts per sink, process table size…) into the metrics.
    func report(into metrics: DaemonMetrics)
    /// Alerts handed to the outputs so far, and how many of the first ones are delivered or on disk
    /// (`AlertRouter.deliveryWatermark`): a source persists a position only once its alerts are settled.
    var alertWatermark: (handed: UInt64, settled: UInt64) { get }
    /// Periodic housekeeping between reads (process table sweep), with the monotonic clock.
    func tick(nowNanos: UInt64)
    /// Called once, before the first event, when the source resumes from a saved position: the outputs read back
    /// what they already hold so that alerts raised again are not repeated (`AlertRouter.skipAlertsAlreadyDelivered`).
    func skipAlertsAlreadyDelivered() -> [(sink: String, held: Int)]
}

extension EventProcessor {
    public func skipAlertsAlreadyDelivered() -> [(sink: String, held: Int)] { [] }
}
