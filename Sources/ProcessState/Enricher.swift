import AuditStream

/// The enrich stage: `AuditEvent` + `DecodedEvent` in, `EnrichedEvent` out, keeping the shadow process table, the
/// per-process fd tables and the container/account caches current as it goes.
///
/// Two modes, chosen once:
/// - `.live`: the table is seeded from /proc, processes first seen are read from /proc, containers come from
///   /proc/PID/cgroup and the runtimes' state on disk, user names from the container's own /etc/passwd.
/// - `.replay`: a recorded log. The enricher then holds no `ProcFS`, `ContainerResolver` or `AccountResolver` at
///   all: nothing of the replaying machine is read. Processes, ancestry and fds come only from the log; container,
///   capabilities and names from passwd are missing.
///
/// Not thread-safe: one enricher per stream, driven from one task (like `AuditStreamPipeline`).
public final class Enricher {
    public enum Mode: Sendable {
        case live(LiveSources)
        case replay
    }

    /// What a live enricher reads.
    public struct LiveSources: Sendable {
        public var proc: ProcFS
        public var runtimes: ContainerRuntimeRoots
        /// Seed the table with every process of /proc at start.
        public var seed: Bool

        public init(proc: ProcFS = ProcFS(), runtimes: ContainerRuntimeRoots = .init(), seed: Bool = true) {
            self.proc = proc
            self.runtimes = runtimes
            self.seed = seed
        }
    }

    public struct Configuration: Sendable {
        /// Most processes in the table; the least recently seen is evicted beyond it.
        public var capacity = 32_768
        /// Ancestors kept and reported (Falco's stock rules look up to `proc.aname[7]`).
        public var maxAncestors = 16
        /// How long (stream time) an exited process stays for late events.
        public var exitGraceMillis: Int64 = 5_000
        /// Pending fork results not yet seen as a process (thread clones never are).
        public var hintCapacity = 16_384
        /// Live: how often the table is checked against /proc for processes that died unseen (killed, unaudited).
        public var sweepIntervalMillis: Int64 = 30_000
        /// Live: a record not verified for this long is checked against /proc starttime (pid reuse).
        public var verifyAfterMillis: Int64 = 2_000

        public init() {}
    }

    public let configuration: Configuration
    let table: ProcessTable
    let proc: ProcFS?
    let containers: ContainerResolver?
    let accounts: AccountResolver?
    let mounts: MountTable?
    var rootDevices = ContainerRootDevices(hostRoots: [])
    private var clock: Int64 = 0
    private var kinds = SyscallNumberCache<(SyscallKind, dirfdInA0: Bool)>()
    private var lastSweep: Int64 = 0
    var stats = EnricherStatistics()

    public init(mode: Mode, configuration: Configuration = .init()) {
        self.configuration = configuration
        table = ProcessTable(
            capacity: configuration.capacity, maxAncestors: configuration.maxAncestors,
            exitGraceMillis: configuration.exitGraceMillis, hintCapacity: configuration.hintCapacity)
        switch mode {
        case .live(let sources):
            proc = sources.proc
            containers = ContainerResolver(roots: sources.runtimes)
            accounts = AccountResolver()
            mounts = MountTable()
            rootDevices = ContainerRootDevices(
                hostRoots: ["/", sources.proc.rootPath(1)].compactMap(ContainerRootDevices.device(of:)))
            if sources.seed { seedFromProc() }
        case .replay:
            proc = nil
            containers = nil
            accounts = nil
            mounts = nil
        }
    }

    /// A live enricher on this machine's /proc and runtimes.
    public static func live(runtimes: ContainerRuntimeRoots = .init(), configuration: Configuration = .init())
        -> Enricher
    {
        Enricher(mode: .live(LiveSources(runtimes: runtimes)), configuration: configuration)
    }

    /// An enricher for a recorded log: reads nothing of this machine.
    public static func replay(configuration: Configuration = .init()) -> Enricher {
        Enricher(mode: .replay, configuration: configuration)
    }

    public var isLive: Bool { proc != nil }

    public var statistics: EnricherStatistics {
        var s = stats
        s.processes = table.count
        s.retainedRecords = table.retainedRecords
        s.evictions = table.evictions
        s.expired = table.expired
        s.chainCuts = table.chainCuts
        s.pendingForks = table.hintCount
        s.forkHintsDropped = table.hintsDropped
        s.containerLookups = containers?.lookups ?? 0
        s.accountDatabaseLoads = accounts?.loads ?? 0
        return s
    }

    /// Decodes and enriches.
    public func enrich(_ event: AuditEvent) -> EnrichedEvent { enrich(event, EventDecoder.decode(event)) }

