/// Which container a process runs in, as its cgroup path tells: the runtime, the full id, and the pod uid of a
/// kubepods slice. `host` for a process whose cgroups name no container.
public struct ContainerIdentity: Hashable, Sendable {
    public enum Runtime: String, Sendable {
        case docker
        case containerd
        case crio = "cri-o"
        case podman
        /// A kubepods cgroupfs path (`kubepods/<qos>/pod<uid>/<id>`): some CRI runtime, which one the path does not
        /// say; the metadata readers find out.
        case cri
        /// A 64-hex cgroup component under no known runtime's naming.
        case unknown
        case host
    }

    public var runtime: Runtime
    /// 64 hex characters, or "host".
    public var fullID: String
    /// Kubernetes pod uid (dashes, not the systemd slice's underscores).
    public var podUID: String?

    public init(runtime: Runtime, fullID: String, podUID: String? = nil) {
        self.runtime = runtime
        self.fullID = fullID
        self.podUID = podUID
    }

    public static let host = ContainerIdentity(runtime: .host, fullID: "host")

    public var isHost: Bool { runtime == .host }

    /// `container.id`: the first 12 characters (Falco's short id), "host" for the host.
    public var shortID: String { isHost ? "host" : String(fullID.prefix(12)) }
}
