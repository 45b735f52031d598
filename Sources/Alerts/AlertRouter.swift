import Logging
import NIOConcurrencyHelpers

/// A sink with the settings the router applies to it.
public struct RoutedSink: Sendable {
    public var settings: SinkSettings
    public var sink: any AlertSink

    public init(settings: SinkSettings, sink: any AlertSink) {
        self.settings = settings
        self.sink = sink
    }
}

/// Fans alerts out to sinks. `submit` is for the hot path: it never waits on a sink (each sink has its own
/// bounded queue and delivery task), it only folds repeats and appends to queues.
///
/// Lifecycle: build it (from configuration with `AlertRouter(configuration:logger:)`), `submit` alerts,
/// read `counters()` for metrics, call `reopen()` on SIGUSR1, and `shutdown(drainTimeout:)` at exit, which
/// delivers what it can in time and leaves the rest in the spools (or counts it as dropped).
public final class AlertRouter: Sendable {
    private let channels: [SinkChannel]
    private let aggregator: RepeatAggregator
    private let logger: Logger
    /// Delivery tasks (one per sink) and spooler tasks (one per write-ahead sink).
    private let tasks = NIOLockedValueBox([Task<Void, Never>]())
    private let aggregationTicker = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let totals = NIOLockedValueBox((submitted: UInt64(0), aggregated: UInt64(0), shutDown: false))
    private let fannedOut = NIOLockedValueBox(UInt64(0))

    /// Opens the spools (recovering what a previous run left) and starts one delivery task per sink.
    public init(sinks: [RoutedSink], aggregation: AggregationSettings = .disabled, logger: Logger) throws(AlertRouterError) {
        var names = Set<String>()
        var channels: [SinkChannel] = []
        for routed in sinks {
            guard names.insert(routed.settings.name).inserted else {
                throw AlertRouterError.duplicateSinkName(routed.settings.name)
            }
            var spool: AlertSpool?
            if let settings = routed.settings.spool {
                var spoolLogger = logger
                spoolLogger[metadataKey: "sink"] = "\(routed.settings.name)"
                do {
                    spool = try AlertSpool(
                        directory: settings.directory, maximumBytes: settings.maximumBytes, fsync: settings.fsync,
                        logger: spoolLogger)
                } catch {
                    for channel in channels { channel.spool?.close() }
                    throw AlertRouterError.spool(sink: routed.settings.name, error)
                }
            } else if routed.settings.overflow == .spill {
                logger.notice(
                    "sink has no spool: a full queue will drop alerts (counted)",
                    metadata: ["sink": "\(routed.settings.name)"])
            }
            channels.append(SinkChannel(settings: routed.settings, sink: routed.sink, spool: spool, logger: logger))
        }
        self.channels = channels
        self.aggregator = RepeatAggregator(settings: aggregation)
        self.logger = logger
        var started = channels.map { channel in Task { await channel.run() } }
        for channel in channels where channel.isWriteAhead {
            started.append(Task { await channel.runSpooler() })
        }
        var ticker: Task<Void, Never>?
        if aggregation.enabled {
            let tick = max(Duration.milliseconds(10), min(aggregation.window / 4, .milliseconds(250)))
            ticker = Task { [aggregator, weak self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: tick)
                        let closed = aggregator.expired()
                        guard let self else { return }
                        for alert in closed { self.fanOut(alert) }
                    }
                }
        }
        tasks.withLockedValue { $0 = started }
        aggregationTicker.withLockedValue { $0 = ticker }
    }

    /// Hands an alert over. Never blocks on a sink; at worst (a full queue with the `spill` policy) it
    /// writes the queue to the sink's spool file.
    public func submit(_ alert: Alert) {
        let (send, closed) = aggregator.admit(alert)
        totals.withLockedValue { totals in
            totals.submitted += 1
            if !send { totals.aggregated += 1 }
        }
        if let closed { fanOut(closed) }
        if send { fanOut(alert) }
    }

    private func fanOut(_ alert: Alert) {
        fannedOut.withLockedValue { $0 += 1 }
        for channel in channels { channel.submit(alert) }
    }

    /// `handed`: alerts passed to the sinks so far; `settled`: how many of the first ones every sink has delivered,
    /// given up on, or put on disk. A checkpoint taken when `handed` was N (a file source's position) may be
    /// persisted once `settled` reaches N: only then can a SIGKILL not lose the alerts behind it.
    public var deliveryWatermark: (handed: UInt64, settled: UInt64) {
        let handed = fannedOut.withLockedValue { $0 }
        let settled = channels.map(\.settledPrefix).min() ?? handed
        return (handed, min(handed, settled))
    }

    /// For a daemon that resumes reading a log from a saved position: what a SIGKILL caught between a sink's
    /// write and the saved position is read and alerted again, with the same uuid. Each sink that keeps a record
    /// it can read back (an alert file, a spool) skips the ones it already holds, from its newest `bytes`; the
    /// others receive them again (at least once, same uuid). Call before the first `submit`. Returns per sink
    /// how many uuids it holds.
    @discardableResult
    public func skipAlertsAlreadyDelivered(scanning bytes: Int = 64 << 20) -> [(sink: String, held: Int)] {
        channels.map { ($0.settings.name, $0.skipAlreadyDelivered(scanning: bytes)) }
    }

    /// Counters for metrics: per sink delivered, failed, dropped, spooled, retried, filtered, plus the
    /// current queue length and spool backlog.
    public func counters() -> AlertRouterCounters {
        var result = AlertRouterCounters()
        (result.submitted, result.aggregated) = totals.withLockedValue { ($0.submitted, $0.aggregated) }
        result.sinks = channels.map { channel in
            let snapshot = channel.snapshot()
            return (channel.settings.name, snapshot.counters, snapshot.queued, snapshot.spooled)
        }
        return result
    }

    /// Reopens output files and restarts programs (call on SIGUSR1, after logrotate moved the files).
    public func reopen() async {
        for channel in channels { await channel.sink.reopen() }
    }

    /// True when every queue and spool is empty (all submitted alerts delivered, failed or dropped).
    public var isIdle: Bool {
        channels.allSatisfy { channel in
            let snapshot = channel.snapshot()
            return snapshot.queued == 0 && snapshot.spooled == 0
        }
    }

    /// Sends pending aggregates, stops taking alerts, and lets each sink deliver what it holds for up to
    /// `drainTimeout`; what is still undelivered then stays in the sink's spool (delivered at the next start)
    /// or, for a sink without a spool, is counted as dropped and logged. Closes the sinks.
    public func shutdown(drainTimeout: Duration) async {
        let first = totals.withLockedValue { totals in
            defer { totals.shutDown = true }
            return !totals.shutDown
        }
        guard first else { return }
        for alert in aggregator.expired(everything: true) { fanOut(alert) }
        let deadline = ContinuousClock.now + drainTimeout
        for channel in channels { channel.beginShutdown(deadline: deadline) }
        aggregationTicker.withLockedValue { $0 }?.cancel()
        for task in tasks.withLockedValue({ $0 }) { await task.value }
        for channel in channels { await channel.finish() }
    }
}

public enum AlertRouterError: Error, CustomStringConvertible {
    case duplicateSinkName(String)
    case spool(sink: String, AlertSpoolError)
    case sink(name: String, reason: String)

    public var description: String {
        switch self {
        case .duplicateSinkName(let name): "two sinks are named '\(name)'"
        case .spool(let sink, let error): "sink '\(sink)': \(error)"
        case .sink(let name, let reason): "sink '\(name)': \(reason)"
        }
    }
}
