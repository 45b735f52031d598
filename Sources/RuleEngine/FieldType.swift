/// Falco's field types (the names `falco --list` prints), reduced to how the engine compares them.
public enum FieldType: String, Hashable, Sendable {
    case charbuf = "CHARBUF"
    case fspath = "FSPATH"
    case int16 = "INT16"
    case int32 = "INT32"
    case int64 = "INT64"
    case uint32 = "UINT32"
    case uint64 = "UINT64"
    case pid = "PID"
    case fd = "FD"
    case port = "PORT"
    case absTime = "ABSTIME"
    case relTime = "RELTIME"
    case bool = "BOOL"
    case ipAddress = "IPADDR"
    case ipNetwork = "IPNET"
    case byteBuffer = "BYTEBUF"
    case charbufList = "LIST(CHARBUF)"
    case dynamic = "DYNAMIC"

    enum Comparison { case string, number, bool, ip, network, bytes, list }

    var comparison: Comparison {
        switch self {
        case .charbuf, .fspath, .dynamic: return .string
        case .int16, .int32, .int64, .uint32, .uint64, .pid, .fd, .port, .absTime, .relTime: return .number
        case .bool: return .bool
        case .ipAddress: return .ip
        case .ipNetwork: return .network
        case .byteBuffer: return .bytes
        case .charbufList: return .list
        }
    }
}

/// Where Vigil can get a field from when the input is the kernel audit stream (falco-reference §7.2).
public enum FieldAvailability: String, Hashable, Sendable, CaseIterable {
    /// In the event's own records (SYSCALL, EXECVE, PATH, CWD, SOCKADDR, ...).
    case audit = "audit"
    /// Needs daemon-side state (process/fd tables from earlier events) or a `/proc`/cgroup/passwd lookup.
    case processState = "process-state"
    /// Needs the container runtime API (CRI/containerd/docker) or DNS — not in audit or `/proc`.
    case containerRuntime = "container-runtime"
    /// Audit never carries it (I/O buffers, CPU id): always missing.
    case never = "never"
}

/// How a field accepts an argument.
public enum FieldArgumentKind: Hashable, Sendable {
    case none
    /// `proc.aname[2]`; without index the ancestor field matches any ancestor.
    case ancestorIndex
    /// `fd.types[0]`, `proc.args`-style optional numeric index.
    case optionalIndex
    /// `proc.env[HOME]`, `container.label[foo]` or `container.label.foo`.
    case key(required: Bool)
    /// `evt.arg[0]`, `evt.arg[name]` or `evt.arg.name`.
    case indexOrKey
}
