import AuditStream
import ProcessState

/// Reads the items of every dimension out of one enriched syscall event. Only what the event proves is used: a
/// failed exec or open adds nothing but its syscall; an unknown parent leaves the parent out rather than guessing.
///
/// The syscall and user items of an event are looked up in small caches (by arch and number, by uid), so the
/// common event costs two integer-keyed lookups and no allocation before the profile's set lookups.
public struct BehaviourExtractor {
    private var syscalls: [UInt64: (Observation, Kind?)] = [:]
    private var users: [Int64: Observation] = [:]

    public init() {}

    enum Kind {
        case exec, open, openat, openat2, creat, modify, connect, send, bind, socket
    }

    static let kinds: [String: Kind] = {
        var k: [String: Kind] = [
            "execve": .exec, "execveat": .exec, "open": .open, "openat": .openat, "openat2": .openat2, "creat": .creat,
            "connect": .connect, "sendto": .send, "sendmsg": .send, "bind": .bind, "socket": .socket,
        ]
        for name in [
            "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "chmod", "fchmodat",
            "symlink", "symlinkat", "link", "linkat", "truncate", "mknod", "mknodat",
        ] { k[name] = .modify }
        return k
    }()

    /// Appends the event's observations to `out` (a buffer the caller reuses). `parentUnknownExec` receives the
    /// `x PATH` item of an exec whose parent is not known, which the engine checks instead of the process pair.
    public mutating func extract(_ e: EnrichedEvent, into out: inout [Observation]) {
        guard let sc = e.event.syscall, let name = sc.name else { return }
        let kind: Kind?
        let cacheKey = UInt64(sc.arch ?? 0) << 32 | UInt64(UInt32(truncatingIfNeeded: sc.number ?? -1))
        if sc.number != nil, let hit = syscalls[cacheKey] {
            out.append(hit.0)
            kind = hit.1
        } else {
            var text: [UInt8] = []
            text.reserveCapacity(32)
            Self.appendText(sc.archName ?? "arch?", to: &text)
            text.append(0x20)
            Self.appendText(name, to: &text)
            let o = Observation(.syscall, text)
            kind = Self.kinds[name]
            if sc.number != nil, syscalls.count < 4_096 { syscalls[cacheKey] = (o, kind) }
            out.append(o)
        }

        let p = e.event.process
        if let uid = p.uid { out.append(user(uid)) }
        if let euid = p.euid, euid != p.uid { out.append(user(euid)) }

        guard let kind else { return }
        let success = sc.success ?? ((sc.exit ?? -1) >= 0)
        switch kind {
        case .exec:
            guard success, let path = e.paths.first?.name ?? e.process.exePath else { return }
            let general = PathGeneraliser.generalise(path)
            var file: [UInt8] = Array("x ".utf8)
            Self.appendText(general, to: &file)
            out.append(Observation(.file, file))
            if let parent = e.ancestors.first?.exePath {
                var item: [UInt8] = []
                Self.appendText(general, to: &item)
                item.append(contentsOf: " <- ".utf8)
                Self.appendText(PathGeneraliser.generalise(parent), to: &item)
                out.append(Observation(.process, item))
            }
        case .open, .openat, .openat2, .creat:
            guard success, let path = Self.openedPath(e) else { return }
            let flags: UInt64?
            switch kind {
            case .open: flags = sc.args.count > 1 ? sc.args[1] : nil
            case .openat: flags = sc.args.count > 2 ? sc.args[2] : nil
            default: flags = nil
            }
            var writes = kind == .creat
            if let flags { writes = flags & 3 != 0 || flags & 0o1100 != 0 }  // O_WRONLY/O_RDWR, O_CREAT, O_TRUNC
            else if kind == .openat2 { writes = e.paths.contains { $0.nametype.map { Array($0) } == Array("CREATE".utf8) } }
            out.append(Self.file(writes ? "w " : "r ", path))
        case .modify:
            guard success else { return }
            for item in e.paths where !item.isParentDirectory {
                if let n = item.name { out.append(Self.file("w ", n)) }
            }
        case .connect, .send:
            guard let a = e.event.sockaddrs.first, let endpoint = Self.endpoint(a) else { return }
            // A refused or pending connect is still an attempt to reach that address.
            if !success, sc.errno != "ECONNREFUSED", sc.errno != "EINPROGRESS", sc.errno != "ETIMEDOUT" { return }
            out.append(Observation(.network, Array(("connect " + endpoint).utf8)))
        case .bind:
            guard success, let a = e.event.sockaddrs.first, let endpoint = Self.endpoint(a) else { return }
            out.append(Observation(.network, Array(("bind " + endpoint).utf8)))
        case .socket:
            guard success, let domain = sc.args.first else { return }
            out.append(Observation(.network, Array(("socket " + Self.familyName(domain)).utf8)))
        }
    }

