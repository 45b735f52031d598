/// What a container runtime's own state on disk says about a container. Every field is optional: a runtime that
/// does not record something leaves it missing.
public struct ContainerMetadata: Sendable, Equatable {
    /// The runtime whose state answered (it can refine `.cri`/`.unknown` of the cgroup path).
    public var runtime: ContainerIdentity.Runtime
    public var name: String?
    /// The image as the container was created from it (`nginx:1.25`, `docker.io/library/nginx:1.25`).
    public var image: String?
    /// The image id (`sha256:…`) when recorded.
    public var imageID: String?
    public var privileged: Bool?
    public var labels: [String: String]?
    /// Bind mounts and volumes, in the runtime's order (docker: by destination, its state file keeps a map).
    public var mounts: [ContainerMount]?
    public var podName: String?
    public var podNamespace: String?
    public var podUID: String?
    public var sandboxID: String?
    /// When the container started, nanoseconds since the epoch (`container.start_ts`): docker's `State.StartedAt`,
    /// CRI-O's `Created` annotation, else the mtime of the pid file the runtime writes as the container's init starts.
    public var startNanos: Int64?

    public init(runtime: ContainerIdentity.Runtime) { self.runtime = runtime }
}
