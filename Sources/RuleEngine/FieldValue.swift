import Foundation

/// One extracted field value, as the engine compares it.
///
/// Strings travel as UTF-8 bytes and are compared bytewise (as libsinsp compares `char*`), so the audit side can
/// hand over the bytes it decoded without building a `String`; the engine's constants are encoded the same way
/// when a rule is compiled.
public enum FieldValue: Hashable, Sendable {
    /// CHARBUF / FSPATH values: UTF-8 (or raw) bytes, no terminator.
    case string([UInt8])
    /// INT*, PID, FD, RELTIME-like signed values (`user.loginuid` is -1 when unset).
    case signed(Int64)
    /// UINT*, PORT, ABSTIME, RELTIME.
    case unsigned(UInt64)
    case bool(Bool)
    /// IPADDR values (and the address of IPNET fields: the engine does the CIDR test).
    case ip(IPAddress)
    /// BYTEBUF values.
    case bytes([UInt8])
    /// LIST(CHARBUF) values, and ancestor fields without index (`proc.aname`: parent first, then upwards).
    case list([[UInt8]])

    public static func string(_ text: String) -> FieldValue { .string(Array(text.utf8)) }
}

/// An IPv4 or IPv6 address in network byte order.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public var isV4: Bool
    /// 4 or 16 bytes.
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.isV4 = bytes.count == 4
        self.bytes = bytes
    }

    /// Parses dotted IPv4 or textual IPv6.
    public init?(_ text: String) {
        if let v4 = Self.parseV4(text) {
            self.init(bytes: v4)
        } else if let v6 = Self.parseV6(text) {
            self.init(bytes: v6)
        } else {
            return nil
        }
    }

    public var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        // Longest run of zero groups (length >= 2) collapses to "::" (RFC 5952).
        var bestStart = -1
        var bestLength = 0
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLength && j - i >= 2 { (bestStart, bestLength) = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    static func parseV4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let v = UInt8(part) else { return nil }
            out.append(v)
        }
        return out
    }

    static func parseV6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt8]? {
            if s.isEmpty { return [] }
            var out: [UInt8] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, part) in parts.enumerated() {
                if i == parts.count - 1, part.contains("."), let v4 = parseV4(String(part)) {
                    out += v4
                    continue
                }
                guard !part.isEmpty, part.count <= 4, let v = UInt16(part, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// A CIDR network (`10.0.0.0/8`), or a single address written without a prefix length.
public struct IPNetwork: Hashable, Sendable {
    public var address: IPAddress
    public var prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maxLength = address.isV4 ? 32 : 128
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maxLength).contains(length) else { return nil }
            self.prefixLength = length
        } else {
            self.prefixLength = maxLength
        }
        self.address = address
    }

    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.isV4 == address.isV4 else { return false }
        var remaining = prefixLength
        var i = 0
        while remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if ip.bytes[i] & mask != address.bytes[i] & mask { return false }
            remaining -= 8
            i += 1
        }
        return true
    }
}
