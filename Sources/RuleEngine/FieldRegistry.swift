/// The syscall-source fields Vigil knows (falco-reference §3), each with its Falco type and where audit can feed
/// it from (§7.2). A field outside the registry is a compile error ("nonexistent field"), unless the rule has
/// `skip-if-unknown-filter: true`.
public struct FieldRegistry: Sendable {
    public static let standard = FieldRegistry(rows: FieldRegistry.rows)

    public let definitions: [FieldDefinition]
    private let byName: [String: FieldID]
    /// Fields accepting `name.suffix` arguments (`evt.arg.flags`), longest first.
    private let dottedPrefixes: [(String, FieldID)]

    init(rows: [Row]) {
        var definitions: [FieldDefinition] = []
        var byName: [String: FieldID] = [:]
        for (i, row) in rows.enumerated() {
            let id = FieldID(rawValue: UInt16(i))
            definitions.append(
                FieldDefinition(
                    id: id, name: row.name, type: row.type, availability: row.availability, argument: row.argument,
                    summary: row.summary, deprecated: row.deprecated))
            byName[row.name] = id
        }
        self.definitions = definitions
        self.byName = byName
        self.dottedPrefixes = definitions.filter { Self.dottedArgumentFields.contains($0.name) }
            .map { ($0.name + ".", $0.id) }.sorted { $0.0.count > $1.0.count }
    }

    /// The fields libsinsp also accepts with a dotted argument (`evt.arg.flags`, `container.label.app`,
    /// `thread.cgroup.cpuacct`); every other argument goes in brackets, and `container.mount.foo` or
    /// `proc.env.HOME` is an unknown field there, as here.
    static let dottedArgumentFields: Set<String> = ["evt.arg", "evt.rawarg", "thread.cgroup", "container.label", "k8s.pod.label"]

    public func id(of name: String) -> FieldID? { byName[name] }

    public subscript(id: FieldID) -> FieldDefinition { definitions[Int(id.rawValue)] }

    /// A field reference resolved at compile time.
    public struct Resolved: Hashable, Sendable {
        public var id: FieldID
        public var argument: FieldArgument?
    }

    public enum LookupError: Error, Hashable, Sendable {
        case unknownField(String)
        case badArgument(String)
    }

    /// Resolves `name[argument]` (or a dotted argument form such as `evt.arg.flags`).
    public func resolve(_ name: String, argument: String?) -> Result<Resolved, LookupError> {
        if let id = byName[name] {
            let definition = self[id]
            switch (definition.argument, argument) {
            case (.none, nil): return .success(Resolved(id: id, argument: nil))
            case (.none, .some(let a)):
                return .failure(.badArgument("field '\(name)' does not accept an argument (got '\(a)')"))
            case (.ancestorIndex, nil), (.optionalIndex, nil), (.indexOrKey, nil):
                return .success(Resolved(id: id, argument: nil))
            case (.key(let required), nil):
                return required
                    ? .failure(.badArgument("field '\(name)' requires an argument"))
                    : .success(Resolved(id: id, argument: nil))
            case (.ancestorIndex, .some(let a)), (.optionalIndex, .some(let a)):
                guard let n = Int(a), n >= 0 else {
                    return .failure(.badArgument("field '\(name)' needs a non-negative numeric index, got '\(a)'"))
                }
                return .success(Resolved(id: id, argument: .index(n)))
            case (.key, .some(let a)):
                return .success(Resolved(id: id, argument: .key(a)))
            case (.indexOrKey, .some(let a)):
                if let n = Int(a), n >= 0 { return .success(Resolved(id: id, argument: .index(n))) }
                return .success(Resolved(id: id, argument: .key(a)))
            }
        }
        for (prefix, id) in dottedPrefixes where name.hasPrefix(prefix) && name.count > prefix.count {
            guard argument == nil else {
                return .failure(.badArgument("field '\(name)' cannot take both a dotted and a bracket argument"))
            }
            return .success(Resolved(id: id, argument: .key(String(name.dropFirst(prefix.count)))))
        }
        return .failure(.unknownField(name))
    }

    struct Row {
        var name: String
        var type: FieldType
        var availability: FieldAvailability
        var argument: FieldArgumentKind = .none
        var summary: String
        var deprecated = false
    }

    // MARK: - The table

    static let rows: [Row] = evt + process + thread + userGroup + fd + fsPath + container

