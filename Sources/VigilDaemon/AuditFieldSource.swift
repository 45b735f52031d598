import AuditStream
import ProcessState
import RuleEngine

#if canImport(Glibc)
import Glibc
#endif

/// The Falco fields of one audit event, as the rules engine asks for them.
///
/// Field ids are mapped once (`AuditFieldMap`) to what Vigil knows how to extract; per event, a field is read
/// from the decoded records or from the enrichment context and returned as bytes or a number. A field Vigil
/// cannot know for this event is `nil` — never an empty string or a zero — so that Falco's "missing makes
/// every comparison false" holds.
public struct AuditFieldSource: FieldSource {
    public let decoded: DecodedEvent
    /// Process, ancestry, user, fd and container state; nil when no enricher ran (then those fields are missing).
    public let enriched: EnrichedEvent?
    public let eventNumber: UInt64
    public let hostname: String
    let map: AuditFieldMap

    public init(decoded: DecodedEvent, enriched: EnrichedEvent?, eventNumber: UInt64, hostname: String, map: AuditFieldMap) {
        self.decoded = decoded
        self.enriched = enriched
        self.eventNumber = eventNumber
        self.hostname = hostname
        self.map = map
    }

    /// The name the rules engine indexes this event under: the syscall, or the record type for non-syscall
    /// events (USER_LOGIN, AVC…), which no Falco rule names and so only reach rules without an event type.
    public var eventTypeName: String {
        decoded.syscall?.name ?? decoded.primaryType.name.lowercased()
    }

