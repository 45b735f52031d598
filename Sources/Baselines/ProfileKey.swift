import ProcessState

/// Which profile an event belongs to: the workload's identity, not the container's, so that replicas of an image
/// on this node (and, through export/import, on other nodes) share one profile.
///
/// - `image`: `repository:tag`, or `repository@digest` when the runtime gave a digest (a digest names exactly the
///   bytes that run, a tag may move);
/// - `container`: `container:<64 hex>` while the image is unknown (no runtime metadata);
/// - `unit`: `unit:<name>.service` for a host process, by the systemd unit its cgroup names (only when host
///   profiling is on).
public struct ProfileKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case image, container, unit
    }

    public var kind: Kind
    public var name: String

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// The key as stored and typed on the command line: the image reference itself, `container:…` or `unit:…`.
    public var description: String {
        switch kind {
        case .image: name
        case .container: "container:" + name
        case .unit: "unit:" + name
        }
    }

    /// Reads a stored or typed key back.
    public init(parsing text: String) {
        if text.hasPrefix("container:") {
            self.init(kind: .container, name: String(text.dropFirst("container:".count)))
        } else if text.hasPrefix("unit:") {
            self.init(kind: .unit, name: String(text.dropFirst("unit:".count)))
        } else {
            self.init(kind: .image, name: Self.normalisedImage(text))
        }
    }

    /// `repository@digest` when there is a digest, else `repository:tag` (`latest` when the reference has none).
    /// Docker Hub's implicit prefix is dropped (`docker.io/library/nginx` is `nginx`), so that docker, which
    /// keeps the name as typed, and CRI runtimes, which qualify it, give one key for one image.
    public static func normalisedImage(_ reference: String) -> String {
        let r = ImageReference(reference)
        var repository = r.repository
        for prefix in ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"] where repository.hasPrefix(prefix) {
            repository = String(repository.dropFirst(prefix.count))
            break
        }
        if let d = r.digest { return repository + "@" + d }
        return repository + ":" + (r.tag ?? "latest")
    }

    /// The key of a container's events; nil for the host.
    public static func forContainer(_ c: ContainerView) -> ProfileKey? {
        if c.isHost { return nil }
        if let image = c.image, !image.isEmpty { return ProfileKey(kind: .image, name: normalisedImage(image)) }
        return ProfileKey(kind: .container, name: c.fullID)
    }

    public static func < (a: ProfileKey, b: ProfileKey) -> Bool { a.description < b.description }
}