    private static let evt: [Row] = [
        Row(
            name: "evt.num", type: .uint64, availability: .processState,
            summary: "event number; Vigil's own counter from 1 (never the audit serial)"),
        Row(
            name: "evt.time", type: .charbuf, availability: .audit,
            summary: "event time HH:MM:SS.nnnnnnnnn (ms precision)"),
        Row(name: "evt.time.s", type: .charbuf, availability: .audit, summary: "event time HH:MM:SS"),
        Row(name: "evt.time.iso8601", type: .charbuf, availability: .audit, summary: "event time in ISO 8601, UTC"),
        Row(name: "evt.datetime", type: .charbuf, availability: .audit, summary: "event time including the date"),
        Row(name: "evt.datetime.s", type: .charbuf, availability: .audit, summary: "event date and time to the second"),
        Row(name: "evt.rawtime", type: .absTime, availability: .audit, summary: "nanoseconds since the epoch"),
        Row(name: "evt.rawtime.s", type: .absTime, availability: .audit, summary: "seconds since the epoch"),
        Row(name: "evt.rawtime.ns", type: .absTime, availability: .audit, summary: "nanosecond part of the time"),
        Row(name: "evt.source", type: .charbuf, availability: .audit, summary: "event source, always 'syscall'"),
        Row(
            name: "evt.hostname", type: .charbuf, availability: .audit,
            summary: "host name (FALCO_HOSTNAME or gethostname)"),
        Row(
            name: "evt.is_async", type: .bool, availability: .audit,
            summary: "true for asynchronous events; false for syscalls"),
        Row(name: "evt.asynctype", type: .charbuf, availability: .never, summary: "type of an asynchronous event"),
        Row(
            name: "evt.type", type: .charbuf, availability: .audit,
            summary: "event name, the syscall name (arch-resolved)"),
        Row(name: "syscall.type", type: .charbuf, availability: .audit, summary: "syscall name"),
        Row(
            name: "evt.category", type: .charbuf, availability: .audit,
            summary: "event category (file, net, process, ...)"),
        Row(name: "evt.cpu", type: .int16, availability: .never, summary: "CPU number; audit does not record it"),
        Row(
            name: "evt.args", type: .charbuf, availability: .processState,
            summary: "all arguments as one string (approximate rendering)"),
        Row(
            name: "evt.arg", type: .charbuf, availability: .audit, argument: .indexOrKey,
            summary: "one argument by index or name (evt.arg.flags, evt.arg[0]); flags rendered as names"),
        Row(
            name: "evt.rawarg", type: .dynamic, availability: .audit, argument: .indexOrKey,
            summary: "one raw argument by name"),
        Row(name: "evt.res", type: .charbuf, availability: .audit, summary: "SUCCESS or the errno name (ENOENT, ...)"),
        Row(name: "evt.rawres", type: .int64, availability: .audit, summary: "return value as a number"),
        Row(name: "evt.failed", type: .bool, availability: .audit, summary: "true when the syscall returned an error"),
        Row(
            name: "evt.buffer", type: .byteBuffer, availability: .never,
            summary: "I/O data buffer; audit carries no payloads"),
        Row(
            name: "evt.buflen", type: .uint64, availability: .never,
            summary: "I/O buffer length; audit carries no payloads"),
        Row(name: "evt.abspath", type: .charbuf, availability: .audit, summary: "absolute path from dirfd and name"),
        Row(
            name: "evt.abspath.src", type: .charbuf, availability: .audit,
            summary: "absolute source path (rename, link)"),
        Row(
            name: "evt.abspath.dst", type: .charbuf, availability: .audit,
            summary: "absolute destination path (rename, link)"),
        Row(name: "evt.is_open_read", type: .bool, availability: .audit, summary: "open* for reading (from the flags)"),
        Row(
            name: "evt.is_open_write", type: .bool, availability: .audit, summary: "open* for writing (from the flags)"),
        Row(
            name: "evt.is_open_exec", type: .bool, availability: .audit,
            summary: "open*/creat creating an executable file"),
        Row(name: "evt.is_open_create", type: .bool, availability: .audit, summary: "open* creating a file"),
        Row(
            name: "evt.dir", type: .charbuf, availability: .audit, summary: "deprecated: always '<' (exit events only)",
            deprecated: true),
        Row(
            name: "evt.latency", type: .relTime, availability: .never, summary: "deprecated enter/exit latency",
            deprecated: true),
        Row(name: "evt.latency.s", type: .relTime, availability: .never, summary: "deprecated", deprecated: true),
        Row(name: "evt.latency.ns", type: .relTime, availability: .never, summary: "deprecated", deprecated: true),
        Row(name: "evt.latency.human", type: .charbuf, availability: .never, summary: "deprecated", deprecated: true),
        Row(name: "evt.wait_latency", type: .relTime, availability: .never, summary: "deprecated", deprecated: true),
        Row(
            name: "evt.deltatime", type: .relTime, availability: .processState, summary: "time since the previous event"
        ),
        Row(name: "evt.info", type: .charbuf, availability: .processState, summary: "arguments rendered for humans"),
        Row(name: "evt.is_io", type: .bool, availability: .audit, summary: "read/write-family syscall"),
        Row(name: "evt.is_io_read", type: .bool, availability: .audit, summary: "read-family syscall"),
        Row(name: "evt.is_io_write", type: .bool, availability: .audit, summary: "write-family syscall"),
        Row(name: "evt.is_wait", type: .bool, availability: .audit, summary: "sleeping/waiting syscall"),
        Row(name: "evt.is_syslog", type: .bool, availability: .never, summary: "write to /dev/log (needs fd data)"),
        Row(name: "evt.count", type: .uint32, availability: .audit, summary: "1 for every event (for counting)"),
    ]