    public func extract(_ field: FieldID, argument: FieldArgument?) -> FieldValue? {
        guard let f = map.field(field) else { return nil }
        let d = decoded
        let p = d.process
        switch f {
        case .evtType: return .string(Array(eventTypeName.utf8))
        case .evtNum: return .unsigned(eventNumber)
        case .evtDir: return .string([UInt8(ascii: "<")])
        case .evtSource: return .string(Array("syscall".utf8))
        case .evtHostname: return .string(Array(hostname.utf8))
        case .evtRawTime: return .unsigned(UInt64(max(0, nanos)))
        case .evtRawTimeS: return .unsigned(UInt64(max(0, d.key.stamp.seconds)))
        case .evtRawTimeNs: return .unsigned(UInt64(max(0, nanos)))
        case .evtTime: return .string(Array(clock(withDate: false).utf8))
        case .evtDatetime: return .string(Array(clock(withDate: true).utf8))
        case .evtTimeS: return .string(Array(clock(withDate: false).prefix(8).utf8))
        case .evtDatetimeS: return .string(Array(clock(withDate: true).prefix(19).utf8))
        case .evtTimeISO: return .string(Array(Timestamp.rfc3339(seconds: d.key.stamp.seconds, nanos: Int(d.key.stamp.milliseconds) * 1_000_000).utf8))
        case .evtRes:
            guard let exit = d.syscall?.exit else { return nil }
            if exit >= 0 || d.syscall?.success == true { return .string(Array("SUCCESS".utf8)) }
            return .string(Array((ErrnoName.name(-exit) ?? String(exit)).utf8))
        case .evtRawRes: return d.syscall?.exit.map { .signed($0) }
        case .evtFailed:
            if let s = d.syscall?.success { return .bool(!s) }
            return d.syscall?.exit.map { .bool($0 < 0) }
        case .evtArg: return eventArgument(argument)
        case .evtIsOpenRead, .evtIsOpenWrite, .evtIsOpenCreate, .evtIsOpenExec:
            guard let flags = openFlags else { return nil }
            switch f {
            case .evtIsOpenRead: return .bool(flags & 3 == 0 || flags & 3 == 2)
            case .evtIsOpenWrite: return .bool(flags & 3 == 1 || flags & 3 == 2)
            case .evtIsOpenCreate: return .bool(flags & 0o100 != 0)
            default: return .bool(false)
            }
        case .procPid: return p.pid.map { .signed($0) }
        case .procPpid: return p.ppid.map { .signed($0) }
        case .procName: return (p.comm ?? enriched?.process.name).map { .string(Array($0)) }
        case .procExe: return argv.flatMap { $0.first }.map { .string(Array($0)) }
        case .procExePath: return (p.exe ?? enriched?.process.exePath).map { .string(Array($0)) }
        case .procArgs:
            guard let argv else { return nil }
            return .string(Self.join(argv.dropFirst()))
        case .procCmdline:
            guard let name = p.comm ?? enriched?.process.name, let argv else { return nil }
            var out = Array(name)
            if argv.count > 1 {
                out.append(32)
                out += Self.join(argv.dropFirst())
            }
            return .string(out)
        case .procCmdNArgs: return argv.map { .unsigned(UInt64(max(0, $0.count - 1))) }
        case .procCwd: return (d.cwd ?? enriched?.process.cwd).map { .string(Self.directory(Array($0))) }
        case .procTty:
            if let t = enriched?.process.tty { return .unsigned(UInt64(t)) }
            guard let tty = p.tty else { return .unsigned(0) }  // (none): no controlling terminal
            return Self.ttyNumber(tty).map { .unsigned(UInt64($0)) }
        case .procDuration:
            return enriched?.process.durationNanos.map { .unsigned(UInt64(max(0, $0))) }
        case .procPname: return ancestor(1)?.name.map { .string(Array($0)) }
        case .procPexe: return ancestor(1)?.exe.map { .string(Array($0)) }
        case .procPexePath: return ancestor(1)?.exePath.map { .string(Array($0)) }
        case .procPcmdline: return ancestor(1)?.cmdline.map { .string(Array($0)) }
        case .procAname, .procAexe, .procAexePath, .procAcmdline, .procApid:
            return ancestorField(f, argument)
        case .procIsExeFromMemfd:
            if let v = enriched?.process.isExeFromMemfd { return .bool(v) }
            guard let exe = p.exe else { return nil }
            return .bool(exe.starts(with: "/memfd:".utf8))
        case .procIsExeUpperLayer: return enriched?.process.isExeUpperLayer.map { .bool($0) }
        case .procEnv: return nil  // audit records carry no environment
        case .procExeline:
            guard let argv else { return nil }
            return .string(Self.join(argv[...]))
        case .procCmdLenArgs:
            // libsinsp: the length of the arguments joined, one blank between them.
            guard let argv else { return nil }
            let args = argv.dropFirst()
            return .unsigned(UInt64(args.reduce(0) { $0 + $1.count } + max(0, args.count - 1)))
        case .threadTid: return p.pid.map { .signed($0) }
        // Audit's pid is the thread group's; so is the namespace view Vigil reads.
        case .procVpid, .threadVtid: return enriched?.process.vpid.map { .signed($0) }
        case .procPvpid: return ancestor(1)?.vpid.map { .signed($0) }
        case .threadCapEffective: return enriched?.process.capEffectiveText.map { .string(Array($0.utf8)) }
        case .threadCapPermitted: return enriched?.process.capPermittedText.map { .string(Array($0.utf8)) }
        case .userUid:
            if let uid = enriched?.user.uid { return .unsigned(UInt64(UInt32(truncatingIfNeeded: uid))) }
            return p.uid.map { .unsigned(UInt64(UInt32(truncatingIfNeeded: $0))) }
        case .userLoginUid:
            guard let auid = p.auid else { return nil }
            return .signed(auid == DecodedEvent.unsetID ? -1 : auid)
        case .userName: return enriched?.user.name.map { .string(Array($0.utf8)) }
        case .userLoginName: return enriched?.user.loginName.map { .string(Array($0.utf8)) }
        case .userHomedir: return enriched?.user.homedir.map { .string(Array($0.utf8)) }
        case .userShell: return enriched?.user.shell.map { .string(Array($0.utf8)) }
        case .groupGid:
            if let gid = enriched?.group.gid { return .unsigned(UInt64(UInt32(truncatingIfNeeded: gid))) }
            return p.gid.map { .unsigned(UInt64(UInt32(truncatingIfNeeded: $0))) }
        case .groupName: return enriched?.group.name.map { .string(Array($0.utf8)) }
        case .fdName, .fdNameRaw: return fdName(raw: f == .fdNameRaw)
        case .fdDirectory:
            guard case .string(let path)? = fdName(raw: false), sockaddr == nil else { return nil }
            return .string(Array(PathName.split(path[...]).directory))
        case .fdFilename:
            guard case .string(let path)? = fdName(raw: false), sockaddr == nil else { return nil }
            return .string(Array(PathName.split(path[...]).filename))
        case .fdTypeChar: return fdTypeChar.map { .string(Array($0.utf8)) }
        case .fdType:
            guard let c = fdTypeChar else { return nil }
            let names = ["f": "file", "d": "directory", "4": "ipv4", "6": "ipv6", "u": "unix", "p": "pipe"]
            return names[c].map { .string(Array($0.utf8)) }
        case .fdIno: return pathItem?.inode.map { .signed($0) }
        case .fdDev, .fdDevMajor, .fdDevMinor:
            guard sockaddr == nil, let dev = enriched?.fd?.dev ?? pathItem?.dev.flatMap(Enricher.device) else { return nil }
            switch f {
            case .fdDevMajor: return .unsigned(UInt64(dev >> 20))
            case .fdDevMinor: return .unsigned(UInt64(dev & 0xfffff))
            default: return .unsigned(UInt64(dev))
            }
        case .fsPathName, .fsPathNameRaw, .fsPathSource, .fsPathSourceRaw, .fsPathTarget, .fsPathTargetRaw:
            return fsPath(f)
        case .fdSip, .fdRip, .fdIp, .fdCip, .fdLip, .fdNet, .fdSnet, .fdRnet, .fdCnet, .fdLnet:
            guard let s = sockaddr, let ip = Self.ip(s), socketRole(of: f) else { return nil }
            return .ip(ip)
        case .fdSport, .fdRport, .fdPort, .fdCport, .fdLport:
            guard socketRole(of: f) else { return nil }
            return sockaddr?.port.map { .unsigned(UInt64($0)) }
        case .fdNum:
            if let n = enriched?.fd?.number { return .signed(n) }
            guard let sc = d.syscall, let name = sc.name else { return nil }
            // The fd an open-family syscall returns, or the one most fd syscalls take as their first argument.
            if Self.fdReturningSyscalls.contains(name) {
                guard let exit = sc.exit else { return nil }
                return .signed(exit)
            }
            if Self.fdFirstArgumentSyscalls.contains(name), let a0 = sc.args.first {
                return .signed(Int64(Int32(truncatingIfNeeded: a0)))
            }
            return nil
        case .fdIsServer:
            guard sockaddr != nil, let name = decoded.syscall?.name else { return nil }
            return .bool(Self.localAddressSyscalls.contains(name) || Self.peerIsClientSyscalls.contains(name))
        case .fdSockFamily:
            guard let s = sockaddr else { return nil }
            switch s.family {
            case .inet, .inet6: return .string(Array("ip".utf8))
            case .unix: return .string(Array("unix".utf8))
            default: return nil
            }
        case .fdL4proto: return enriched?.fd?.l4proto.map { .string(Array($0.utf8)) }
        case .containerID: return container.map { .string(Array($0.id.utf8)) }
        case .containerFullID: return container.map { .string(Array($0.fullID.utf8)) }
        case .containerName: return container?.name.map { .string(Array($0.utf8)) }
        case .containerImage: return container?.image.map { .string(Array($0.utf8)) }
        case .containerImageRepository: return container?.imageRepository.map { .string(Array($0.utf8)) }
        case .containerImageTag: return container?.imageTag.map { .string(Array($0.utf8)) }
        case .containerImageDigest: return container?.imageDigest.map { .string(Array($0.utf8)) }
        case .containerImageID:
            // The image's id as `docker ps` shows it: 12 hex, without the digest algorithm.
            guard let id = container?.imageID else { return nil }
            let hex = id.hasPrefix("sha256:") ? id.dropFirst(7) : id[...]
            return .string(Array(hex.prefix(12).utf8))
        case .containerType: return container.map { .string(Array($0.type.utf8)) }
        case .containerStartTs: return container?.startNanos.map { .unsigned(UInt64(max(0, $0))) }
        case .containerDuration:
            // Stream time against the runtime's clock: a start "after" the event (clock skew) is 0, not negative.
            return container?.startNanos.map { .unsigned(UInt64(max(0, nanos - $0))) }
        case .containerPrivileged: return container?.privileged.map { .bool($0) }
        case .containerLabel:
            guard let labels = container?.labels, case .key(let k) = argument else { return nil }
            return labels[k].map { .string(Array($0.utf8)) }
        case .containerMounts:
            return container?.mounts.map { .string(Array($0.map(\.text).joined(separator: ",").utf8)) }
        case .containerMount, .containerMountSource, .containerMountDest, .containerMountMode,
            .containerMountReadWrite, .containerMountPropagation:
            return mountField(f, argument)
        case .k8sPodName: return container?.podName.map { .string(Array($0.utf8)) }
        case .k8sNamespace: return container?.podNamespace.map { .string(Array($0.utf8)) }
        case .k8sPodUID: return container?.podUID.map { .string(Array($0.utf8)) }
        case .k8sPodSandboxID: return container?.sandboxID.map { .string(Array($0.prefix(12).utf8)) }
        case .k8sPodFullSandboxID: return container?.sandboxID.map { .string(Array($0.utf8)) }
        }
    }

