import AuditStream

/// The users and groups of one root filesystem: /etc/passwd and /etc/group as that root has them. Falco resolves
/// `user.name` in the process's *container* (libsinsp reads /proc/PID/root/etc/passwd), never the host's NSS.
public final class AccountDatabase: Sendable {
    public struct User: Sendable, Equatable {
        public var name: String
        public var home: String
        public var shell: String
    }

    let users: [Int64: User]
    let groups: [Int64: String]

    public init(passwd: [UInt8]?, group: [UInt8]?) {
        var users: [Int64: User] = [:]
        for line in (passwd ?? []).split(separator: 10) {
            let f = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard f.count >= 7, let uid = Self.id(f[2]), users[uid] == nil else { continue }
            users[uid] = User(name: Self.text(f[0]), home: Self.text(f[5]), shell: Self.text(f[6]))
        }
        var groups: [Int64: String] = [:]
        for line in (group ?? []).split(separator: 10) {
            let f = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard f.count >= 3, let gid = Self.id(f[2]), groups[gid] == nil else { continue }
            groups[gid] = Self.text(f[0])
        }
        self.users = users
        self.groups = groups
    }

    public func user(_ uid: Int64) -> User? { users[uid] }
    public func groupName(_ gid: Int64) -> String? { groups[gid] }

    static func id(_ b: ArraySlice<UInt8>) -> Int64? {
        guard b.first != UInt8(ascii: "-"), b.first != UInt8(ascii: "+") else { return nil }
        return Number.decimal(b)
    }

    static func text(_ b: ArraySlice<UInt8>) -> String {
        String(decoding: b.last == 13 ? b.dropLast() : b, as: UTF8.self)
    }
}

/// Account databases per root filesystem, cached by the root directory's identity (device, inode) so that all the
/// processes of one container share one parse; reloaded after `refreshMillis` to see users added later.
public final class AccountResolver {
    let refreshMillis: Int64
    let capacity: Int
    private var cache: [FileIdentity: (db: AccountDatabase, loadedMillis: Int64)] = [:]
    public private(set) var loads = 0

    public init(refreshMillis: Int64 = 30_000, capacity: Int = 1_024) {
        self.refreshMillis = refreshMillis
        self.capacity = capacity
    }

    /// The database of the filesystem rooted at `rootPath` (e.g. /proc/PID/root); nil when that root is gone.
    public func database(rootPath: String, now: Int64) -> AccountDatabase? {
        guard var key = SystemFile.identity(rootPath) else { return nil }
        key.modified = 0
        if let hit = cache[key], now - hit.loadedMillis < refreshMillis { return hit.db }
        loads += 1
        let passwd = SystemFile.readBelow(root: rootPath, components: ["etc", "passwd"])
        let group = SystemFile.readBelow(root: rootPath, components: ["etc", "group"])
        let db = AccountDatabase(passwd: passwd, group: group)
        if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
        cache[key] = (db, now)
        return db
    }
}
