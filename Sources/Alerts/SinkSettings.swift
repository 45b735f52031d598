/// How the router treats one sink: threshold, queue, overflow, batching, retries and spool.
public struct SinkSettings: Sendable, Hashable {
    /// Unique among the router's sinks; names the spool directory and the counters.
    public var name: String
    /// Alerts less severe than this are not sent to this sink (counted as `filtered`).
    public var minimumPriority: AlertPriority
    /// Alerts held in memory between the hot path and the sink.
    public var queueCapacity: Int
    /// What happens when the queue is full.
    public var overflow: OverflowPolicy
    /// Most alerts handed to one `deliver` call.
    public var batchMaximum: Int
    public var retry: RetryBackoff
    /// Where this sink spools; `nil` means memory only (overflow then drops).
    public var spool: SpoolSettings?

    public init(
        name: String, minimumPriority: AlertPriority = .debug, queueCapacity: Int = 10_000,
        overflow: OverflowPolicy = .spill, batchMaximum: Int = 64, retry: RetryBackoff = RetryBackoff(),
        spool: SpoolSettings? = nil
    ) {
        self.name = name
        self.minimumPriority = minimumPriority
        self.queueCapacity = max(1, queueCapacity)
        self.overflow = overflow
        self.batchMaximum = max(1, batchMaximum)
        self.retry = retry
        self.spool = spool
    }
}

/// What a full queue does with the next alert. Either way it is counted and logged, never silent.
public enum OverflowPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Move the queue and the alert to the sink's disk spool; delivered later, in order.
    case spill
    /// Drop the alert, count it in `dropped`, log it (rate-limited).
    case drop
}

/// A sink's disk spool.
public struct SpoolSettings: Sendable, Hashable {
    public var directory: String
    /// Bound on the spool's size; beyond it the oldest alerts are dropped (counted and logged).
    public var maximumBytes: Int64
    public var fsync: FsyncPolicy
    /// Every alert goes through the spool before delivery (the webhook's default): nothing accepted is lost
    /// if Vigil is killed while the receiver is down. Otherwise the spool takes only the overflow.
    public var writeAhead: Bool

    public init(directory: String, maximumBytes: Int64 = 256 << 20, fsync: FsyncPolicy = .always, writeAhead: Bool = false) {
        self.directory = directory
        self.maximumBytes = maximumBytes
        self.fsync = fsync
        self.writeAhead = writeAhead
    }
}
