/// Counters of one stream, for `vigil replay --stats` and the daemon's metrics.
public struct AuditStreamStatistics: Sendable, Equatable {
    /// Lines (text sources) or messages (netlink) read, malformed ones included.
    public var lines = 0
    public var records = 0
    public var malformed = 0
    public var events = 0
    public var late = 0
    public var orphanEOE = 0
    public var evicted = 0
    public var bytes = 0

    public init() {}
}
