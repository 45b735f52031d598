/// What an event means, decoded from its records: the syscall by name, the process's ids, the command line
/// merged from EXECVE, paths, socket addresses and keys.
///
/// Strings stay bytes (`[UInt8]`): they are attacker-controlled and need not be valid UTF-8; renderers escape
/// them. A value the records do not carry is nil — never guessed.
public struct DecodedEvent: Sendable {
    public var key: EventKey
    /// The type of the event's first record (SYSCALL for syscall events, USER_LOGIN…, AVC…).
    public var primaryType: RecordType
    public var syscall: Syscall?
    public var process = Process()
    /// Rule keys (`key=` split at the kernel's `\x01` separator); split when asked, as `proctitle`.
    public var keys: [Bytes] {
        guard let (record, field) = keyField, let value = record.value(at: field) else { return [] }
        return value.split(separator: 0x01, omittingEmptySubsequences: true)
    }
    /// The first record with a `key` field, and that field.
    var keyField: (AuditRecord, Int)?
    /// Arguments from EXECVE, with split (`aN[i]`) arguments joined.
    public var argv: [Bytes]?
    public var argc: Int?
    /// PROCTITLE split at NUL; capped at 128 bytes by the kernel, so never preferred over `argv`. Split when asked:
    /// every syscall event carries one, and only an exec without EXECVE or the event's JSON reads it.
    public var proctitle: [Bytes]? {
        guard let (record, field) = proctitleField, let value = record.value(at: field) else { return nil }
        return EventDecoder.splitNUL(value)
    }
    /// The PROCTITLE record and its `proctitle` field.
    var proctitleField: (AuditRecord, Int)?
    public var cwd: Bytes?
    /// The capability sets an exec gave the process (BPRM_FCAPS `pp`, `pe`): the kernel logs them when an exec
    /// changes capabilities (any exec by root, file capabilities), so they are known even when the process is gone
    /// before /proc can be read.
    public var execCapabilities: CapabilitySets?

    public struct CapabilitySets: Sendable, Equatable {
        public var permitted: UInt64
        public var effective: UInt64
    }
    public var paths: [PathItem] = []
    public var sockaddrs: [SocketAddress] = []

    public struct Syscall: Sendable {
        public var arch: UInt32?
        public var archName: String?
        public var number: Int?
        public var name: String?
        public var success: Bool?
        public var exit: Int64?
        /// errno name when `exit` is negative and the call failed.
        public var errno: String?
        /// a0…a3 as the kernel prints them (hex, no 0x).
        public var args: [UInt64] = []
        public var items: Int?
    }

    public struct Process: Sendable {
        public var pid: Int64?
        public var ppid: Int64?
        public var auid: Int64?
        public var uid: Int64?
        public var gid: Int64?
        public var euid: Int64?
        public var suid: Int64?
        public var fsuid: Int64?
        public var egid: Int64?
        public var sgid: Int64?
        public var fsgid: Int64?
        public var ses: Int64?
        public var tty: Bytes?
        public var comm: Bytes?
        public var exe: Bytes?
        public var subj: Bytes?
    }

    public struct PathItem: Sendable {
        public var item: Int?
        public var name: Bytes?
        public var inode: Int64?
        public var dev: Bytes?
        public var mode: UInt64?
        public var ouid: Int64?
        public var ogid: Int64?
        /// NORMAL, PARENT, CREATE, DELETE, UNKNOWN (`nametype=` on current kernels, `objtype=` on older ones).
        public var nametype: Bytes?

        /// The directory a name was looked up in (nametype PARENT), not the object the call was about.
        public var isParentDirectory: Bool { nametype?.elementsEqual("PARENT".utf8) ?? false }
    }

    /// The kernel's "unset" id (auid/ses of processes that never logged in).
    public static let unsetID: Int64 = 4_294_967_295
}