    // MARK: - Pieces

    /// `container.mount*[N]` by index, or by a glob over the source (the destination for
    /// `container.mount.source`), the first match winning, as libsinsp's `mount_by_source`/`mount_by_dest`. No
    /// such mount: missing (libsinsp returns NULL, so `container.mount.dest[/proc*] != "N/A"` is false then).
    func mountField(_ f: AuditField, _ argument: FieldArgument?) -> FieldValue? {
        guard let mounts = container?.mounts, case .key(let key) = argument else { return nil }
        let mount: ContainerMount?
        if let n = Int32(key) {
            mount = n >= 0 && Int(n) < mounts.count ? mounts[Int(n)] : nil
        } else {
            mount = mounts.first { m in
                // fnmatch(3) without flags, as libsinsp's glob_match.
                fnmatch(key, f == .containerMountSource ? m.destination : m.source, 0) == 0
            }
        }
        guard let mount else { return nil }
        let text: String
        switch f {
        case .containerMountSource: text = mount.source
        case .containerMountDest: text = mount.destination
        case .containerMountMode: text = mount.mode
        case .containerMountReadWrite: text = mount.readWrite ? "true" : "false"
        case .containerMountPropagation: text = mount.propagation
        default: text = mount.text
        }
        return .string(Array(text.utf8))
    }

