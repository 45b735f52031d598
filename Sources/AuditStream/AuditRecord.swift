/// Attacker-controlled text as bytes: usually a slice of a record's line, shared, not copied.
public typealias Bytes = ArraySlice<UInt8>

/// One audit record: the bytes of its line and where each field lies in them.
///
/// A record keeps its line as it arrived and only spans into it; values are decoded (unquoted, unhexed) when a
/// consumer asks, so that parsing a record costs one copy of the line and one array of spans, and no `String` per
/// field.
public struct AuditRecord: Sendable {
    public let type: RecordType
    public let stamp: EventStamp
    /// Interned node name (see `NodeTable`); 0 when the line has no `node=` prefix.
    public let node: UInt32
    /// The record's bytes: the whole line for text sources, the body for netlink.
    public let bytes: [UInt8]
    public let fields: [FieldSpan]
    /// 1-based line number in its source (0 for netlink/stdin-less sources), for error reports.
    public let line: Int

    public init(type: RecordType, stamp: EventStamp, node: UInt32, bytes: [UInt8], fields: [FieldSpan], line: Int) {
        self.type = type
        self.stamp = stamp
        self.node = node
        self.bytes = bytes
        self.fields = fields
        self.line = line
    }

    public var key: EventKey { EventKey(node: node, stamp: stamp) }
}

/// Where one `name=value` lies in a record's bytes.
public struct FieldSpan: Sendable {
    // 16-bit offsets: a record is at most 60 000 bytes (the kernel's are under 9 000), and ten bytes a field
    // instead of eighteen is what keeps thousands of open events (files carry no EOE) small.
    public var nameStart: UInt16
    public var nameEnd: UInt16
    public var valueStart: UInt16
    public var valueEnd: UInt16
    public var quoting: Quoting
    /// True for the UPPERCASE fields after the `\x1d` separator of ENRICHED lines (auditd's translations).
    public var enriched: Bool

    public enum Quoting: UInt8, Sendable {
        case none, double, single
    }
}

extension AuditRecord {
    /// Number of fields.
    public var count: Int { fields.count }

    /// The field's name as text.
    public func name(at i: Int) -> String {
        let f = fields[i]
        return String(decoding: bytes[Int(f.nameStart)..<Int(f.nameEnd)], as: UTF8.self)
    }

    /// The value's raw bytes as they appear in the line, without quotes.
    public func rawValue(at i: Int) -> ArraySlice<UInt8> {
        let f = fields[i]
        return bytes[Int(f.valueStart)..<Int(f.valueEnd)]
    }

    /// Index of the first field named `name` (raw part first, then enriched), or nil.
    public func index(of name: StaticString) -> Int? {
        let n = name.utf8CodeUnitCount
        let q = name.utf8Start
        return bytes.withUnsafeBufferPointer { p -> Int? in
            var enrichedHit: Int? = nil
            for (i, f) in fields.enumerated() where Int(f.nameEnd - f.nameStart) == n {
                let s = Int(f.nameStart)
                var same = true
                for j in 0..<n where p[s + j] != q[j] {
                    same = false
                    break
                }
                if same {
                    if !f.enriched { return i }
                    if enrichedHit == nil { enrichedHit = i }
                }
            }
            return enrichedHit
        }
    }

    /// Index of the first field whose name equals `name` (for names built at run time, e.g. `a12`).
    public func index(ofName name: String) -> Int? {
        var name = name
        return name.withUTF8 { q in
            bytes.withUnsafeBufferPointer { p -> Int? in
                for (i, f) in fields.enumerated() where Int(f.nameEnd - f.nameStart) == q.count && !f.enriched {
                    let s = Int(f.nameStart)
                    var same = true
                    for j in 0..<q.count where p[s + j] != q[j] {
                        same = false
                        break
                    }
                    if same { return i }
                }
                return nil
            }
        }
    }

    /// The decoded value of field `i`: quoted text as is; an unquoted value of a field that the kernel hex-encodes
    /// (see `FieldDictionary`) decoded from hex; anything else as is. `nil` for the kernel's "no value" markers
    /// (`(null)`, `?`, `(none)`) — absent, not a string.
    /// A slice of the record's own bytes when the value is stored as is (no copy); a new buffer only when it
    /// had to be un-hexed.
    public func value(at i: Int) -> Bytes? {
        let f = fields[i]
        let raw = bytes[Int(f.valueStart)..<Int(f.valueEnd)]
        if f.quoting != .none { return raw }
        if raw.isEmpty { return raw }
        if FieldValueMarker.isAbsent(raw) { return nil }
        if !f.enriched, FieldDictionary.isEncoded(record: type, name: bytes[Int(f.nameStart)..<Int(f.nameEnd)]) {
            if let decoded = Hex.decode(raw) { return decoded[...] }
            // `key=65786563013634626974"`: a stray quote after a hex key (audit-reference §2 item 26).
            if raw.last == UInt8(ascii: "\""), let decoded = Hex.decode(raw.dropLast()) { return decoded[...] }
        }
        return raw
    }

    /// `value(at:)` for a field whose kind the caller already knows (the decoder's one-pass loops), skipping
    /// the field-dictionary lookup: `encoded` fields are unhexed when unquoted, plain ones never are.
    public func value(at i: Int, encoded: Bool) -> Bytes? {
        let f = fields[i]
        let raw = bytes[Int(f.valueStart)..<Int(f.valueEnd)]
        if f.quoting != .none || raw.isEmpty { return raw }
        if FieldValueMarker.isAbsent(raw) { return nil }
        if encoded, !f.enriched {
            if let decoded = Hex.decode(raw) { return decoded[...] }
            if raw.last == UInt8(ascii: "\""), let decoded = Hex.decode(raw.dropLast()) { return decoded[...] }
        }
        return raw
    }

    /// Decoded value of the named field.
    public func value(_ name: StaticString) -> Bytes? {
        guard let i = index(of: name) else { return nil }
        return value(at: i)
    }

    /// Decoded value as text (invalid UTF-8 repaired); for output and tests, not the hot path.
    public func string(_ name: StaticString) -> String? {
        value(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// An integer field in decimal (`pid=42`, `exit=-13`), the kernel's form for ids and results.
    public func int(_ name: StaticString) -> Int64? {
        guard let i = index(of: name) else { return nil }
        return Number.decimal(rawValue(at: i))
    }

    /// A field the kernel prints in hex without `0x` (`arch=c000003e`, `a0=7ffd…`).
    public func hex(_ name: StaticString) -> UInt64? {
        guard let i = index(of: name) else { return nil }
        return Number.hex(rawValue(at: i))
    }
}

/// The kernel's and auditd's markers for "no value".
enum FieldValueMarker {
    static func isAbsent(_ v: ArraySlice<UInt8>) -> Bool {
        switch v.count {
        case 1: return v.first == UInt8(ascii: "?")
        case 6:
            let s = v.startIndex
            guard v[s] == UInt8(ascii: "("), v[s + 5] == UInt8(ascii: ")") else { return false }
            return (v[s + 1] == UInt8(ascii: "n") && v[s + 2] == UInt8(ascii: "u") && v[s + 3] == UInt8(ascii: "l")
                && v[s + 4] == UInt8(ascii: "l"))
                || (v[s + 1] == UInt8(ascii: "n") && v[s + 2] == UInt8(ascii: "o") && v[s + 3] == UInt8(ascii: "n")
                    && v[s + 4] == UInt8(ascii: "e"))
        default: return false
        }
    }
}