    public func enrich(_ event: AuditEvent, _ d: DecodedEvent) -> EnrichedEvent {
        stats.events += 1
        let now = event.stamp.timeMillis
        if now > clock { clock = now }
        table.expire(now: clock)
        if proc != nil, clock - lastSweep >= configuration.sweepIntervalMillis {
            if lastSweep != 0 { sweep() }
            lastSweep = clock
        }

        let (call, dirfdInA0) = syscallKind(d.syscall)
        let succeeded = d.syscall?.success ?? (d.syscall?.exit.map { $0 >= 0 } ?? false)
        if succeeded, call == .mountChange {
            // A runtime builds a container's root (mounts, pivot_root) in a namespace whose table may already be
            // cached from its first process: what was cached before is stale.
            mounts?.invalidate()
        }
        var record: ProcessRecord? = nil
        if let pid = d.process.pid {
            let r = process(pid: pid, event: d, now: now)
            if call == .exec && succeeded { applyExec(r, d, now: now) } else { observe(r, d, now: now) }
            // Seeded records are read cheaply; the rest of what /proc tells is read when the process is first used.
            if proc != nil, !r.detailsLoaded, r.exitedMillis == nil { loadLiveDetails(r, now: now) }
            record = r
        }

        let paths = resolvePaths(d, record: record, dirfdInA0: dirfdInA0)
        let fd = fileDescriptor(call: call, succeeded: succeeded, d: d, record: record, paths: paths)
        let out = view(event: event, d: d, record: record, now: now, paths: paths, fd: fd, exec: call == .exec)

        // State changes the syscall made, after the view (dup/close show the fd as it was).
        if let r = record {
            applyAfter(call: call, succeeded: succeeded, d: d, record: r, paths: paths, now: now)
        }
        return out
    }

    /// The syscall's kind and whether a0 is a dirfd, remembered by arch and number: the name switch compares
    /// strings one case after another, the dirfd set hashes the name, once per event each.
    private func syscallKind(_ s: DecodedEvent.Syscall?) -> (SyscallKind, dirfdInA0: Bool) {
        let compute = { (SyscallKind(s?.name), dirfdInA0: s?.name.map { Self.dirfdInA0.contains($0) } ?? false) }
        guard let s, let arch = s.arch, let number = s.number else { return compute() }
        return kinds.value(arch: arch, number: number, compute)
    }

    /// Live: drops records whose process is gone from /proc (died without an audited exit_group) or whose pid now
    /// belongs to another process. Called every `sweepIntervalMillis` of stream time; callable by the daemon.
    public func sweep() {
        guard let proc else { return }
        stats.sweeps += 1
        for r in table.records() where r.exitedMillis == nil && clock - r.lastSeenMillis >= 1_000 {
            let st = proc.stat(r.pid)
            if st == nil || (r.startTicks != nil && st?.startTicks != r.startTicks) {
                table.remove(r)
                stats.vanished += 1
            }
        }
    }
}

/// Counters of the enricher (for `vigil stats` and the benchmark).
public struct EnricherStatistics: Sendable {
    public var events = 0
    /// Processes in the table now.
    public var processes = 0
    /// Process records alive in memory (in the table or kept as ancestors): the memory bound.
    public var retainedRecords = 0
    /// Records evicted because the table was at capacity.
    public var evictions = 0
    /// Exited processes removed after their grace period.
    public var expired = 0
    /// Records removed by a live sweep (process gone, or pid reused).
    public var vanished = 0
    /// A pid found to belong to another process than the table's record.
    public var pidReuses = 0
    /// Ancestry chains cut back to `maxAncestors`.
    public var chainCuts = 0
    public var pendingForks = 0
    public var forkHintsDropped = 0
    public var seeded = 0
    public var readFromProc = 0
    public var sweeps = 0
    public var containerLookups = 0
    public var accountDatabaseLoads = 0
    /// Processes gone before their cgroup was read, placed in a container by their executable's device.
    public var attributedByDevice = 0
}

/// The syscalls the enricher treats specially.
enum SyscallKind: Equatable {
    case exec, fork, exitGroup
    case open, openAt, socket, connect, bind, listen, accept, sendRecv, dup, fcntl, close
    case newFD(FileDescriptorType)
    case chdir, fchdir, credentials
    case usesFD
    /// Changes a mount namespace's table (MountTable's cache of it is stale afterwards).
    case mountChange
    case other

    init(_ name: String?) {
        guard let name else {
            self = .other
            return
        }
        switch name {
        case "execve", "execveat": self = .exec
        case "clone", "clone3", "fork", "vfork": self = .fork
        case "exit_group": self = .exitGroup
        case "open", "creat": self = .open
        case "openat", "openat2": self = .openAt
        case "socket": self = .socket
        case "connect": self = .connect
        case "bind": self = .bind
        case "listen": self = .listen
        case "accept", "accept4": self = .accept
        case "sendto", "sendmsg", "recvfrom", "recvmsg", "sendmmsg", "recvmmsg": self = .sendRecv
        case "dup", "dup2", "dup3": self = .dup
        case "fcntl", "fcntl64": self = .fcntl
        case "close": self = .close
        case "eventfd", "eventfd2": self = .newFD(.event)
        case "signalfd", "signalfd4": self = .newFD(.signalfd)
        case "epoll_create", "epoll_create1": self = .newFD(.eventpoll)
        case "inotify_init", "inotify_init1": self = .newFD(.inotify)
        case "chdir": self = .chdir
        case "fchdir": self = .fchdir
        case "capset", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
            "prctl":
            self = .credentials
        case "read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2",
            "fchmod", "fchown", "fstat", "newfstat", "fstatfs", "ftruncate", "fsync", "fdatasync", "ioctl",
            "getdents", "getdents64", "flock", "fadvise64", "fallocate", "lseek", "shutdown", "getsockopt",
            "setsockopt", "getsockname", "getpeername", "sendfile", "splice", "tee", "finit_module", "syncfs",
            "fgetxattr", "fsetxattr", "flistxattr", "fremovexattr":
            self = .usesFD
        case "mount", "umount", "umount2", "pivot_root", "unshare", "setns", "move_mount", "fsmount", "mount_setattr":
            self = .mountChange
        default: self = .other
        }
    }
}
