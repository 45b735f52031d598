import AuditStream

/// What process and container state adds to one event: the part of the Falco field set that the audit
/// records do not carry themselves. Filled by the Enricher (live or replay); every member is nil when unknown,
/// and unknown stays missing for the rules (a missing value makes every comparison false).
public struct EventContext: Sendable {
    public struct Ancestor: Sendable {
        public var pid: Int64?
        public var name: Bytes?
        /// argv[0]
        public var exe: Bytes?
        public var exePath: Bytes?
        /// name + " " + args
        public var cmdline: Bytes?
        public init(pid: Int64? = nil, name: Bytes? = nil, exe: Bytes? = nil, exePath: Bytes? = nil, cmdline: Bytes? = nil) {
            self.pid = pid
            self.name = name
            self.exe = exe
            self.exePath = exePath
            self.cmdline = cmdline
        }
    }

    public struct Container: Sendable {
        /// 12 hex, or "host".
        public var id: String
        public var fullID: String?
        public var name: String?
        public var image: String?
        public var imageRepository: String?
        public var imageTag: String?
        public var imageDigest: String?
        public var runtime: String?
        public var privileged: Bool?
        public var labels: [String: String] = [:]
        public init(id: String) { self.id = id }
    }

    /// The process as the table knows it (for events other than execve, argv comes from here).
    public var argv: [Bytes]?
    public var cwd: Bytes?
    public var startNanos: Int64?
    /// Parent first, then upwards.
    public var ancestors: [Ancestor] = []
    public var container: Container?
    public var userName: String?
    public var loginName: String?
    public var groupName: String?
    public var capEffective: String?
    public var capPermitted: String?
    public var exeFromMemfd: Bool?
    public var exeUpperLayer: Bool?
    /// Socket layer-4 protocol of the event's fd (from the socket() that made it): tcp, udp, raw.
    public var l4proto: String?
    /// fd type when the event's fd is known (f, d, 4, 6, u, p…), e.g. the old fd of dup*.
    public var fdTypeChar: String?
    public var env: [String: String]?

    public init() {}
}