    private static let process: [Row] = [
        Row(name: "proc.name", type: .charbuf, availability: .audit, summary: "task comm (15 chars), SYSCALL comm"),
        Row(
            name: "proc.exe", type: .charbuf, availability: .processState,
            summary: "argv[0]; EXECVE a0 on execve, else process table"),
        Row(
            name: "proc.exepath", type: .charbuf, availability: .audit, summary: "resolved executable path, SYSCALL exe"
        ),
        Row(
            name: "proc.args", type: .charbuf, availability: .processState,
            summary: "arguments after argv[0]; EXECVE on execve"),
        Row(name: "proc.cmdline", type: .charbuf, availability: .processState, summary: "proc.name + ' ' + proc.args"),
        Row(name: "proc.exeline", type: .charbuf, availability: .processState, summary: "proc.exe + ' ' + proc.args"),
        Row(name: "proc.cmdnargs", type: .uint64, availability: .processState, summary: "number of arguments"),
        Row(
            name: "proc.cmdlenargs", type: .uint64, availability: .processState,
            summary: "total length of the arguments"),
        Row(
            name: "proc.env", type: .charbuf, availability: .processState, argument: .key(required: false),
            summary: "environment (all, or proc.env[NAME]) from /proc/<pid>/environ"),
        Row(
            name: "proc.aenv", type: .charbuf, availability: .processState, argument: .key(required: false),
            summary: "environment variable searched in the ancestors"),
        Row(
            name: "proc.cwd", type: .charbuf, availability: .processState,
            summary: "working directory: CWD record or /proc"),
        Row(
            name: "proc.loginshellid", type: .int64, availability: .processState,
            summary: "pid of the oldest shell ancestor"),
        Row(
            name: "proc.tty", type: .uint32, availability: .processState,
            summary: "controlling terminal device number (from SYSCALL tty name)"),
        Row(name: "proc.pid", type: .int64, availability: .audit, summary: "process id, SYSCALL pid"),
        Row(name: "proc.ppid", type: .int64, availability: .audit, summary: "parent process id, SYSCALL ppid"),
        Row(
            name: "proc.vpid", type: .int64, availability: .processState,
            summary: "pid in its own namespace (/proc NSpid)"),
        Row(name: "proc.pvpid", type: .int64, availability: .processState, summary: "parent pid in its namespace"),
        Row(name: "proc.sid", type: .int64, availability: .processState, summary: "POSIX session id (/proc stat)"),
        Row(name: "proc.sname", type: .charbuf, availability: .processState, summary: "name of the session leader"),
        Row(
            name: "proc.vpgid", type: .int64, availability: .processState, summary: "process group id in its namespace"),
        Row(
            name: "proc.vpgid.name", type: .charbuf, availability: .processState,
            summary: "name of the process group leader"),
        Row(name: "proc.pname", type: .charbuf, availability: .processState, summary: "parent's proc.name"),
        Row(name: "proc.pexe", type: .charbuf, availability: .processState, summary: "parent's proc.exe"),
        Row(name: "proc.pexepath", type: .charbuf, availability: .processState, summary: "parent's proc.exepath"),
        Row(name: "proc.pcmdline", type: .charbuf, availability: .processState, summary: "parent's proc.cmdline"),
        Row(
            name: "proc.aname", type: .charbuf, availability: .processState, argument: .ancestorIndex,
            summary: "ancestor's proc.name ([0] self, [1] parent); no index: any ancestor"),
        Row(
            name: "proc.aexe", type: .charbuf, availability: .processState, argument: .ancestorIndex,
            summary: "ancestor's proc.exe"),
        Row(
            name: "proc.aexepath", type: .charbuf, availability: .processState, argument: .ancestorIndex,
            summary: "ancestor's proc.exepath"),
        Row(
            name: "proc.acmdline", type: .charbuf, availability: .processState, argument: .ancestorIndex,
            summary: "ancestor's proc.cmdline"),
        Row(
            name: "proc.apid", type: .int64, availability: .processState, argument: .ancestorIndex,
            summary: "ancestor's pid"),
        Row(
            name: "proc.duration", type: .relTime, availability: .processState,
            summary: "nanoseconds since the process started"),
        Row(
            name: "proc.ppid.duration", type: .relTime, availability: .processState,
            summary: "nanoseconds since the parent started"),
        Row(
            name: "proc.pid.ts", type: .relTime, availability: .processState,
            summary: "process start, ns since the epoch"),
        Row(
            name: "proc.ppid.ts", type: .relTime, availability: .processState,
            summary: "parent start, ns since the epoch"),
        Row(
            name: "proc.is_exe_writable", type: .bool, availability: .processState,
            summary: "executable writable by its user"),
        Row(
            name: "proc.is_exe_upper_layer", type: .bool, availability: .processState,
            summary: "executable in an overlayfs upper layer (heuristic)"),
        Row(
            name: "proc.is_exe_lower_layer", type: .bool, availability: .processState,
            summary: "executable in an overlayfs lower layer (heuristic)"),
        Row(
            name: "proc.is_exe_from_memfd", type: .bool, availability: .processState,
            summary: "executable is a memfd (exe starts with /memfd:)"),
        Row(name: "proc.is_sid_leader", type: .bool, availability: .processState, summary: "session leader"),
        Row(name: "proc.is_vpgid_leader", type: .bool, availability: .processState, summary: "process group leader"),
        Row(name: "proc.exe_ino", type: .int64, availability: .audit, summary: "executable inode (execve PATH item)"),
        Row(name: "proc.exe_ino.ctime", type: .absTime, availability: .processState, summary: "executable inode ctime"),
        Row(name: "proc.exe_ino.mtime", type: .absTime, availability: .processState, summary: "executable inode mtime"),
        Row(
            name: "proc.exe_ino.ctime_duration_proc_start", type: .absTime, availability: .processState,
            summary: "ns between the executable's ctime and the process start"),
        Row(
            name: "proc.exe_ino.ctime_duration_pidns_start", type: .absTime, availability: .processState,
            summary: "ns between the pid namespace start and the executable's ctime"),
        Row(
            name: "proc.pidns_init_start_ts", type: .uint64, availability: .processState,
            summary: "start of the pid namespace"),
        Row(name: "proc.stdin.type", type: .charbuf, availability: .processState, summary: "type of fd 0"),
        Row(name: "proc.stdout.type", type: .charbuf, availability: .processState, summary: "type of fd 1"),
        Row(name: "proc.stderr.type", type: .charbuf, availability: .processState, summary: "type of fd 2"),
        Row(name: "proc.stdin.name", type: .charbuf, availability: .processState, summary: "name of fd 0"),
        Row(name: "proc.stdout.name", type: .charbuf, availability: .processState, summary: "name of fd 1"),
        Row(name: "proc.stderr.name", type: .charbuf, availability: .processState, summary: "name of fd 2"),
        Row(name: "proc.fdopencount", type: .uint64, availability: .processState, summary: "open fds (/proc/<pid>/fd)"),
        Row(name: "proc.vmsize", type: .uint32, availability: .processState, summary: "virtual memory size (/proc)"),
        Row(name: "proc.vmrss", type: .uint32, availability: .processState, summary: "resident memory (/proc)"),
    ]

