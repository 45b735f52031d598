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
/// A miss (state not written yet, or unreadable) is not final: a runtime may write its state while the
/// container's first processes already run (the lab does so after its init is up), and a container's first seconds
/// are when an attack through its entrypoint shows. For `startupMillis` after a container's first miss, any event
/// retries, at most every `quickRetryMillis`; later, after 250 ms of stream time, then twice as long each time up to
/// `retryMillis` — a container whose state is never readable (another runtime, a root not configured) costs a few
/// failed opens, not one per event. A program starting in the container (an exec) still retries at most every
/// `quickRetryMillis`: rules about a container's programs (`container.privileged and proc.name=…`) look at exactly
/// those events. A hit is kept (the fields used do not change during a container's life). The cache is bounded.
public final class ContainerResolver {
    public let roots: ContainerRuntimeRoots
    let retryMillis: Int64
    let quickRetryMillis: Int64
    let startupMillis: Int64
    let capacity: Int
    private var cache: [String: Entry] = [:]
    private var order: [String] = []
    private var orderHead = 0
    public private(set) var lookups = 0
    public private(set) var hits = 0

    struct Entry {
        var metadata: ContainerMetadata?
        var fetchedMillis: Int64
        /// Misses in a row past the start-up window: the next retry waits 250 ms << misses, at most `retryMillis`.
        var misses = 0
        /// When the container's state was first looked for and missing.
        var firstMissMillis: Int64
    }

    public init(
        roots: ContainerRuntimeRoots, retryMillis: Int64 = 5_000, quickRetryMillis: Int64 = 10,
        startupMillis: Int64 = 2_000, capacity: Int = 4_096
    ) {
        self.roots = roots
        self.retryMillis = retryMillis
        self.quickRetryMillis = quickRetryMillis
        self.startupMillis = startupMillis
        self.capacity = capacity
    }

    /// - Parameter exec: the event starts a program; a cached miss is retried sooner (see the type's comment).
    public func metadata(for identity: ContainerIdentity, now: Int64, exec: Bool = false) -> ContainerMetadata? {
        guard !identity.isHost else { return nil }
        let previous = cache[identity.fullID]
        if let e = previous, e.metadata != nil || !(backOffIsDue(e, now: now) || quickRetryIsDue(e, now: now, exec: exec)) {
            hits += 1
            return e.metadata
        }
        lookups += 1
        let m = read(identity)
        // Quick retries (start-up, execs) do not lengthen the back-off; the first miss and those the back-off made do.
        let lengthens = previous.map { backOffIsDue($0, now: now) } ?? true
        let misses = m == nil ? (previous?.misses ?? 0) + (lengthens ? 1 : 0) : 0
        let entry = Entry(
            metadata: m, fetchedMillis: now, misses: misses, firstMissMillis: previous?.firstMissMillis ?? now)
        if cache.updateValue(entry, forKey: identity.fullID) == nil {
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

    private func backOffIsDue(_ e: Entry, now: Int64) -> Bool {
        now - e.fetchedMillis >= min(retryMillis, 250 << min(max(e.misses - 1, 0), 16))
    }

    private func quickRetryIsDue(_ e: Entry, now: Int64, exec: Bool) -> Bool {
        (exec || now - e.firstMissMillis < startupMillis) && now - e.fetchedMillis >= quickRetryMillis
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
