/// What happened to the alerts routed to one sink, for metrics. Counts are of alerts, except `retried`,
/// which counts delivery attempts that failed and were scheduled again.
public struct SinkCounters: Sendable, Hashable, Codable {
    /// Accepted by the destination.
    public var delivered: UInt64 = 0
    /// Rejected permanently by the destination (e.g. HTTP 400) and skipped.
    public var failed: UInt64 = 0
    /// Lost: the queue was full under the `drop` policy, the spool bound forced out the oldest, or shutdown
    /// came before delivery with nowhere to spool. Every drop is also logged.
    public var dropped: UInt64 = 0
    /// Written to the sink's disk spool (write-ahead or overflow).
    public var spooled: UInt64 = 0
    /// Failed attempts that were retried with backoff.
    public var retried: UInt64 = 0
    /// Below the sink's priority threshold, not sent.
    public var filtered: UInt64 = 0
    /// Raised again by a daemon that resumed reading a log, and skipped because this sink already held them.
    public var alreadyDelivered: UInt64 = 0

    public init() {}
}

/// A snapshot of the router's counters.
public struct AlertRouterCounters: Sendable, Hashable {
    /// Alerts handed to `submit`.
    public var submitted: UInt64 = 0
    /// Repeats folded into an aggregated alert instead of being sent one by one.
    public var aggregated: UInt64 = 0
    /// Per sink, in configuration order.
    public var sinks: [(name: String, counters: SinkCounters, queued: Int, spooled: Int)] = []

    public init() {}

    public func counters(for sink: String) -> SinkCounters? {
        sinks.first { $0.name == sink }?.counters
    }

    public static func == (lhs: AlertRouterCounters, rhs: AlertRouterCounters) -> Bool {
        lhs.submitted == rhs.submitted && lhs.aggregated == rhs.aggregated
            && lhs.sinks.map(\.name) == rhs.sinks.map(\.name) && lhs.sinks.map(\.counters) == rhs.sinks.map(\.counters)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(submitted)
        hasher.combine(aggregated)
        for sink in sinks {
            hasher.combine(sink.name)
            hasher.combine(sink.counters)
        }
    }
}