    private static let thread: [Row] = [
        Row(name: "thread.tid", type: .int64, availability: .audit, summary: "thread id (SYSCALL pid is the tid)"),
        Row(name: "thread.vtid", type: .int64, availability: .processState, summary: "thread id in its namespace"),
        Row(name: "thread.ismain", type: .bool, availability: .processState, summary: "main thread of its process"),
        Row(
            name: "thread.cgroups", type: .charbuf, availability: .processState, summary: "cgroups (/proc/<pid>/cgroup)"
        ),
        Row(
            name: "thread.cgroup", type: .charbuf, availability: .processState, argument: .key(required: true),
            summary: "cgroup of one subsystem"),
        Row(
            name: "thread.cap_effective", type: .charbuf, availability: .processState,
            summary: "effective capabilities (CapEff)"),
        Row(
            name: "thread.cap_permitted", type: .charbuf, availability: .processState,
            summary: "permitted capabilities (CapPrm)"),
        Row(
            name: "thread.cap_inheritable", type: .charbuf, availability: .processState,
            summary: "inheritable capabilities (CapInh)"),
    ]

    private static let userGroup: [Row] = [
        Row(name: "user.uid", type: .uint32, availability: .audit, summary: "effective uid, SYSCALL euid"),
        Row(
            name: "user.name", type: .charbuf, availability: .processState,
            summary: "user name from the container's /etc/passwd"),
        Row(
            name: "user.homedir", type: .charbuf, availability: .processState,
            summary: "home directory from /etc/passwd"),
        Row(name: "user.shell", type: .charbuf, availability: .processState, summary: "shell from /etc/passwd"),
        Row(
            name: "user.loginuid", type: .int64, availability: .audit,
            summary: "audit uid, SYSCALL auid (-1 when unset)"),
        Row(name: "user.loginname", type: .charbuf, availability: .processState, summary: "name of the audit uid"),
        Row(name: "group.gid", type: .uint32, availability: .audit, summary: "effective gid, SYSCALL egid"),
        Row(name: "group.name", type: .charbuf, availability: .processState, summary: "group name from /etc/group"),
    ]

