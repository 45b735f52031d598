import AuditStream

/// An audit event with the context rules and baselines read: the process and its ancestors, the user and group
/// names of its container, the fd the syscall works on, and the container. An immutable snapshot: it holds no
/// reference into the enricher's tables. Anything the enricher does not know is nil (a missing field), never a
/// guess.
///
/// A class, not a struct: the snapshot is 1.6 KB, and as a value it was copied whole five times on its way from
/// the enricher to the rules (the largest part of a replay's `memmove`); a reference is handed on instead.
public final class EnrichedEvent: Sendable {
    public let event: DecodedEvent
    /// Stream time of the event (epoch milliseconds of its audit stamp).
    public let timeMillis: Int64
    public let process: ProcessView
    /// Ancestors nearest first: `ancestors[0]` is the parent (`proc.aname[1]`), `ancestors[1]` the grandparent…
    /// A process whose parent exited keeps the ancestry it had. At most `Enricher.Configuration.maxAncestors`.
    public let ancestors: [ProcessSummary]
    public let user: UserView
    public let group: GroupView
    /// The fd the syscall operates on (`fd.*`); nil for syscalls without one or when nothing is known of it.
    public let fd: FileDescriptorView?
    /// Every PATH item made absolute (`fs.path.*`, `evt.arg.*` names), in item order.
    public let paths: [ResolvedPath]
    /// nil when unknown (replay, or /proc gone with no parent to inherit from); `.host` identity for host processes.
    public let container: ContainerView?

    public init(
        event: DecodedEvent, timeMillis: Int64, process: ProcessView, ancestors: [ProcessSummary], user: UserView,
        group: GroupView, fd: FileDescriptorView?, paths: [ResolvedPath], container: ContainerView?
    ) {
        self.event = event
        self.timeMillis = timeMillis
        self.process = process
        self.ancestors = ancestors
        self.user = user
        self.group = group
        self.fd = fd
        self.paths = paths
        self.container = container
    }

    /// The same event placed in another container (tools and tests that attribute events themselves).
    public func attributed(to container: ContainerView?) -> EnrichedEvent {
        EnrichedEvent(
            event: event, timeMillis: timeMillis, process: process, ancestors: ancestors, user: user, group: group,
            fd: fd, paths: paths, container: container)
    }

    /// Falco's ancestor index: 0 = the process itself, 1 = parent, 2 = grandparent (`proc.aname[N]`, `apid[N]`…).
    public func ancestor(_ level: Int) -> ProcessSummary? {
        if level == 0 { return process.summary }
        return level - 1 < ancestors.count ? ancestors[level - 1] : nil
    }
}

/// The fields of one process that ancestor fields expose (`proc.aname/aexe/aexepath/acmdline/apid`).
public struct ProcessSummary: Sendable {
    public var pid: Int64?
    /// `proc.name`: the kernel's comm (≤ 15 bytes).
    public var name: Bytes?
    /// argv of its last exec (nil when unknown).
    public var argv: [Bytes]?
    /// `proc.exepath`: the executable's resolved path.
    public var exePath: Bytes?
    /// `proc.vpid` of the ancestor (`proc.pvpid` of its child), when /proc was read while it lived.
    public var vpid: Int64? = nil

    /// `proc.exe`: argv[0].
    public var exe: Bytes? { argv?.first }
    /// `proc.args`: argv[1…] joined by spaces.
    public var args: Bytes? {
        guard let argv else { return nil }
        return Bytes(Array(argv.dropFirst().joined(separator: [UInt8(ascii: " ")])))
    }
    /// `proc.cmdline`: name and args (`comm arg1 arg2`), as Falco builds it.
    public var cmdline: Bytes? {
        guard let name else { return nil }
        guard let args, !args.isEmpty else { return name }
        return Bytes(Array(name) + [UInt8(ascii: " ")] + Array(args))
    }
}

