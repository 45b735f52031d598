/// One mount a runtime recorded for a container, as Falco's `container.mount*` fields show it.
public struct ContainerMount: Sendable, Equatable {
    /// Host path (bind mounts) or the volume's source.
    public var source: String
    /// Path inside the container.
    public var destination: String
    /// docker's mode string (`z`, `ro,Z`…); empty for OCI specs, which have no such field.
    public var mode: String
    public var readWrite: Bool
    /// `rprivate`, `rshared`, `rslave`, … (empty when the runtime recorded none).
    public var propagation: String

    public init(source: String, destination: String, mode: String = "", readWrite: Bool, propagation: String = "") {
        self.source = source
        self.destination = destination
        self.mode = mode
        self.readWrite = readWrite
        self.propagation = propagation
    }

    /// `source:dest:mode:rdwr:propagation`, libsinsp's `container_mount_info::to_string`.
    public var text: String { "\(source):\(destination):\(mode):\(readWrite ? "true" : "false"):\(propagation)" }

    static let propagations: Set<String> = ["private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"]

    /// The bind mounts of an OCI spec (`config.json` of containerd, CRI-O and podman bundles): what a user or the
    /// orchestrator asked to share with the host. The runtime's own mounts (proc, sysfs, devpts, tmpfs, mqueue,
    /// cgroup) are not "mounts of the container" in Falco's sense (CRI reports only the requested ones).
    static func fromOCI(_ mounts: [OCISpec.Mount]) -> [ContainerMount] {
        mounts.compactMap { m in
            let options = m.options ?? []
            guard m.type == "bind" || options.contains("bind") || options.contains("rbind"),
                let source = m.source, let destination = m.destination
            else { return nil }
            return ContainerMount(
                source: source, destination: destination, readWrite: !options.contains("ro"),
                propagation: options.last(where: { propagations.contains($0) }) ?? "")
        }
    }
}