    private static let fd: [Row] = [
        Row(
            name: "fd.num", type: .int64, availability: .audit,
            summary: "fd number (exit of open*/socket/dup*, a0 of connect)"),
        Row(
            name: "fd.type", type: .charbuf, availability: .processState,
            summary: "file, directory, ipv4, ipv6, unix, pipe, ..."),
        Row(name: "fd.typechar", type: .charbuf, availability: .processState, summary: "f, d, 4, 6, u, p, ..."),
        Row(
            name: "fd.name", type: .charbuf, availability: .audit,
            summary: "absolute path (PATH + CWD) or connection tuple"),
        Row(name: "fd.nameraw", type: .charbuf, availability: .audit, summary: "path as passed to the syscall"),
        Row(name: "fd.directory", type: .charbuf, availability: .audit, summary: "directory of the file"),
        Row(name: "fd.filename", type: .charbuf, availability: .audit, summary: "file name without the directory"),
        Row(name: "fd.ip", type: .ipAddress, availability: .audit, summary: "client or server IP"),
        Row(name: "fd.cip", type: .ipAddress, availability: .processState, summary: "client IP"),
        Row(name: "fd.sip", type: .ipAddress, availability: .audit, summary: "server IP (SOCKADDR of connect/sendto)"),
        Row(name: "fd.lip", type: .ipAddress, availability: .processState, summary: "local IP (/proc/net)"),
        Row(name: "fd.rip", type: .ipAddress, availability: .audit, summary: "remote IP (SOCKADDR)"),
        Row(name: "fd.port", type: .port, availability: .audit, summary: "client or server port"),
        Row(name: "fd.cport", type: .port, availability: .processState, summary: "client port"),
        Row(name: "fd.sport", type: .port, availability: .audit, summary: "server port (SOCKADDR)"),
        Row(name: "fd.lport", type: .port, availability: .processState, summary: "local port (/proc/net)"),
        Row(name: "fd.rport", type: .port, availability: .audit, summary: "remote port (SOCKADDR)"),
        Row(name: "fd.l4proto", type: .charbuf, availability: .processState, summary: "tcp, udp, icmp or raw"),
        Row(name: "fd.sockfamily", type: .charbuf, availability: .audit, summary: "ip or unix"),
        Row(name: "fd.is_server", type: .bool, availability: .processState, summary: "this end is the server"),
        Row(name: "fd.net", type: .ipNetwork, availability: .audit, summary: "client or server IP network"),
        Row(name: "fd.cnet", type: .ipNetwork, availability: .processState, summary: "client IP network"),
        Row(name: "fd.snet", type: .ipNetwork, availability: .audit, summary: "server IP network"),
        Row(name: "fd.lnet", type: .ipNetwork, availability: .processState, summary: "local IP network"),
        Row(name: "fd.rnet", type: .ipNetwork, availability: .audit, summary: "remote IP network"),
        Row(name: "fd.connected", type: .bool, availability: .processState, summary: "socket connected"),
        Row(
            name: "fd.name_changed", type: .bool, availability: .processState, summary: "the event changed the fd name"),
        Row(name: "fd.cip.name", type: .charbuf, availability: .containerRuntime, summary: "DNS name of the client IP"),
        Row(
            name: "fd.sip.name", type: .charbuf, availability: .containerRuntime,
            summary: "DNS name of the server IP (needs DNS)"),
        Row(name: "fd.lip.name", type: .charbuf, availability: .containerRuntime, summary: "DNS name of the local IP"),
        Row(name: "fd.rip.name", type: .charbuf, availability: .containerRuntime, summary: "DNS name of the remote IP"),
        Row(name: "fd.dev", type: .int32, availability: .audit, summary: "device number (PATH dev)"),
        Row(name: "fd.dev.major", type: .int32, availability: .audit, summary: "device major"),
        Row(name: "fd.dev.minor", type: .int32, availability: .audit, summary: "device minor"),
        Row(name: "fd.ino", type: .int64, availability: .audit, summary: "inode (PATH inode)"),
        Row(
            name: "fd.types", type: .charbufList, availability: .processState, argument: .optionalIndex,
            summary: "types of the process's fds"),
        Row(
            name: "fd.is_upper_layer", type: .bool, availability: .processState,
            summary: "file in an overlayfs upper layer"),
        Row(
            name: "fd.is_lower_layer", type: .bool, availability: .processState,
            summary: "file in an overlayfs lower layer"),
    ]

