/// Reads containerd's task bundles: `<stateRoot>/io.containerd.runtime.v2.task/<namespace>/<id>/config.json`
/// (`/run/containerd` by default). The CRI plugin records the Kubernetes names in the spec's annotations
/// (`io.kubernetes.cri.container-name`, `-image-name`, `-sandbox-name`, …); labels live in containerd's bolt
/// database, which is not read, so they stay missing.
public struct ContainerdMetadataReader: Sendable {
    public var stateRoot: String

    public init(stateRoot: String = "/run/containerd") { self.stateRoot = stateRoot }

    public func read(fullID: String) -> ContainerMetadata? {
        let tasks = stateRoot + "/io.containerd.runtime.v2.task"
        for namespace in SystemFile.list(tasks) {
            guard let spec = OCISpec.read("\(tasks)/\(namespace)/\(fullID)/config.json") else { continue }
            let a = spec.annotations ?? [:]
            var m = ContainerMetadata(runtime: .containerd)
            m.name = a["io.kubernetes.cri.container-name"] ?? a["nerdctl/name"]
            m.image = a["io.kubernetes.cri.image-name"]
            m.podName = a["io.kubernetes.cri.sandbox-name"]
            m.podNamespace = a["io.kubernetes.cri.sandbox-namespace"]
            m.podUID = a["io.kubernetes.cri.sandbox-uid"]
            m.sandboxID = a["io.kubernetes.cri.sandbox-id"]
            m.privileged = spec.isPrivileged
            m.mounts = spec.mounts.map(ContainerMount.fromOCI)
            m.startNanos = SystemFile.modificationNanos("\(tasks)/\(namespace)/\(fullID)/init.pid")
            return m
        }
        return nil
    }
}
