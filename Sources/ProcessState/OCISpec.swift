/// The parts of an OCI runtime spec (`config.json` of a bundle) that containerd, CRI-O and podman leave metadata in.
struct OCISpec: Decodable {
    struct Process: Decodable {
        struct Capabilities: Decodable { var bounding: [String]? }
        var capabilities: Capabilities?
    }
    struct Linux: Decodable {
        var maskedPaths: [String]?
        var readonlyPaths: [String]?
    }
    struct Mount: Decodable {
        var destination: String?
        var type: String?
        var source: String?
        var options: [String]?
    }
    var annotations: [String: String]?
    var process: Process?
    var linux: Linux?
    var mounts: [Mount]?

    /// A privileged container as CRI runtimes and podman write its spec: no masked or read-only /proc paths and
    /// CAP_SYS_ADMIN in the bounding set. (An unprivileged container always has masked paths, whatever its caps.)
    var isPrivileged: Bool? {
        guard process != nil || linux != nil else { return nil }
        let masked = linux?.maskedPaths ?? []
        let readonly = linux?.readonlyPaths ?? []
        let caps = process?.capabilities?.bounding ?? []
        return masked.isEmpty && readonly.isEmpty && caps.contains("CAP_SYS_ADMIN")
    }

    static func read(_ path: String) -> OCISpec? { JSONFile.decode(OCISpec.self, at: path) }
}