    private static let fsPath: [Row] = [
        Row(
            name: "fs.path.name", type: .charbuf, availability: .audit,
            summary: "resolved path of the operation (PATH + CWD)"),
        Row(name: "fs.path.nameraw", type: .charbuf, availability: .audit, summary: "path as passed"),
        Row(name: "fs.path.source", type: .charbuf, availability: .audit, summary: "resolved source path"),
        Row(name: "fs.path.sourceraw", type: .charbuf, availability: .audit, summary: "source path as passed"),
        Row(name: "fs.path.target", type: .charbuf, availability: .audit, summary: "resolved target path"),
        Row(name: "fs.path.targetraw", type: .charbuf, availability: .audit, summary: "target path as passed"),
    ]

    private static let container: [Row] = [
        Row(
            name: "container.id", type: .charbuf, availability: .processState,
            summary: "12-hex id from /proc/<pid>/cgroup; 'host' on the host"),
        Row(
            name: "container.full_id", type: .charbuf, availability: .processState,
            summary: "full id from the cgroup path"),
        Row(name: "container.name", type: .charbuf, availability: .containerRuntime, summary: "container name"),
        Row(name: "container.image", type: .charbuf, availability: .containerRuntime, summary: "image name"),
        Row(name: "container.image.id", type: .charbuf, availability: .containerRuntime, summary: "image id"),
        Row(
            name: "container.image.repository", type: .charbuf, availability: .containerRuntime,
            summary: "image repository"),
        Row(name: "container.image.tag", type: .charbuf, availability: .containerRuntime, summary: "image tag"),
        Row(name: "container.image.digest", type: .charbuf, availability: .containerRuntime, summary: "image digest"),
        Row(
            name: "container.type", type: .charbuf, availability: .containerRuntime,
            summary: "docker, cri-o, containerd, ..."),
        Row(
            name: "container.privileged", type: .bool, availability: .containerRuntime, summary: "privileged container"),
        Row(
            name: "container.mounts", type: .charbuf, availability: .containerRuntime,
            summary: "bind mounts and volumes, source:dest:mode:rdwr:propagation, comma-separated"),
        Row(
            name: "container.mount", type: .charbuf, availability: .containerRuntime, argument: .key(required: true),
            summary: "one mount (source:dest:mode:rdwr:propagation) by index or source glob"),
        Row(
            name: "container.mount.source", type: .charbuf, availability: .containerRuntime,
            argument: .key(required: true), summary: "a mount's source, by index or destination glob"),
        Row(
            name: "container.mount.dest", type: .charbuf, availability: .containerRuntime,
            argument: .key(required: true), summary: "a mount's destination, by index or source glob"),
        Row(
            name: "container.mount.mode", type: .charbuf, availability: .containerRuntime,
            argument: .key(required: true), summary: "a mount's mode (docker), by index or source glob"),
        Row(
            name: "container.mount.rdwr", type: .charbuf, availability: .containerRuntime,
            argument: .key(required: true), summary: "a mount's read-write flag (true/false), by index or source glob"),
        Row(
            name: "container.mount.propagation", type: .charbuf, availability: .containerRuntime,
            argument: .key(required: true), summary: "a mount's propagation, by index or source glob"),
        Row(
            name: "container.start_ts", type: .absTime, availability: .processState,
            summary: "start of the container's pid namespace"),
        Row(
            name: "container.duration", type: .relTime, availability: .processState,
            summary: "ns since container.start_ts"),
        Row(name: "container.ip", type: .charbuf, availability: .containerRuntime, summary: "primary IP"),
        Row(
            name: "container.host_pid", type: .bool, availability: .containerRuntime,
            summary: "in the host pid namespace"),
        Row(
            name: "container.host_network", type: .bool, availability: .containerRuntime,
            summary: "in the host network namespace"),
        Row(
            name: "container.host_ipc", type: .bool, availability: .containerRuntime,
            summary: "in the host ipc namespace"),
        Row(
            name: "container.label", type: .charbuf, availability: .containerRuntime, argument: .key(required: true),
            summary: "one label (container.label[foo] or container.label.foo)"),
        Row(name: "container.labels", type: .charbuf, availability: .containerRuntime, summary: "all labels"),
        Row(
            name: "container.healthcheck", type: .charbuf, availability: .containerRuntime,
            summary: "health check command"),
        Row(
            name: "container.info", type: .charbuf, availability: .never,
            summary: "deprecated, rendered as the empty string", deprecated: true),
        Row(name: "k8s.pod.name", type: .charbuf, availability: .containerRuntime, summary: "pod name"),
        Row(name: "k8s.ns.name", type: .charbuf, availability: .containerRuntime, summary: "namespace name"),
        Row(name: "k8s.pod.id", type: .charbuf, availability: .containerRuntime, summary: "pod UID (legacy name)"),
        Row(name: "k8s.pod.uid", type: .charbuf, availability: .containerRuntime, summary: "pod UID"),
        Row(name: "k8s.pod.sandbox_id", type: .charbuf, availability: .containerRuntime, summary: "pod sandbox id"),
        Row(
            name: "k8s.pod.full_sandbox_id", type: .charbuf, availability: .containerRuntime, summary: "full sandbox id"
        ),
        Row(
            name: "k8s.pod.label", type: .charbuf, availability: .containerRuntime, argument: .key(required: true),
            summary: "one pod label"),
        Row(name: "k8s.pod.labels", type: .charbuf, availability: .containerRuntime, summary: "pod labels"),
        Row(name: "k8s.pod.ip", type: .charbuf, availability: .containerRuntime, summary: "pod IP"),
        Row(name: "k8s.pod.cni.json", type: .charbuf, availability: .containerRuntime, summary: "CNI result"),
        Row(name: "k8s.rc.name", type: .charbuf, availability: .containerRuntime, summary: "deprecated, use k8smeta"),
        Row(name: "k8s.svc.name", type: .charbuf, availability: .containerRuntime, summary: "deprecated, use k8smeta"),
        Row(name: "k8s.rs.name", type: .charbuf, availability: .containerRuntime, summary: "deprecated, use k8smeta"),
        Row(
            name: "k8s.deployment.name", type: .charbuf, availability: .containerRuntime,
            summary: "deprecated, use k8smeta"),
    ]
}
