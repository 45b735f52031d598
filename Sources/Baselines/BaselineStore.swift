import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// Profiles in SQLite (GRDB, WAL), shared by the daemon and the `vigil baseline` commands.
///
/// The daemon writes in batches from its writer thread (`BaselineWriter`); an operator's command changes a profile
/// and bumps its `revision`, which the daemon notices within a flush interval and reloads. The daemon's batched
/// writes carry the revision they were made at and are dropped if the profile has moved on, so a reset is never
/// undone by learning that was still in flight.
public final class BaselineStore: @unchecked Sendable {
    public let path: String
    let pool: DatabasePool

    public struct StoreError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// Opens (creating the file, its directory and the schema when missing).
    public init(path: String) throws {
        self.path = path
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            Self.makeDirectories(String(path[..<slash]))
        }
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.label = "vigil.baselines"
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(message: "\(path): \(error)")
        }
    }

    /// SQLite's own verdict on the file (`PRAGMA integrity_check`, or the faster `quick_check`): `["ok"]` when
    /// sound, else the problems it found. A node's learned profiles are months of observation; a monitor killed
    /// mid-write (SIGKILL, power loss) must be able to prove they survived.
    public func integrityCheck(quick: Bool = false) throws -> [String] {
        do {
            return try pool.read { db in
                try String.fetchAll(db, sql: quick ? "PRAGMA quick_check" : "PRAGMA integrity_check")
            }
        } catch {
            throw StoreError(message: "\(path): \(error)")
        }
    }

    static func makeDirectories(_ dir: String) {
        var partial = dir.hasPrefix("/") ? "" : "."
        for component in dir.split(separator: "/") {
            partial += "/" + component
            mkdir(partial, 0o750)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE profile (
                    key TEXT PRIMARY KEY NOT NULL,
                    mode TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    last_growth_ms INTEGER NOT NULL,
                    mode_changed_ms INTEGER NOT NULL,
                    revision INTEGER NOT NULL DEFAULT 0,
                    events INTEGER NOT NULL DEFAULT 0,
                    dropped TEXT NOT NULL DEFAULT ''
                );
                CREATE TABLE item (
                    profile TEXT NOT NULL REFERENCES profile(key) ON DELETE CASCADE,
                    dimension TEXT NOT NULL,
                    value TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    first_seen_ms INTEGER NOT NULL,
                    PRIMARY KEY (profile, dimension, value)
                ) WITHOUT ROWID;
                CREATE TABLE deviation (
                    profile TEXT NOT NULL REFERENCES profile(key) ON DELETE CASCADE,
                    dimension TEXT NOT NULL,
                    value TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    first_ms INTEGER NOT NULL,
                    last_ms INTEGER NOT NULL,
                    PRIMARY KEY (profile, dimension, value)
                ) WITHOUT ROWID;
                """)
        }
        return m
    }

    // MARK: reading

    public func keys() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT key FROM profile ORDER BY key") }
    }

    public func revisions() throws -> [String: Int64] {
        try pool.read { db in
            var r: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, revision FROM profile") { r[row["key"]] = row["revision"] }
            return r
        }
    }

    public func load(_ key: String) throws -> ProfileDocument? {
        try pool.read { db in try Self.load(db, key) }
    }

    public func loadAll() throws -> [ProfileDocument] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT key FROM profile ORDER BY key").compactMap { try Self.load(db, $0) }
        }
    }

    static func load(_ db: Database, _ key: String) throws -> ProfileDocument? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM profile WHERE key = ?", arguments: [key]) else { return nil }
        guard let mode = ProfileMode(rawValue: row["mode"]) else {
            throw StoreError(message: "profile \(key): unknown mode '\(row["mode"] as String)'")
        }
        var doc = ProfileDocument(
            key: key, mode: mode, createdMillis: row["created_ms"], lastGrowthMillis: row["last_growth_ms"],
            modeChangedMillis: row["mode_changed_ms"], revision: row["revision"], events: row["events"])
        doc.dropped = decodeDropped(row["dropped"])
        for d in Dimension.allCases { doc.items[d.rawValue] = [] }
        let items = try Row.fetchCursor(
            db, sql: "SELECT dimension, value FROM item WHERE profile = ? ORDER BY seq", arguments: [key])
        while let item = try items.next() {
            let dim: String = item["dimension"]
            guard Dimension(rawValue: dim) != nil else { continue }
            doc.items[dim, default: []].append(item["value"])
        }
        return doc
    }

    public struct DeviationRecord: Sendable, Equatable {
        public var dimension: Dimension
        public var item: String
        public var count: Int64
        public var firstMillis: Int64
        public var lastMillis: Int64
    }

    /// Deviations seen and not accepted, most recent first.
    public func deviations(_ key: String) throws -> [DeviationRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deviation WHERE profile = ? ORDER BY last_ms DESC", arguments: [key])
                .compactMap { row in
                    guard let d = Dimension(rawValue: row["dimension"]) else { return nil }
                    return DeviationRecord(dimension: d, item: row["value"], count: row["count"], firstMillis: row["first_ms"], lastMillis: row["last_ms"])
                }
        }
    }

    static func encodeDropped(_ dropped: [Int]) -> String {
        zip(Dimension.allCases, dropped).filter { $0.1 > 0 }.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: ",")
    }

    static func decodeDropped(_ text: String) -> [String: Int] {
        var r: [String: Int] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=")
            if kv.count == 2, let n = Int(kv[1]) { r[String(kv[0])] = n }
        }
        return r
    }

    // MARK: the daemon's batched writes

    /// One batch of the daemon's learning, written in one transaction.
    public struct Batch: Sendable {
        public struct ProfileState: Sendable {
            public var key: String
            public var mode: ProfileMode
            public var createdMillis: Int64
            public var lastGrowthMillis: Int64
            public var modeChangedMillis: Int64
            public var revision: Int64
            public var events: Int64
            public var dropped: [Int]
        }
        public struct Item: Sendable {
            public var key: String
            public var revision: Int64
            public var dimension: Dimension
            public var value: String
            public var seq: Int
            public var timeMillis: Int64
        }
        public struct DeviationSeen: Sendable {
            public var key: String
            public var revision: Int64
            public var dimension: Dimension
            public var value: String
            public var count: Int64
            public var timeMillis: Int64
        }
        /// A profile merged into another (a container's, once its image is known).
        public struct Removal: Sendable {
            public var key: String
            public var revision: Int64
        }
        public var removed: [Removal] = []
        public var profiles: [ProfileState] = []
        public var items: [Item] = []
        public var deviations: [DeviationSeen] = []
        public var isEmpty: Bool { removed.isEmpty && profiles.isEmpty && items.isEmpty && deviations.isEmpty }
        public init() {}

        /// Later states of a profile replace earlier ones; items and deviations accumulate.
        mutating func merge(_ other: Batch) {
            removed += other.removed
            profiles += other.profiles
            items += other.items
            deviations += other.deviations
        }
    }

    public func write(_ batch: Batch) throws {
        try pool.write { db in
            for r in batch.removed {
                try db.execute(sql: "DELETE FROM profile WHERE key = ? AND revision = ?", arguments: [r.key, r.revision])
            }
            var latest: [String: Int] = [:]
            for (i, p) in batch.profiles.enumerated() { latest[p.key] = i }
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO profile (key, mode, created_ms, last_growth_ms, mode_changed_ms, revision, events, dropped)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET mode = excluded.mode, last_growth_ms = excluded.last_growth_ms,
                    mode_changed_ms = excluded.mode_changed_ms, events = excluded.events, dropped = excluded.dropped
                WHERE profile.revision = excluded.revision
                """)
            for (i, p) in batch.profiles.enumerated() where latest[p.key] == i {
                try upsert.execute(arguments: [
                    p.key, p.mode.rawValue, p.createdMillis, p.lastGrowthMillis, p.modeChangedMillis, p.revision, p.events,
                    Self.encodeDropped(p.dropped),
                ])
            }
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO item (profile, dimension, value, seq, first_seen_ms)
                SELECT ?, ?, ?, ?, ? WHERE (SELECT revision FROM profile WHERE key = ?) = ?
                """)
            for it in batch.items {
                try insert.execute(arguments: [it.key, it.dimension.rawValue, it.value, it.seq, it.timeMillis, it.key, it.revision])
            }
            let seen = try db.cachedStatement(sql: """
                INSERT INTO deviation (profile, dimension, value, count, first_ms, last_ms)
                SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT revision FROM profile WHERE key = ?) = ?
                ON CONFLICT(profile, dimension, value) DO UPDATE SET count = count + excluded.count, last_ms = excluded.last_ms
                """)
            for d in batch.deviations {
                try seen.execute(arguments: [d.key, d.dimension.rawValue, d.value, d.count, d.timeMillis, d.timeMillis, d.key, d.revision])
            }
        }
    }

    // MARK: operator commands (each bumps the profile's revision, so a running daemon reloads it)

    /// Adds items to a profile (and forgets them as deviations). Returns how many were new.
    @discardableResult
    public func accept(_ key: String, _ dimension: Dimension, _ values: [String], nowMillis: Int64) throws -> Int {
        try pool.write { db in
            try Self.requireProfile(db, key)
            var added = 0
            var seq = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM item WHERE profile = ?", arguments: [key]) ?? 0
            for v in values {
                seq += 1
                try db.execute(
                    sql: "INSERT OR IGNORE INTO item (profile, dimension, value, seq, first_seen_ms) VALUES (?, ?, ?, ?, ?)",
                    arguments: [key, dimension.rawValue, v, seq, nowMillis])
                added += db.changesCount
                try db.execute(sql: "DELETE FROM deviation WHERE profile = ? AND dimension = ? AND value = ?", arguments: [key, dimension.rawValue, v])
            }
            try Self.bump(db, key)
            return added
        }
    }

    /// Accepts every recorded deviation of the profile. Returns how many items were added.
    @discardableResult
    public func acceptAllDeviations(_ key: String, nowMillis: Int64) throws -> Int {
        let pending = try deviations(key)
        var added = 0
        for d in Dimension.allCases {
            let values = pending.filter { $0.dimension == d }.map(\.item)
            if !values.isEmpty { added += try accept(key, d, values, nowMillis: nowMillis) }
        }
        return added
    }

    /// Forgets everything learned; the profile learns again from now.
    public func reset(_ key: String, nowMillis: Int64) throws {
        try pool.write { db in
            try Self.requireProfile(db, key)
            try db.execute(sql: "DELETE FROM item WHERE profile = ?", arguments: [key])
            try db.execute(sql: "DELETE FROM deviation WHERE profile = ?", arguments: [key])
            try db.execute(sql: """
                UPDATE profile SET mode = 'learning', created_ms = ?, last_growth_ms = ?, mode_changed_ms = ?, events = 0,
                    dropped = '' WHERE key = ?
                """, arguments: [nowMillis, nowMillis, nowMillis, key])
            try Self.bump(db, key)
        }
    }

    /// Sets the mode; back to learning restarts the learning period from now.
    public func setMode(_ key: String, _ mode: ProfileMode, nowMillis: Int64) throws {
        try pool.write { db in
            try Self.requireProfile(db, key)
            if mode == .learning {
                try db.execute(sql: "UPDATE profile SET created_ms = ?, last_growth_ms = ? WHERE key = ?", arguments: [nowMillis, nowMillis, key])
            }
            try db.execute(sql: "UPDATE profile SET mode = ?, mode_changed_ms = ? WHERE key = ?", arguments: [mode.rawValue, nowMillis, key])
            try Self.bump(db, key)
        }
    }

    /// Replaces (or creates) a profile with an exported one.
    public func importProfile(_ doc: ProfileDocument) throws {
        try pool.write { db in
            let old = try Int64.fetchOne(db, sql: "SELECT revision FROM profile WHERE key = ?", arguments: [doc.key])
            try db.execute(sql: "DELETE FROM profile WHERE key = ?", arguments: [doc.key])
            var dropped = Array(repeating: 0, count: Dimension.allCases.count)
            for d in Dimension.allCases { dropped[d.index] = doc.dropped[d.rawValue] ?? 0 }
            try db.execute(sql: """
                INSERT INTO profile (key, mode, created_ms, last_growth_ms, mode_changed_ms, revision, events, dropped)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    doc.key, doc.mode.rawValue, doc.createdMillis, doc.lastGrowthMillis, doc.modeChangedMillis,
                    (old ?? 0) + 1, doc.events, Self.encodeDropped(dropped),
                ])
            var seq = 0
            for d in Dimension.allCases {
                for v in doc.items(d) {
                    seq += 1
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO item (profile, dimension, value, seq, first_seen_ms) VALUES (?, ?, ?, ?, ?)",
                        arguments: [doc.key, d.rawValue, v, seq, doc.createdMillis])
                }
            }
        }
    }

    static func requireProfile(_ db: Database, _ key: String) throws {
        guard try Int.fetchOne(db, sql: "SELECT 1 FROM profile WHERE key = ?", arguments: [key]) != nil else {
            throw StoreError(message: "no profile '\(key)'")
        }
    }

    static func bump(_ db: Database, _ key: String) throws {
        try db.execute(sql: "UPDATE profile SET revision = revision + 1 WHERE key = ?", arguments: [key])
    }
}
