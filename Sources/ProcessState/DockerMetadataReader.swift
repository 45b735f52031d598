/// Reads docker's own container state: `<root>/containers/<id>/config.v2.json` (name, image, labels, mounts) and
/// `hostconfig.json` (privileged), as dockerd writes them under its data root (`/var/lib/docker` by default,
/// `data-root` in daemon.json).
public struct DockerMetadataReader: Sendable {
    public var root: String

    public init(root: String = "/var/lib/docker") { self.root = root }

    /// The fields of config.v2.json used (docker writes them capitalised).
    struct ConfigV2: Decodable {
        struct Config: Decodable {
            var image: String?
            var labels: [String: String]?
            enum CodingKeys: String, CodingKey {
                case image = "Image"
                case labels = "Labels"
            }
        }
        struct MountPoint: Decodable {
            var source: String?
            var destination: String?
            var rw: Bool?
            var mode: String?
            var propagation: String?
            enum CodingKeys: String, CodingKey {
                case source = "Source"
                case destination = "Destination"
                case rw = "RW"
                case mode = "Mode"
                case propagation = "Propagation"
            }
        }
        struct State: Decodable {
            var startedAt: String?
            enum CodingKeys: String, CodingKey { case startedAt = "StartedAt" }
        }
        var id: String?
        var name: String?
        var image: String?
        var config: Config?
        var mountPoints: [String: MountPoint]?
        var state: State?
        enum CodingKeys: String, CodingKey {
            case state = "State"
            case id = "ID"
            case name = "Name"
            case image = "Image"
            case config = "Config"
            case mountPoints = "MountPoints"
        }
    }

    struct HostConfig: Decodable {
        var privileged: Bool?
        enum CodingKeys: String, CodingKey { case privileged = "Privileged" }
    }

    public func read(fullID: String) -> ContainerMetadata? {
        let dir = "\(root)/containers/\(fullID)"
        guard let config = JSONFile.decode(ConfigV2.self, at: dir + "/config.v2.json") else { return nil }
        if let id = config.id, id != fullID { return nil }
        var m = ContainerMetadata(runtime: .docker)
        if let name = config.name { m.name = name.hasPrefix("/") ? String(name.dropFirst()) : name }
        m.image = config.config?.image
        m.imageID = config.image
        m.labels = config.config.map { $0.labels ?? [:] }
        m.privileged = JSONFile.decode(HostConfig.self, at: dir + "/hostconfig.json")?.privileged
        // "0001-01-01T00:00:00Z" before the first start: no time.
        m.startNanos = config.state?.startedAt.flatMap(RFC3339.nanoseconds)
        if let points = config.mountPoints {
            m.mounts = points.sorted { $0.key < $1.key }.map { key, p in
                ContainerMount(
                    source: p.source ?? "", destination: p.destination ?? key, mode: p.mode ?? "",
                    readWrite: p.rw ?? true, propagation: p.propagation ?? "")
            }
        }
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