    var nanos: Int64 { decoded.key.stamp.timeNanos }

    /// argv: EXECVE's on execve events, else the process table's.
    var argv: [Bytes]? { decoded.argv ?? enriched?.process.argv }

    var container: ContainerView? { enriched?.container }

    func ancestor(_ n: Int) -> ProcessSummary? {
        guard n >= 1, let a = enriched?.ancestors, n <= a.count else { return nil }
        return a[n - 1]
    }

    func ancestorField(_ f: AuditField, _ argument: FieldArgument?) -> FieldValue? {
        func pick(_ a: ProcessSummary) -> [UInt8]? {
            switch f {
            case .procAname: return a.name.map(Array.init)
            case .procAexe: return a.exe.map(Array.init)
            case .procAexePath: return a.exePath.map(Array.init)
            case .procAcmdline: return a.cmdline.map(Array.init)
            default: return a.pid.map { Array(String($0).utf8) }
            }
        }
        if case .index(let n) = argument {
            if n == 0 {
                switch f {
                case .procAname: return decoded.process.comm.map { .string(Array($0)) }
                case .procApid: return decoded.process.pid.map { .signed($0) }
                case .procAexePath: return decoded.process.exe.map { .string(Array($0)) }
                default: return nil
                }
            }
            guard let a = ancestor(n), let v = pick(a) else { return nil }
            if f == .procApid, let pid = a.pid { return .signed(pid) }
            return .string(v)
        }
        guard let list = enriched?.ancestors, !list.isEmpty else { return nil }
        return .list(list.compactMap(pick))
    }

