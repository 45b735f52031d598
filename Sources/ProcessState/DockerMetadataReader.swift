/// Reads docker's own container state: `<root>/containers/<id>/config.v2.json` (name, image, labels) and
/// `hostconfig.json` (privileged), as dockerd writes them under its data root (`/var/lib/docker` by default,
/// `data-root` in daemon.json).
public struct DockerMetadataReader: Sendable {
    public var root: String

    public init(root: String = "/var/lib/docker") { self.root = root }

    struct ConfigV2: Decodable {
        struct Config: Decodable {
            var Image: String?
            var Labels: [String: String]?
            var Hostname: String?
        }
        var ID: String?
        var Name: String?
        var Image: String?
        var Config: Config?
    }

    struct HostConfig: Decodable {
        var Privileged: Bool?
    }

    public func read(fullID: String) -> ContainerMetadata? {
        let dir = "\(root)/containers/\(fullID)"
        guard let config = JSONFile.decode(ConfigV2.self, at: dir + "/config.v2.json") else { return nil }
        if let id = config.ID, id != fullID { return nil }
        var m = ContainerMetadata(runtime: .docker)
        if let name = config.Name { m.name = name.hasPrefix("/") ? String(name.dropFirst()) : name }
        m.image = config.Config?.Image
        m.imageID = config.Image
        m.labels = config.Config?.Labels ?? [:]
        m.privileged = JSONFile.decode(HostConfig.self, at: dir + "/hostconfig.json")?.Privileged
        // dockershim / cri-dockerd put the pod into the container's labels.
        if let l = m.labels {
            m.podName = l["io.kubernetes.pod.name"]
            m.podNamespace = l["io.kubernetes.pod.namespace"]
            m.podUID = l["io.kubernetes.pod.uid"]
            m.sandboxID = l["io.kubernetes.sandbox.id"]
        }
        return m
    }
}
