/// A decoded `saddr=` of a SOCKADDR record (the raw `struct sockaddr` the process passed, hex-encoded).
public struct SocketAddress: Sendable, Equatable {
    public enum Family: Sendable, Equatable {
        case unix(path: [UInt8], abstract: Bool)
        case inet(address: [UInt8], port: UInt16)
        case inet6(address: [UInt8], port: UInt16, flowInfo: UInt32, scopeID: UInt32)
        case netlink(pid: UInt32, groups: UInt32)
        /// Any other family (AF_PACKET, AF_UNSPEC…): its number and the raw bytes.
        case other(family: UInt16, raw: [UInt8])
    }

    public var family: Family

    /// Decodes the raw sockaddr bytes. Truncated addresses decode as `.other` rather than failing: the kernel
    /// records what the process passed, which an attacker controls. `sa_family` and the netlink/unix-scope
    /// integers are in the process's byte order: `bigEndian` for a big-endian audit arch (ppc64, s390x: the arch
    /// value lacks `__AUDIT_ARCH_LE`); ports and addresses are in network order whatever the arch.
    public init(bytes b: [UInt8], bigEndian: Bool = false) {
        guard b.count >= 2 else {
            family = .other(family: 0, raw: b)
            return
        }
        func u32(_ i: Int) -> UInt32 {
            bigEndian
                ? UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
                : UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
        }
        let fam = bigEndian ? UInt16(b[0]) << 8 | UInt16(b[1]) : UInt16(b[0]) | UInt16(b[1]) << 8
        switch fam {
        case 1:
            let body = b.dropFirst(2)
            if body.first == 0 {
                // Abstract socket: the name is every byte after the leading NUL, up to the first NUL (the kernel
                // records the whole buffer, often with uninitialised bytes after the name).
                let name = body.dropFirst()
                let end = name.firstIndex(of: 0) ?? name.endIndex
                family = .unix(path: Array(name[..<end]), abstract: true)
            } else {
                let end = body.firstIndex(of: 0) ?? body.endIndex
                family = .unix(path: Array(body[..<end]), abstract: false)
            }
        case 2 where b.count >= 8:
            family = .inet(address: Array(b[4..<8]), port: UInt16(b[2]) << 8 | UInt16(b[3]))
        case 10 where b.count >= 24:
            let flow = UInt32(b[4]) << 24 | UInt32(b[5]) << 16 | UInt32(b[6]) << 8 | UInt32(b[7])
            var scope: UInt32 = 0
            if b.count >= 28 { scope = u32(24) }
            family = .inet6(address: Array(b[8..<24]), port: UInt16(b[2]) << 8 | UInt16(b[3]), flowInfo: flow, scopeID: scope)
        case 16 where b.count >= 12:
            family = .netlink(pid: u32(4), groups: u32(8))
        default:
            family = .other(family: fam, raw: b)
        }
    }

    /// `unix`, `inet`, `inet6`, `netlink`, or the family number.
    public var familyName: String {
        switch family {
        case .unix: return "unix"
        case .inet: return "inet"
        case .inet6: return "inet6"
        case .netlink: return "netlink"
        case .other(let f, _): return f == 0 ? "unspec" : "family(\(f))"
        }
    }

    /// The address in its usual text form (`10.0.0.1`, `::1`, `/run/x.sock`, `@abstract`); nil for netlink/other.
    public var addressText: String? {
        switch family {
        case .inet(let a, _): return a.map(String.init).joined(separator: ".")
        case .inet6(let a, _, _, _): return Self.ipv6Text(a)
        case .unix(let p, let abstract): return (abstract ? "@" : "") + String(decoding: p, as: UTF8.self)
        default: return nil
        }
    }

    public var port: UInt16? {
        switch family {
        case .inet(_, let p), .inet6(_, let p, _, _): return p
        default: return nil
        }
    }

    /// RFC 5952 text: lowercase, longest run of zero groups compressed, IPv4-mapped shown dotted.
    public static func ipv6Text(_ a: [UInt8]) -> String {
        guard a.count == 16 else { return "" }
        if a[0..<10].allSatisfy({ $0 == 0 }), a[10] == 0xff, a[11] == 0xff {
            return "::ffff:" + a[12..<16].map(String.init).joined(separator: ".")
        }
        var groups = [UInt16]()
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(a[i]) << 8 | UInt16(a[i + 1])) }
        var bestStart = -1, bestLen = 0, curStart = -1, curLen = 0
        for (i, g) in groups.enumerated() {
            if g == 0 {
                if curStart < 0 { curStart = i; curLen = 0 }
                curLen += 1
                if curLen > bestLen { bestStart = curStart; bestLen = curLen }
            } else {
                curStart = -1
            }
        }
        if bestLen < 2 { bestStart = -1 }
        var parts: [String] = []
        var i = 0
        var out = ""
        while i < 8 {
            if i == bestStart {
                out += (parts.isEmpty ? "" : parts.joined(separator: ":")) + "::"
                parts = []
                i += bestLen
                var tail: [String] = []
                while i < 8 { tail.append(String(groups[i], radix: 16)); i += 1 }
                return out + tail.joined(separator: ":")
            }
            parts.append(String(groups[i], radix: 16))
            i += 1
        }
        return parts.joined(separator: ":")
    }
}
