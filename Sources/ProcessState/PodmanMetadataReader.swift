/// Reads podman's container storage (`/var/lib/containers/storage` for rootful podman):
/// `overlay-containers/containers.json` (every container: `names`, `image` id, `metadata` — a JSON string with
/// `image-name`) and `overlay-containers/<id>/userdata/config.json` (the OCI spec, for privileged). A per-container
/// `overlay-containers/<id>/container.json` holding one entry of containers.json (the container lab's layout) is read
/// too. Labels live in libpod's database, which is not read.
public struct PodmanMetadataReader: Sendable {
    public var root: String

    public init(root: String = "/var/lib/containers/storage") { self.root = root }

    struct Entry: Decodable {
        var id: String
        var names: [String]?
        var image: String?
        var metadata: String?
    }

    struct EntryMetadata: Decodable {
        var imageName: String?
        var name: String?
        enum CodingKeys: String, CodingKey {
            case imageName = "image-name"
            case name
        }
    }

    public func read(fullID: String) -> ContainerMetadata? {
        let dir = "\(root)/overlay-containers"
        let spec = OCISpec.read("\(dir)/\(fullID)/userdata/config.json")
        let entry =
            JSONFile.decode(Entry.self, at: "\(dir)/\(fullID)/container.json")
            ?? JSONFile.decode([Entry].self, at: "\(dir)/containers.json")?.first { $0.id == fullID }
        guard entry != nil || spec?.annotations?["io.container.manager"] == "libpod" else { return nil }
        var m = ContainerMetadata(runtime: .podman)
        if let entry {
            let meta = entry.metadata.flatMap { JSONFile.decode(EntryMetadata.self, from: $0) }
            m.name = entry.names?.first ?? meta?.name
            m.image = meta?.imageName
            m.imageID = entry.image.map { $0.hasPrefix("sha256:") ? $0 : "sha256:" + $0 }
        }
        m.privileged = spec?.isPrivileged
        m.mounts = spec?.mounts.map(ContainerMount.fromOCI)
        m.startNanos = SystemFile.modificationNanos("\(dir)/\(fullID)/userdata/pidfile")
        return m
    }
}
