/// Reads CRI-O's per-container spec: `<root>/overlay-containers/<id>/userdata/config.json` under
/// `/run/containers/storage` (or the persistent `/var/lib/containers/storage`), whose annotations carry the image,
/// the Kubernetes container and pod names and the labels (`io.kubernetes.cri-o.Labels`, a JSON object in a string).
public struct CRIOMetadataReader: Sendable {
    public var roots: [String]

    public init(roots: [String] = ["/run/containers/storage", "/var/lib/containers/storage"]) { self.roots = roots }

    public func read(fullID: String) -> ContainerMetadata? {
        for root in roots {
            guard let spec = OCISpec.read("\(root)/overlay-containers/\(fullID)/userdata/config.json") else { continue }
            let a = spec.annotations ?? [:]
            // podman writes the same layout; its specs carry no CRI-O annotations.
            guard a["io.kubernetes.cri-o.ContainerID"] != nil || a["io.kubernetes.cri-o.ImageName"] != nil else {
                continue
            }
            var m = ContainerMetadata(runtime: .crio)
            m.name = a["io.kubernetes.container.name"] ?? a["io.kubernetes.cri-o.ContainerName"]
            m.image = a["io.kubernetes.cri-o.ImageName"]
            m.imageID = a["io.kubernetes.cri-o.ImageRef"]
            m.podName = a["io.kubernetes.pod.name"]
            m.podNamespace = a["io.kubernetes.pod.namespace"]
            m.podUID = a["io.kubernetes.pod.uid"]
            m.sandboxID = a["io.kubernetes.cri-o.SandboxID"]
            if let labels = a["io.kubernetes.cri-o.Labels"] {
                m.labels = JSONFile.decode([String: String].self, from: labels)
            }
            m.privileged = spec.isPrivileged
            m.mounts = spec.mounts.map(ContainerMount.fromOCI)
            m.startNanos =
                a["io.kubernetes.cri-o.Created"].flatMap(RFC3339.nanoseconds)
                ?? SystemFile.modificationNanos("\(root)/overlay-containers/\(fullID)/userdata/pidfile")
            return m
        }
        return nil
    }
}
