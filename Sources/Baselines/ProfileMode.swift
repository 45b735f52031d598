/// What a profile does with an event.
public enum ProfileMode: String, Sendable, Codable, CaseIterable {
    /// New items are added to the profile; nothing alerts.
    case learning
    /// The profile is fixed; an item outside it is a deviation and alerts.
    case monitoring
    /// As monitoring, and each deviation also triggers the configured `ProtectAction`.
    case protect
}

/// The automated response to a deviation of a profile in `protect` mode.
public enum ProtectAction: Sendable, Equatable {
    /// Alert only (a profile in protect mode with no action configured behaves as monitoring).
    case none
    /// SIGKILL to the process that deviated.
    case kill
    /// Freeze the container's cgroup (cgroup v2 `cgroup.freeze`, else the v1 freezer): every process of the
    /// container stops where it is and can be inspected, then thawed or killed by the operator.
    case freeze
    /// Run a command (argv, no shell) with the deviation in its environment (`VIGIL_BASELINE_*`).
    case command([String])

    public var name: String {
        switch self {
        case .none: "none"
        case .kill: "kill"
        case .freeze: "freeze"
        case .command: "command"
        }
    }
}
