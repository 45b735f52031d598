/// A destination for alerts (stdout, a file, syslog, a webhook, a program, memory), in the shape of
/// swift-log's `LogHandler`: the router owns one task per sink and calls `deliver` from that task only,
/// so a sink needs no ordering logic of its own; sinks are chosen once, from configuration.
public protocol AlertSink: Sendable {
    /// Delivers `alerts` in order. Returns when they are handed to the destination (written, sent,
    /// acknowledged with 2xx); throws `AlertDeliveryError` otherwise, saying how many were delivered first.
    func deliver(_ alerts: [Alert]) async throws(AlertDeliveryError)

    /// Reopens files / restarts programs; the daemon calls it on SIGUSR1 (logrotate's `postrotate`).
    func reopen() async

    /// Releases connections, files and child processes. Called once, after the last `deliver`.
    func close() async

    /// The uuids of the alerts this sink durably holds from its newest `bytes`, or nil when it keeps no record
    /// it can read back (a terminal, syslog, a webhook). A resuming daemon skips those alerts for this sink
    /// instead of writing them twice (`AlertRouter.skipAlertsAlreadyDelivered`).
    func deliveredUUIDs(scanning bytes: Int) -> Set<String>?
}

extension AlertSink {
    public func reopen() async {}
    public func close() async {}
    public func deliveredUUIDs(scanning bytes: Int) -> Set<String>? { nil }
}

/// Why a delivery stopped, and whether trying again may help.
public struct AlertDeliveryError: Error, CustomStringConvertible, Sendable {
    /// How many alerts from the front of the batch were delivered before the failure.
    public var delivered: Int
    /// Connection refused, timeout, 5xx, 429, EAGAIN…: the router retries with backoff. Otherwise (a 4xx
    /// that is not 429, an alert the destination rejects) the alert at `delivered` is counted as failed
    /// and skipped, so one bad alert cannot block the sink for ever.
    public var retryable: Bool
    public var reason: String
    /// The destination's own wish (HTTP `Retry-After`), used if longer than the backoff.
    public var retryAfter: Duration?

    public init(delivered: Int = 0, retryable: Bool, reason: String, retryAfter: Duration? = nil) {
        self.delivered = delivered
        self.retryable = retryable
        self.reason = reason
        self.retryAfter = retryAfter
    }

    public var description: String { reason }
}