    /// The syscall's open flags (open, openat), or the flags implied by creat.
    var openFlags: UInt64? {
        guard let s = decoded.syscall, let name = s.name else { return nil }
        if name == "creat" { return 0o1101 }
        guard let i = OpenFlags.argumentIndex(syscall: name), i < s.args.count else { return nil }
        return s.args[i]
    }

    static let fdReturningSyscalls: Set<String> = ["open", "openat", "openat2", "creat", "socket", "accept", "accept4", "memfd_create", "dup", "dup2", "dup3"]
    static let fdFirstArgumentSyscalls: Set<String> = [
        "connect", "bind", "listen", "sendto", "sendmsg", "recvfrom", "recvmsg", "read", "write", "close", "fchmod",
        "fchown", "ftruncate", "fsync", "getsockopt", "setsockopt", "shutdown",
    ]

    /// ptrace requests by number (asm-generic/ptrace.h and x86), as Falco renders `evt.arg.request`.
    static let ptraceRequests: [UInt64: String] = [
        0: "PTRACE_TRACEME", 1: "PTRACE_PEEKTEXT", 2: "PTRACE_PEEKDATA", 3: "PTRACE_PEEKUSR", 4: "PTRACE_POKETEXT",
        5: "PTRACE_POKEDATA", 6: "PTRACE_POKEUSR", 7: "PTRACE_CONT", 8: "PTRACE_KILL", 9: "PTRACE_SINGLESTEP",
        12: "PTRACE_GETREGS", 13: "PTRACE_SETREGS", 14: "PTRACE_GETFPREGS", 15: "PTRACE_SETFPREGS", 16: "PTRACE_ATTACH",
        17: "PTRACE_DETACH", 24: "PTRACE_SYSCALL", 0x4200: "PTRACE_SETOPTIONS", 0x4206: "PTRACE_SEIZE",
        0x4207: "PTRACE_INTERRUPT", 0x4208: "PTRACE_LISTEN",
    ]

    /// Address families by number, as Falco renders `evt.arg.domain`.
    static let socketDomains: [UInt64: String] = [
        0: "AF_UNSPEC", 1: "AF_UNIX", 2: "AF_INET", 10: "AF_INET6", 16: "AF_NETLINK", 17: "AF_PACKET", 3: "AF_AX25",
        4: "AF_IPX", 5: "AF_APPLETALK", 9: "AF_X25", 15: "AF_KEY", 29: "AF_CAN", 31: "AF_BLUETOOTH", 38: "AF_ALG",
        40: "AF_VSOCK", 44: "AF_XDP",
    ]

    func eventArgument(_ argument: FieldArgument?) -> FieldValue? {
        guard case .key(let k) = argument else { return nil }
        let name = decoded.syscall?.name
        switch k {
        case "request" where name == "ptrace":
            guard let a0 = decoded.syscall?.args.first else { return nil }
            return .string(Array((Self.ptraceRequests[a0] ?? String(a0)).utf8))
        case "domain" where name == "socket" || name == "socketpair":
            guard let a0 = decoded.syscall?.args.first else { return nil }
            return .string(Array((Self.socketDomains[a0] ?? String(a0)).utf8))
        case "flags": return openFlags.map { .string(Array(OpenFlags.text($0).utf8)) }
        case "mode":
            // chmod(path, mode), fchmod(fd, mode), fchmodat(dirfd, path, mode): Falco's chmod_mode flag names.
            guard let i = Self.chmodModeArgument[name ?? ""], let args = decoded.syscall?.args, i < args.count
            else { return nil }
            return .string(Array(Self.chmodModeText(args[i]).utf8))
        case "target" where name == "symlink" || name == "symlinkat":
            // The link's content is no path lookup: the kernel logs the name it took with getname() as a PATH item
            // with nametype UNKNOWN (no inode). As the syscall passed it, like Falco.
            return pathItem(nametype: "UNKNOWN").flatMap { $0.name }.map { .string(Array($0)) }
        case "linkpath" where name == "symlink" || name == "symlinkat",
            "newpath" where Self.linkOrRename.contains(name ?? ""):
            return pathItem(nametype: "CREATE").flatMap { $0.name }.map { .string(Array($0)) }
        case "oldpath" where name == "link" || name == "linkat":
            // link(2): item 0 is the existing file (NORMAL), then the new name's PARENT and the CREATE item.
            return pathItem(nametype: "NORMAL").flatMap { $0.name }.map { .string(Array($0)) }
        case "oldpath" where Self.linkOrRename.contains(name ?? ""):
            return pathItem(nametype: "DELETE").flatMap { $0.name }.map { .string(Array($0)) }
        case "name", "path", "pathname", "filename": return fdName(raw: false)
        case "res": return decoded.syscall?.exit.map { .string(Array(String($0).utf8)) }
        case "uid": return decoded.syscall?.args.first.map { .string(Array(String($0).utf8)) }
        default: return nil
        }
    }

