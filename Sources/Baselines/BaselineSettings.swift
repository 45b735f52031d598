/// The engine's knobs (`baselines:` in vigil.yaml). Times are in milliseconds of wall-clock time.
public struct BaselineSettings: Sendable, Equatable {
    /// A profile learns at least this long…
    public var learningMillis: Int64 = 86_400_000
    /// …and until it has not grown for this long; then it switches to monitoring by itself.
    public var quietMillis: Int64 = 3_600_000
    /// Items per dimension of one profile; beyond it new items are counted as dropped, not learned.
    public var maxItemsPerDimension = 4_096
    /// Items of one profile over all dimensions.
    public var maxItemsPerProfile = 16_384
    /// Profiles held; events of further workloads are counted and not profiled.
    public var maxProfiles = 1_024
    /// A deviation repeated within this window is counted, not alerted again; the next alert after the window
    /// carries the count.
    public var repeatWindowMillis: Int64 = 300_000
    /// Reads of files outside the profile alert too (writes, processes, connections, syscalls, users always do).
    public var alertFileReads = false
    /// Host processes are profiled per systemd unit (`unit:<name>.service`); off: only containers are profiled.
    public var hostUnits = false
    /// What `protect` mode does; per profile key, else `defaultProtect`.
    public var defaultProtect: ProtectAction = .none
    public var protect: [String: ProtectAction] = [:]
    /// Profiles that go to `protect` (not `monitoring`) when their learning ends.
    public var protectAfterLearning: Set<String> = []

    /// Processes whose events are not the workload's: the container runtime's own init inside the container
    /// (runc names its stages `runc:[0:PARENT]`, `runc:[1:CHILD]`, `runc:[2:INIT]` until it execs the workload).
    /// Whether their set-up calls are attributed to the container depends on when the daemon first reads their
    /// cgroup, so they never alert; while learning only their syscalls are kept, for seccomp export. Matched as
    /// comm prefixes.
    public var runtimeProcessPrefixes: [[UInt8]] = [Array("runc:[".utf8)]

    public init() {}

    public func protectAction(for key: ProfileKey) -> ProtectAction {
        protect[key.description] ?? defaultProtect
    }
}