    private mutating func user(_ uid: Int64) -> Observation {
        if let o = users[uid] { return o }
        let o = Observation(.user, Array("uid \(uid)".utf8))
        if users.count < 4_096 { users[uid] = o }
        return o
    }

    static func file(_ mode: String, _ path: Bytes) -> Observation {
        var item: [UInt8] = []
        item.reserveCapacity(path.count + 4)
        item.append(contentsOf: mode.utf8)
        PathGeneraliser.generalise(path, into: &item)
        // Printable as it is in nearly every case; else escaped (see appendText).
        if !item.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != 0x5c }) {
            let general = item.dropFirst(mode.utf8.count)
            var escaped = Array(mode.utf8)
            escaped.append(contentsOf: Printable.escape(general).utf8)
            item = escaped
        }
        return Observation(.file, item)
    }

    /// The file an open made: the fd's path when the enricher knows it, else the last PATH item that is not the
    /// parent directory.
    static func openedPath(_ e: EnrichedEvent) -> Bytes? {
        if let fd = e.fd, fd.type == .file || fd.type == .directory, let n = fd.name { return n }
        return e.paths.last { !$0.isParentDirectory }?.name
    }

    /// `inet 10.0.0.5:443`, `inet6 [::1]:80`, `unix /run/x.sock` (generalised), `unix @abstract`; nil for an
    /// address that names no endpoint (AF_UNSPEC disconnect, port 0, netlink).
    static func endpoint(_ a: SocketAddress) -> String? {
        switch a.family {
        case .inet(let addr, let port):
            guard port != 0 else { return nil }
            return "inet \(addr.map(String.init).joined(separator: ".")):\(port)"
        case .inet6(let addr, let port, _, _):
            guard port != 0 else { return nil }
            return "inet6 [\(SocketAddress.ipv6Text(addr))]:\(port)"
        case .unix(let path, let abstract):
            guard !path.isEmpty else { return nil }
            var t: [UInt8] = []
            appendText(abstract ? path : PathGeneraliser.generalise(path), to: &t)
            return "unix " + (abstract ? "@" : "") + String(decoding: t, as: UTF8.self)
        default:
            return nil
        }
    }

    static func familyName(_ domain: UInt64) -> String {
        switch domain {
        case 1: "unix"
        case 2: "inet"
        case 10: "inet6"
        case 16: "netlink"
        case 17: "packet"
        case 38: "alg"
        case 40: "vsock"
        case 44: "xdp"
        default: "family-\(domain)"
        }
    }

    /// Appends bytes as printable text: plain ASCII is copied, anything else goes through `Printable.escape`
    /// (control characters, backslash, invalid UTF-8 become `\xNN`), so an item never carries a line break or a
    /// terminal escape into `vigil baseline show`, an alert or the database.
    static func appendText<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != 0x5c }) {
            out.append(contentsOf: bytes)
        } else {
            out.append(contentsOf: Printable.escape(bytes).utf8)
        }
    }

    static func appendText(_ s: String, to out: inout [UInt8]) { appendText(s.utf8, to: &out) }
}
