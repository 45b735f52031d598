/// The kernel's audit status (`auditctl -s`): whether auditing is on, who holds the unicast pid, and the
/// backlog and loss counters that tell whether events are being dropped.
public struct AuditStatus: Sendable, Equatable {
    public var enabled: UInt32
    public var failure: UInt32
    public var pid: UInt32
    public var rateLimit: UInt32
    public var backlogLimit: UInt32
    public var lost: UInt32
    public var backlog: UInt32
    public var backlogWaitTime: UInt32

    public init(
        enabled: UInt32, failure: UInt32, pid: UInt32, rateLimit: UInt32, backlogLimit: UInt32, lost: UInt32,
        backlog: UInt32, backlogWaitTime: UInt32
    ) {
        self.enabled = enabled
        self.failure = failure
        self.pid = pid
        self.rateLimit = rateLimit
        self.backlogLimit = backlogLimit
        self.lost = lost
        self.backlog = backlog
        self.backlogWaitTime = backlogWaitTime
    }
}