    static let linkOrRename: Set<String> = ["link", "linkat", "rename", "renameat", "renameat2"]

    /// Which register holds the mode of the chmod family.
    static let chmodModeArgument: [String: Int] = ["chmod": 1, "fchmod": 1, "fchmodat": 2, "fchmodat2": 2]

    /// Mode bits as Falco renders `evt.arg.mode` of chmod (its `chmod_mode` flag table, in that order).
    static func chmodModeText(_ mode: UInt64) -> String {
        let names: [(UInt64, String)] = [
            (0o1, "S_IXOTH"), (0o2, "S_IWOTH"), (0o4, "S_IROTH"), (0o10, "S_IXGRP"), (0o20, "S_IWGRP"), (0o40, "S_IRGRP"),
            (0o100, "S_IXUSR"), (0o200, "S_IWUSR"), (0o400, "S_IRUSR"), (0o1000, "S_ISVTX"), (0o2000, "S_ISGID"),
            (0o4000, "S_ISUID"),
        ]
        return names.filter { mode & $0.0 != 0 }.map(\.1).joined(separator: "|")
    }

    /// The first PATH item of a nametype.
    func pathItem(nametype: String) -> DecodedEvent.PathItem? {
        decoded.paths.first { $0.nametype.map { Array($0) == Array(nametype.utf8) } ?? false }
    }

    /// The PATH item the event is about: the object (NORMAL/CREATE/DELETE), not its PARENT directory, and one the
    /// process named (nameless items are the filesystem's own lookups, e.g. an overlayfs copy-up).
    var pathItem: DecodedEvent.PathItem? {
        let items = decoded.paths
        if let name = decoded.syscall?.name, name == "execve" || name == "execveat" { return items.first }
        return items.first { $0.name != nil && !$0.isParentDirectory } ?? items.first { !$0.isParentDirectory }
            ?? items.first
    }

    /// What the SOCKADDR of the event is: the remote server (connect, sendto), the remote client (accept,
    /// recvfrom) or the local address (bind). A field about an end the record does not show is missing.
    static let peerIsClientSyscalls: Set<String> = ["accept", "accept4", "recvfrom", "recvmsg"]
    static let localAddressSyscalls: Set<String> = ["bind"]

    func socketRole(of f: AuditField) -> Bool {
        let name = decoded.syscall?.name ?? ""
        let role: Int  // 0 remote server, 1 remote client, 2 local server
        if Self.peerIsClientSyscalls.contains(name) {
            role = 1
        } else if Self.localAddressSyscalls.contains(name) {
            role = 2
        } else {
            role = 0
        }
        switch f {
        case .fdIp, .fdPort, .fdNet: return true
        case .fdSip, .fdSport, .fdSnet: return role == 0 || role == 2
        case .fdRip, .fdRport, .fdRnet: return role == 0 || role == 1
        case .fdCip, .fdCport, .fdCnet: return role == 1
        case .fdLip, .fdLport, .fdLnet: return role == 2
        default: return false
        }
    }

