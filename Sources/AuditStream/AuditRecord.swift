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
    /// One buffer per record: the line (text sources) or body (netlink), then the names of synthetic fields,
    /// then the field table (`FieldSpan.size` bytes each). One allocation instead of two per record is a few
    /// percent of the whole parse.
    public let bytes: [UInt8]
    let tableOffset: Int32
    /// Number of fields.
    public let count: Int
    /// 1-based line number in its source (0 for netlink/stdin-less sources), for error reports.
    public let line: Int

    /// `text` is the line plus any synthetic names; `fields` are packed after it.
    public init(type: RecordType, stamp: EventStamp, node: UInt32, bytes text: [UInt8], fields: UnsafeBufferPointer<FieldSpan>, line: Int) {
        self.type = type
        self.stamp = stamp
        self.node = node
        self.line = line
        self.count = fields.count
        self.tableOffset = Int32(text.count)
        var all = [UInt8]()
        all.reserveCapacity(text.count + fields.count * FieldSpan.size)
        all += text
        for f in fields { f.append(to: &all) }
        self.bytes = all
    }

    /// Builds the record's buffer in one allocation from the parser's inputs.
    init(
        type: RecordType, stamp: EventStamp, node: UInt32, text: UnsafeBufferPointer<UInt8>, extra: [UInt8],
        fields: UnsafeBufferPointer<FieldSpan>, line: Int, scratch: UnsafeMutableBufferPointer<UInt8>? = nil
    ) {
        self.type = type
        self.stamp = stamp
        self.node = node
        self.line = line
        self.count = fields.count
        let head = text.count + extra.count
        self.tableOffset = Int32(head)
        let total = head + fields.count * FieldSpan.size
        func fill(_ base: UnsafeMutablePointer<UInt8>) {
            if let t = text.baseAddress { base.initialize(from: t, count: text.count) }
            extra.withUnsafeBufferPointer { e in
                if let eb = e.baseAddress { (base + text.count).initialize(from: eb, count: e.count) }
            }
            var o = head
            for f in fields {
                f.store(to: base + o)
                o += FieldSpan.size
            }
        }
        if let scratch, total <= scratch.count, let base = scratch.baseAddress {
            // Laid out in the parser's buffer and copied once: `Array(unsafeUninitializedCapacity:)` looks its
            // storage's generic metadata up under a lock on every call (see `Hex.decode`), once per record.
            fill(base)
            self.bytes = Array(UnsafeBufferPointer(start: base, count: total))
        } else {
            self.bytes = [UInt8](unsafeUninitializedCapacity: total) { buf, n in
                fill(buf.baseAddress!)
                n = total
            }
        }
    }

    public init(type: RecordType, stamp: EventStamp, node: UInt32, bytes: [UInt8], fields: [FieldSpan], line: Int) {
        self = fields.withUnsafeBufferPointer {
            AuditRecord(type: type, stamp: stamp, node: node, bytes: bytes, fields: $0, line: line)
        }
    }

    /// The field table as a collection (reads the packed spans).
    public var fields: FieldTable { FieldTable(record: self) }

    /// The span of field `i`.
    public func field(at i: Int) -> FieldSpan {
        precondition(i >= 0 && i < count)
        return bytes.withUnsafeBytes { FieldSpan(loading: $0, at: Int(tableOffset) + i * FieldSpan.size) }
    }

    public var key: EventKey { EventKey(node: node, stamp: stamp) }
}

/// The fields of a record, read from its packed table.
public struct FieldTable: RandomAccessCollection, Sendable {
    let record: AuditRecord
    public var startIndex: Int { 0 }
    public var endIndex: Int { record.count }
    public subscript(i: Int) -> FieldSpan { record.field(at: i) }
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

    public init(nameStart: UInt16, nameEnd: UInt16, valueStart: UInt16, valueEnd: UInt16, quoting: Quoting, enriched: Bool) {
        self.nameStart = nameStart
        self.nameEnd = nameEnd
        self.valueStart = valueStart
        self.valueEnd = valueEnd
        self.quoting = quoting
        self.enriched = enriched
    }

    /// Bytes of one packed span: four little-endian UInt16 and a flags byte.
    static let size = 9

    func append(to out: inout [UInt8]) {
        for v in [nameStart, nameEnd, valueStart, valueEnd] {
            out.append(UInt8(truncatingIfNeeded: v))
            out.append(UInt8(truncatingIfNeeded: v >> 8))
        }
        out.append(quoting.rawValue | (enriched ? 0x80 : 0))
    }

    func store(to p: UnsafeMutablePointer<UInt8>) {
        p[0] = UInt8(truncatingIfNeeded: nameStart); p[1] = UInt8(truncatingIfNeeded: nameStart >> 8)
        p[2] = UInt8(truncatingIfNeeded: nameEnd); p[3] = UInt8(truncatingIfNeeded: nameEnd >> 8)
        p[4] = UInt8(truncatingIfNeeded: valueStart); p[5] = UInt8(truncatingIfNeeded: valueStart >> 8)
        p[6] = UInt8(truncatingIfNeeded: valueEnd); p[7] = UInt8(truncatingIfNeeded: valueEnd >> 8)
        p[8] = quoting.rawValue | (enriched ? 0x80 : 0)
    }

    init(loading p: UnsafeRawBufferPointer, at o: Int) {
        // One unaligned 8-byte load for the four little-endian offsets, one byte for the flags: this runs for
        // every field the decoder looks at.
        let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self))
        nameStart = UInt16(truncatingIfNeeded: w)
        nameEnd = UInt16(truncatingIfNeeded: w >> 16)
        valueStart = UInt16(truncatingIfNeeded: w >> 32)
        valueEnd = UInt16(truncatingIfNeeded: w >> 48)
        let flags = p[o + 8]
        quoting = Quoting(rawValue: flags & 0x7f) ?? .none
        enriched = flags & 0x80 != 0
    }
}

extension AuditRecord {

    /// The field's name as text.
    public func name(at i: Int) -> String {
        let f = field(at: i)
        return String(decoding: bytes[Int(f.nameStart)..<Int(f.nameEnd)], as: UTF8.self)
    }

    /// The value's raw bytes as they appear in the line, without quotes.
    public func rawValue(at i: Int) -> ArraySlice<UInt8> {
        let f = field(at: i)
        return bytes[Int(f.valueStart)..<Int(f.valueEnd)]
    }

    /// Index of the first field named `name` (raw part first, then enriched), or nil.
    public func index(of name: StaticString) -> Int? {
        let n = name.utf8CodeUnitCount
        let q = name.utf8Start
        return bytes.withUnsafeBufferPointer { p -> Int? in
            var enrichedHit: Int? = nil
            for i in 0..<count {
                let f = FieldSpan(loading: UnsafeRawBufferPointer(p), at: Int(tableOffset) + i * FieldSpan.size)
                guard Int(f.nameEnd - f.nameStart) == n else { continue }
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
                for i in 0..<count {
                    let f = FieldSpan(loading: UnsafeRawBufferPointer(p), at: Int(tableOffset) + i * FieldSpan.size)
                    guard Int(f.nameEnd - f.nameStart) == q.count, !f.enriched else { continue }
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
        let f = field(at: i)
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
        let f = field(at: i)
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
