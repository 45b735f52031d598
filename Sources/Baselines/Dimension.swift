/// What a baseline learns about a workload, one set of items per dimension. Each dimension has its own size cap,
/// so a workload that touches a million files cannot push its processes or connections out of the profile.
public enum Dimension: String, CaseIterable, Sendable, Codable {
    /// Executables run, with the executable of the parent: `/usr/bin/wget <- /usr/bin/busybox`.
    case process
    /// Files accessed, generalised, with the access: `r /etc/passwd`, `w /var/www/*.html`, `x /usr/bin/wget`.
    case file
    /// Outbound connections, bound (listening) addresses and socket families: `connect inet 10.0.0.5:443`,
    /// `bind inet 0.0.0.0:8080`, `socket inet6`.
    case network
    /// Syscalls by arch and name: `x86_64 openat`.
    case syscall
    /// User ids the workload runs as (real and effective): `uid 33`.
    case user

    /// Position in per-dimension arrays.
    public var index: Int {
        switch self {
        case .process: 0
        case .file: 1
        case .network: 2
        case .syscall: 3
        case .user: 4
        }
    }

    /// The alert rule a deviation of an item of this dimension raises; the item's leading word refines it.
    public static func ruleName(dimension: Dimension, item: String) -> String {
        switch dimension {
        case .process: return "Unexpected process in container"
        case .file:
            if item.hasPrefix("w ") { return "Unexpected file write" }
            if item.hasPrefix("x ") { return "Unexpected file execution" }
            return "Unexpected file read"
        case .network:
            if item.hasPrefix("bind ") { return "Unexpected listening port" }
            if item.hasPrefix("socket ") { return "Unexpected socket family" }
            return "Unexpected outbound connection"
        case .syscall: return "Unexpected syscall"
        case .user: return "Unexpected user id"
        }
    }
}
