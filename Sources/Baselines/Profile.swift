/// What one workload has been seen to do, in memory: the items of each dimension (their text, for the operator
/// and the database) and their hashes (for the hot path's one set lookup per dimension).
public final class Profile {
    public let key: ProfileKey
    public internal(set) var mode: ProfileMode
    public internal(set) var createdMillis: Int64
    public internal(set) var lastGrowthMillis: Int64
    public internal(set) var modeChangedMillis: Int64
    /// Bumped by every change made outside the daemon (`vigil baseline reset/mode/accept/import`): the daemon's
    /// batched writes carry the revision they were made at, and the store drops those of an older one.
    public internal(set) var revision: Int64
    public internal(set) var events: Int64 = 0
    /// Items per dimension, in learning order.
    public internal(set) var items: [[String]]
    /// Items not learned because a cap was reached, per dimension.
    public internal(set) var dropped: [Int]
    var hashes: [Set<UInt64>]

    public init(key: ProfileKey, mode: ProfileMode = .learning, nowMillis: Int64, revision: Int64 = 0) {
        self.key = key
        self.mode = mode
        createdMillis = nowMillis
        lastGrowthMillis = nowMillis
        modeChangedMillis = nowMillis
        self.revision = revision
        items = Array(repeating: [], count: Dimension.allCases.count)
        dropped = Array(repeating: 0, count: Dimension.allCases.count)
        hashes = Array(repeating: [], count: Dimension.allCases.count)
    }

    public var itemCount: Int { items.reduce(0) { $0 + $1.count } }

    public func contains(_ dimension: Dimension, _ item: String) -> Bool {
        hashes[dimension.index].contains(ItemHash.hash(dimension, item))
    }

    func contains(_ o: Observation) -> Bool { hashes[o.dimension.index].contains(o.hash) }

    /// Adds an item unconditionally (loading, accepting); returns false when it was known.
    @discardableResult
    func insert(_ dimension: Dimension, _ item: String) -> Bool {
        guard hashes[dimension.index].insert(ItemHash.hash(dimension, item)).inserted else { return false }
        items[dimension.index].append(item)
        return true
    }

    /// Up to `limit` learned items of the dimension nearest to `item`: longest common prefix first (for paths,
    /// the nearest directory), same leading word (`w`, `connect`) preferred. Linear, so only for deviations.
    public func nearest(_ dimension: Dimension, to item: String, limit: Int = 3) -> [String] {
        let target = Array(item.utf8)
        let word = target.firstIndex(of: 0x20).map { Array(target[...$0]) } ?? []
        var scored: [(Int, String)] = []
        for candidate in items[dimension.index] {
            let c = Array(candidate.utf8)
            var n = 0
            while n < c.count && n < target.count && c[n] == target[n] { n += 1 }
            let sameWord = !word.isEmpty && c.starts(with: word)
            scored.append((n + (sameWord ? 10_000 : 0), candidate))
        }
        scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map(\.1)
    }
}
