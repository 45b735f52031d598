/// Where the container runtimes keep their state on this machine. Each root is configurable (a daemon with
/// `data-root=/srv/docker`, or a test pointing at a lab's copies); nil turns a reader off.
public struct ContainerRuntimeRoots: Sendable {
    public var docker: String?
    public var containerd: String?
    public var crio: [String]
    public var podman: String?

    public init(
        docker: String? = "/var/lib/docker", containerd: String? = "/run/containerd",
        crio: [String] = ["/run/containers/storage", "/var/lib/containers/storage"],
        podman: String? = "/var/lib/containers/storage"
    ) {
        self.docker = docker
        self.containerd = containerd
        self.crio = crio
        self.podman = podman
    }

    /// No runtime state at all (containers keep their cgroup identity, names and images stay missing).
    public static let none = ContainerRuntimeRoots(docker: nil, containerd: nil, crio: [], podman: nil)
}

/// Container metadata from the runtimes' on-disk state, cached per container.
///
/// A miss (state not written yet, or unreadable) is retried after `retryMillis` of stream time rather than on every
/// event; a hit is kept (the fields used do not change during a container's life). The cache is bounded.
public final class ContainerResolver {
    public let roots: ContainerRuntimeRoots
    let retryMillis: Int64
    let capacity: Int
    private var cache: [String: Entry] = [:]
    private var order: [String] = []
    private var orderHead = 0
    public private(set) var lookups = 0
    public private(set) var hits = 0

    struct Entry {
        var metadata: ContainerMetadata?
        var fetchedMillis: Int64
    }

    public init(roots: ContainerRuntimeRoots, retryMillis: Int64 = 5_000, capacity: Int = 4_096) {
        self.roots = roots
        self.retryMillis = retryMillis
        self.capacity = capacity
    }

    public func metadata(for identity: ContainerIdentity, now: Int64) -> ContainerMetadata? {
        guard !identity.isHost else { return nil }
        if let e = cache[identity.fullID], e.metadata != nil || now - e.fetchedMillis < retryMillis {
            hits += 1
            return e.metadata
        }
        lookups += 1
        let m = read(identity)
        if cache.updateValue(Entry(metadata: m, fetchedMillis: now), forKey: identity.fullID) == nil {
            order.append(identity.fullID)
            while cache.count > capacity, orderHead < order.count {
                cache.removeValue(forKey: order[orderHead])
                orderHead += 1
            }
            if orderHead > 1024, orderHead * 2 > order.count {
                order.removeFirst(orderHead)
                orderHead = 0
            }
        }
        return m
    }

    /// Asks the reader of the runtime the cgroup path names; for ambiguous paths, every reader in turn.
    func read(_ identity: ContainerIdentity) -> ContainerMetadata? {
        let id = identity.fullID
        let docker = { self.roots.docker.flatMap { DockerMetadataReader(root: $0).read(fullID: id) } }
        let containerd = { self.roots.containerd.flatMap { ContainerdMetadataReader(stateRoot: $0).read(fullID: id) } }
        let crio = { self.roots.crio.isEmpty ? nil : CRIOMetadataReader(roots: self.roots.crio).read(fullID: id) }
        let podman = { self.roots.podman.flatMap { PodmanMetadataReader(root: $0).read(fullID: id) } }
        switch identity.runtime {
        case .host: return nil
        case .docker: return docker()
        case .containerd: return containerd()
        case .crio: return crio()
        case .podman: return podman()
        case .cri: return containerd() ?? crio()
        case .unknown: return docker() ?? containerd() ?? crio() ?? podman()
        }
    }
}
