/// A profile as a value: what the store loads and saves, what `vigil baseline export` writes and `import` reads
/// (JSON), so that a profile learned on one node can be shipped to the others.
public struct ProfileDocument: Codable, Sendable, Equatable {
    /// Format version of the export.
    public var vigilBaseline = 1
    public var key: String
    public var mode: ProfileMode
    public var createdMillis: Int64
    public var lastGrowthMillis: Int64
    public var modeChangedMillis: Int64
    public var revision: Int64 = 0
    public var events: Int64 = 0
    /// Items per dimension name (`process`, `file`, `network`, `syscall`, `user`).
    public var items: [String: [String]]
    /// Items not learned because a cap was reached, per dimension name.
    public var dropped: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case vigilBaseline = "vigil_baseline", key, mode, createdMillis = "created_ms", lastGrowthMillis = "last_growth_ms"
        case modeChangedMillis = "mode_changed_ms", revision, events, items, dropped
    }

    public init(
        key: String, mode: ProfileMode, createdMillis: Int64, lastGrowthMillis: Int64, modeChangedMillis: Int64,
        revision: Int64 = 0, events: Int64 = 0, items: [String: [String]] = [:], dropped: [String: Int] = [:]
    ) {
        self.key = key
        self.mode = mode
        self.createdMillis = createdMillis
        self.lastGrowthMillis = lastGrowthMillis
        self.modeChangedMillis = modeChangedMillis
        self.revision = revision
        self.events = events
        self.items = items
        self.dropped = dropped
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vigilBaseline = try c.decode(Int.self, forKey: .vigilBaseline)
        guard vigilBaseline == 1 else {
            throw DecodingError.dataCorruptedError(forKey: .vigilBaseline, in: c, debugDescription: "unsupported baseline format \(vigilBaseline)")
        }
        key = try c.decode(String.self, forKey: .key)
        mode = try c.decode(ProfileMode.self, forKey: .mode)
        createdMillis = try c.decodeIfPresent(Int64.self, forKey: .createdMillis) ?? 0
        lastGrowthMillis = try c.decodeIfPresent(Int64.self, forKey: .lastGrowthMillis) ?? createdMillis
        modeChangedMillis = try c.decodeIfPresent(Int64.self, forKey: .modeChangedMillis) ?? createdMillis
        revision = try c.decodeIfPresent(Int64.self, forKey: .revision) ?? 0
        events = try c.decodeIfPresent(Int64.self, forKey: .events) ?? 0
        items = try c.decode([String: [String]].self, forKey: .items)
        dropped = try c.decodeIfPresent([String: Int].self, forKey: .dropped) ?? [:]
        for name in items.keys where Dimension(rawValue: name) == nil {
            throw DecodingError.dataCorruptedError(forKey: .items, in: c, debugDescription: "unknown dimension '\(name)'")
        }
    }

    public init(_ p: Profile) {
        var items: [String: [String]] = [:]
        var dropped: [String: Int] = [:]
        for d in Dimension.allCases {
            items[d.rawValue] = p.items[d.index]
            if p.dropped[d.index] > 0 { dropped[d.rawValue] = p.dropped[d.index] }
        }
        self.init(
            key: p.key.description, mode: p.mode, createdMillis: p.createdMillis, lastGrowthMillis: p.lastGrowthMillis,
            modeChangedMillis: p.modeChangedMillis, revision: p.revision, events: p.events, items: items, dropped: dropped)
    }

    public func items(_ d: Dimension) -> [String] { items[d.rawValue] ?? [] }
    public var itemCount: Int { items.values.reduce(0) { $0 + $1.count } }

    /// The in-memory profile (hash sets built).
    public func makeProfile() -> Profile {
        let p = Profile(key: ProfileKey(parsing: key), mode: mode, nowMillis: createdMillis, revision: revision)
        p.lastGrowthMillis = lastGrowthMillis
        p.modeChangedMillis = modeChangedMillis
        p.events = events
        for d in Dimension.allCases {
            for item in items(d) { p.insert(d, item) }
            p.dropped[d.index] = dropped[d.rawValue] ?? 0
        }
        return p
    }
}