public struct ProcessView: Sendable {
    public var pid: Int64?
    /// The parent pid as the event reports it (after a parent's exit, the reaper's pid; `ancestors` keeps the
    /// original parent).
    public var ppid: Int64?
    public var name: Bytes?
    public var argv: [Bytes]?
    public var exePath: Bytes?
    public var cwd: Bytes?
    /// The terminal's name as audit gives it (`pts0`), and Falco's device number for it (0 = none).
    public var ttyName: Bytes?
    public var tty: UInt32?
    /// Process start (clone time when the fork was seen; /proc starttime live; else the first exec seen), epoch ms.
    public var startMillis: Int64?
    /// `proc.vpid`: the pid the process has in its own pid namespace (1 for a container's init); read from /proc
    /// `NSpid` while it lives, missing otherwise.
    public var vpid: Int64?
    /// `proc.duration` in nanoseconds (millisecond precision).
    public var durationNanos: Int64?
    /// audit session id (`ses`), not the POSIX session.
    public var auditSession: Int64?
    public var uid: Int64?
    public var gid: Int64?
    public var euid: Int64?
    public var egid: Int64?
    public var suid: Int64?
    public var sgid: Int64?
    public var fsuid: Int64?
    public var fsgid: Int64?
    /// `thread.cap_effective` / `cap_permitted` bit masks (live only: /proc/PID/status when exec'd or first seen).
    public var capEffective: UInt64?
    public var capPermitted: UInt64?
    public var isExeFromMemfd: Bool?
    public var isExeUpperLayer: Bool?

    public var summary: ProcessSummary { ProcessSummary(pid: pid, name: name, argv: argv, exePath: exePath) }
    public var exe: Bytes? { summary.exe }
    public var args: Bytes? { summary.args }
    public var cmdline: Bytes? { summary.cmdline }
    public var capEffectiveText: String? { capEffective.map(Capabilities.render) }
    public var capPermittedText: String? { capPermitted.map(Capabilities.render) }
}

public struct UserView: Sendable {
    /// `user.uid`: the effective uid, as libsinsp stores it.
    public var uid: Int64?
    public var name: String?
    public var homedir: String?
    public var shell: String?
    /// `user.loginuid`: auid, −1 when unset.
    public var loginUID: Int64?
    public var loginName: String?
}

public struct GroupView: Sendable {
    /// `group.gid`: the effective gid.
    public var gid: Int64?
    public var name: String?
}

public struct ContainerView: Sendable {
    public var identity: ContainerIdentity
    public var metadata: ContainerMetadata?

    /// Public for callers that attribute events themselves (the baselines benchmark replays a log, which has no
    /// containers).
    public init(identity: ContainerIdentity, metadata: ContainerMetadata?) {
        self.identity = identity
        self.metadata = metadata
    }

    /// `container.id`: 12 hex, or "host".
    public var id: String { identity.shortID }
    public var fullID: String { identity.fullID }
    /// `container.type`: the runtime the metadata came from, else the one the cgroup path names.
    public var type: String { (metadata?.runtime ?? identity.runtime).rawValue }
    public var isHost: Bool { identity.isHost }
    /// "host" for the host, as Falco shows it.
    public var name: String? { identity.isHost ? "host" : metadata?.name }
    public var image: String? { metadata?.image }
    public var imageRepository: String? { image.map { ImageReference($0).repository } }
    public var imageTag: String? { image.flatMap { ImageReference($0).tag } }
    public var imageDigest: String? { image.flatMap { ImageReference($0).digest } }
    public var imageID: String? { metadata?.imageID }
    public var privileged: Bool? { identity.isHost ? nil : metadata?.privileged }
    public var labels: [String: String]? { metadata?.labels }
    public var mounts: [ContainerMount]? { identity.isHost ? nil : metadata?.mounts }
    public var podName: String? { metadata?.podName }
    public var podNamespace: String? { metadata?.podNamespace }
    public var podUID: String? { metadata?.podUID ?? identity.podUID }
    public var sandboxID: String? { metadata?.sandboxID }
    public var startNanos: Int64? { metadata?.startNanos }
}

/// One PATH item of the event, with its name made absolute.
public struct ResolvedPath: Sendable {
    public var item: Int?
    /// Absolute, normalized; nil when the name was relative to something unknown.
    public var name: Bytes?
    /// As the syscall passed it.
    public var nameRaw: Bytes?
    public var nametype: Bytes?
    public var inode: Int64?
    public var dev: UInt32?
    public var mode: UInt64?

    /// The directory a name was looked up in (nametype PARENT), not the object the call was about.
    public var isParentDirectory: Bool { nametype?.elementsEqual("PARENT".utf8) ?? false }
}