    var sockaddr: SocketAddress? {
        guard let s = decoded.sockaddrs.first else { return nil }
        switch s.family {
        case .inet, .inet6, .unix: return s
        default: return nil
        }
    }

    func fdName(raw: Bool) -> FieldValue? {
        // The enricher resolves names against dirfds and remembers fds opened earlier (dup2, fchmod…).
        if let fd = enriched?.fd, !fd.type.isSocket, fd.type != .unknown, let name = raw ? (fd.nameRaw ?? fd.name) : fd.name {
            return .string(Array(name))
        }
        if let s = sockaddr {
            if case .unix(let path, let abstract) = s.family {
                return .string((abstract ? [UInt8(ascii: "@")] : []) + path)
            }
            return nil  // a connection tuple needs the local end, which audit does not give
        }
        return pathItem.flatMap { itemName($0, raw: raw) }
    }

    /// A PATH item's name as passed, or as the event means it: absolute names as logged, relative ones as the
    /// enricher resolved them (against the CWD or the syscall's dirfd), else against the CWD record.
    func itemName(_ item: DecodedEvent.PathItem, raw: Bool) -> FieldValue? {
        guard let name = item.name else { return nil }
        let path = Array(name)
        if raw || path.first == UInt8(ascii: "/") { return .string(path) }
        if let e = enriched {
            // The enricher resolved the name against the CWD or the syscall's dirfd; a name relative to a dirfd it
            // does not know stays missing (execveat(fd, "true") is not `$CWD/true`).
            let resolved = e.paths.first { $0.item == item.item && $0.nameRaw.map { Array($0) } == path }
            return resolved?.name.map { .string(Array($0)) }
        }
        return PathName.join(decoded.cwd, path[...]).map { .string(Array($0)) }
    }

    var fdTypeChar: String? {
        if let s = sockaddr {
            switch s.family {
            case .inet: return "4"
            case .inet6: return "6"
            case .unix: return "u"
            default: return nil
            }
        }
        if let fd = enriched?.fd, fd.type != .unknown { return String(fd.typechar) }
        guard let item = pathItem, let mode = item.mode else { return nil }
        switch mode & 0o170000 {
        case 0o040000: return "d"
        case 0o010000: return "p"
        case 0o140000: return "u"
        default: return "f"
        }
    }

    static func ip(_ s: SocketAddress) -> IPAddress? {
        switch s.family {
        case .inet(let a, _), .inet6(let a, _, _, _): return IPAddress(bytes: a)
        default: return nil
        }
    }

    /// `pts3` → the device number Falco reports (new_encode_dev(136, 3)); `tty1` → (4, 1).
    static func ttyNumber(_ tty: Bytes) -> UInt32? {
        let s = String(decoding: tty, as: UTF8.self)
        func encode(_ major: UInt32, _ minor: UInt32) -> UInt32 { (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12) }
        if s.hasPrefix("pts"), let n = UInt32(s.dropFirst(3)) { return encode(136, n) }
        if s.hasPrefix("tty"), let n = UInt32(s.dropFirst(3)) { return encode(4, n) }
        if s.hasPrefix("ttyS"), let n = UInt32(s.dropFirst(4)) { return encode(4, 64 + n) }
        if s == "console" { return encode(5, 1) }
        return nil
    }

    func clock(withDate: Bool) -> String {
        let iso = Timestamp.rfc3339(seconds: decoded.key.stamp.seconds, nanos: Int(decoded.key.stamp.milliseconds) * 1_000_000)
        // 2026-11-25T13:34:45.841000000Z → "13:34:45.841000000" (UTC: a recorded log's zone is unknown)
        let t = iso.dropFirst(11).dropLast()
        return withDate ? String(iso.prefix(10)) + " " + t : String(t)
    }

    static func join(_ parts: ArraySlice<Bytes>) -> [UInt8] {
        var out: [UInt8] = []
        for (i, a) in parts.enumerated() {
            if i > 0 { out.append(32) }
            out += a
        }
        return out
    }

    static func directory(_ cwd: [UInt8]) -> [UInt8] {
        cwd.last == UInt8(ascii: "/") ? cwd : cwd + [UInt8(ascii: "/")]
    }
}
