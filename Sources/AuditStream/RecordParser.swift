#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns one line of audit text into an `AuditRecord`.
///
/// It works on the line's bytes and records spans; it never builds a `String` per field. It is deliberately
/// forgiving about the body — the formats of 20 years of auditd, AppArmor, SELinux and PAM disagree (audit-reference
/// §2) — and strict only about the header, since without a type and a stamp a record cannot join an event.
public struct RecordParser {
    /// Longest line accepted; the kernel's records are at most ~8 KiB (MAX_AUDIT_MESSAGE_LENGTH 8970), and field
    /// offsets are 16-bit (with room for the few synthetic names appended after the line).
    public static let maxLineLength = 60_000

    public let nodes: NodeTable
    private let scratch = Scratch()

    /// A reusable field buffer: parsing appends into it, and each record gets an exact-size copy.
    /// A line of 60 000 bytes holds at most 20 000 `x=y` pairs (plus synthetic ones).
    final class Scratch {
        let capacity = 32_768
        let base: UnsafeMutablePointer<FieldSpan>
        /// Where a record's buffer is laid out before it is copied into its array.
        let record: UnsafeMutableBufferPointer<UInt8>
        init() {
            base = .allocate(capacity: capacity)
            record = .allocate(capacity: 65_536)
        }
        deinit {
            base.deallocate()
            record.deallocate()
        }
    }

    public init(nodes: NodeTable = NodeTable()) {
        self.nodes = nodes
    }

    /// Parses a text line (`[node=N ]type=T msg=audit(S.M:N): body`), without its trailing newline.
    public func parse(line: UnsafeBufferPointer<UInt8>, number: Int = 0) -> Result<AuditRecord, ParseError> {
        var p = line
        // A CR from a file written on another system is not part of the record.
        if let last = p.last, last == 13 { p = UnsafeBufferPointer(rebasing: p.dropLast()) }
        return parseLine(p, number: number)
    }

    /// Parses a text line given as any byte collection (tests, fuzzing).
    public func parse<C: Collection>(line: C, number: Int = 0) -> Result<AuditRecord, ParseError>
    where C.Element == UInt8 {
        Array(line).withUnsafeBufferPointer { parse(line: $0, number: number) }
    }

    /// Parses a record as netlink delivers it: the type in `nlmsg_type` and a body `audit(S.M:N): …` without the
    /// `type=… msg=` prefix.
    public func parse(netlinkType: UInt16, body: UnsafeRawBufferPointer) -> Result<AuditRecord, ParseError> {
        var bytes = [UInt8](body.bindMemory(to: UInt8.self))
        while let last = bytes.last, last == 0 || last == 10 { bytes.removeLast() }
        if bytes.count > Self.maxLineLength { return .failure(error(.tooLong, bytes, 0)) }
        return bytes.withUnsafeBufferPointer { p -> Result<AuditRecord, ParseError> in
            var pos = 0
            if matches(p, pos, "msg=") { pos += 4 }
            guard let (stamp, after) = parseStamp(p, pos) else {
                return .failure(error(.missingStamp, bytes, 0))
            }
            guard let stamp else { return .failure(error(.badStamp, bytes, 0)) }
            var fields = FieldSink(scratch)
            var extra: [UInt8] = []
            let type = RecordType(code: netlinkType)
            parseBody(p, from: after, to: p.count, into: &fields, extra: &extra, type: type)
            return .success(
                AuditRecord(type: type, stamp: stamp, node: 0, bytes: bytes + extra, fields: fields.buffer, line: 0))
        }
    }

    /// Parses straight from the reader's buffer; the record's own buffer (line, synthetic names, field table)
    /// is built once at the end.
    private func parseLine(_ p: UnsafeBufferPointer<UInt8>, number: Int) -> Result<AuditRecord, ParseError> {
        let bytes = p
        if bytes.count > Self.maxLineLength { return .failure(error(.tooLong, bytes, number)) }
        do {
            let n = p.count
            var pos = 0
            while pos < n, p[pos] == 32 || p[pos] == 9 { pos += 1 }
            if pos == n { return .failure(error(.empty, bytes, number)) }
            var node: UInt32 = 0
            if matches(p, pos, "node=") {
                let s = pos + 5
                var e = s
                while e < n, p[e] != 32 { e += 1 }
                node = nodes.intern(p, s, e)
                pos = e
                while pos < n, p[pos] == 32 { pos += 1 }
            }
            guard matches(p, pos, "type=") else { return .failure(error(.missingType, bytes, number)) }
            let ts = pos + 5
            var te = ts
            while te < n, p[te] != 32 { te += 1 }
            if te == ts { return .failure(error(.emptyType, bytes, number)) }
            let type = RecordTableLookup.resolve(p, ts, te)
            pos = te
            while pos < n, p[pos] == 32 { pos += 1 }
            // `msg=audit(…)`, or `audit(…)` alone as in kernel console lines and some plugin outputs.
            if matches(p, pos, "msg=") { pos += 4 }
            guard let (stamp, after) = parseStamp(p, pos) else {
                return .failure(error(.missingStamp, bytes, number))
            }
            guard let stamp else { return .failure(error(.badStamp, bytes, number)) }
            var fields = FieldSink(scratch)
            var extra: [UInt8] = []
            parseBody(p, from: after, to: n, into: &fields, extra: &extra, type: type)
            return .success(
                AuditRecord(
                    type: type, stamp: stamp, node: node, text: p, extra: extra, fields: fields.buffer, line: number,
                    scratch: scratch.record))
        }
    }

    // MARK: - Header

    /// Parses `audit(…)` at `pos` and the `:` after it. Returns nil when there is no `audit(`, `(nil, _)` when the
    /// stamp inside is malformed.
    private func parseStamp(_ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> (EventStamp?, Int)? {
        guard matches(p, start, "audit(") else { return nil }
        let s = start + 6
        var e = s
        while e < p.count, p[e] != UInt8(ascii: ")") { e += 1 }
        guard e < p.count else { return (nil, p.count) }
        let stamp = Self.stamp(UnsafeBufferPointer(rebasing: p[s..<e]))
        var pos = e + 1
        // `): body`, `) config changed, …` (DAEMON_CONFIG without a colon), `) : body` (ausearch -i).
        while pos < p.count, p[pos] == 32 { pos += 1 }
        if pos < p.count, p[pos] == UInt8(ascii: ":") { pos += 1 }
        return (stamp, pos)
    }

    /// `SEC.MMM:SERIAL`, or the interpreted forms `YYYY-MM-DD HH:MM:SS.MMM:SERIAL` and
    /// `MM/DD/YYYY HH:MM:SS.MMM:SERIAL` of `ausearch -i` (read as UTC: the log does not say its time zone).
    static func stamp(_ t: UnsafeBufferPointer<UInt8>) -> EventStamp? {
        if let fast = rawStamp(t) { return fast }
        guard let colon = t.lastIndex(of: UInt8(ascii: ":")), colon > 0,
            let serial = Number.decimal(t[(colon + 1)...]), serial >= 0, serial <= Int64(UInt32.max)
        else { return nil }
        let time = t[..<colon]
        guard let dot = time.lastIndex(of: UInt8(ascii: ".")) else { return nil }
        let fraction = time[(dot + 1)...]
        guard !fraction.isEmpty, fraction.count <= 9, let f = Number.decimal(fraction), f >= 0 else { return nil }
        var ms = f
        var digits = fraction.count
        while digits < 3 { ms *= 10; digits += 1 }
        while digits > 3 { ms /= 10; digits -= 1 }
        let whole = time[..<dot]
        var seconds: Int64
        if let s = Number.decimal(whole), s >= 0 {
            seconds = s
        } else if let s = humanTime(whole) {
            seconds = s
        } else {
            return nil
        }
        return EventStamp(seconds: seconds, milliseconds: UInt16(ms), serial: UInt32(serial))
    }

    /// The kernel's own form, `SECONDS.MMM:SERIAL` with exactly three millisecond digits, in one pass.
    private static func rawStamp(_ t: UnsafeBufferPointer<UInt8>) -> EventStamp? {
        var i = 0
        let n = t.count
        var sec: Int64 = 0
        while i < n, t[i] &- 48 <= 9, i < 18 {
            sec = sec * 10 + Int64(t[i] &- 48)
            i += 1
        }
        guard i > 0, i + 5 < n, t[i] == UInt8(ascii: "."), t[i + 4] == UInt8(ascii: ":") else { return nil }
        let d1 = t[i + 1] &- 48, d2 = t[i + 2] &- 48, d3 = t[i + 3] &- 48
        guard d1 <= 9, d2 <= 9, d3 <= 9 else { return nil }
        i += 5
        var serial: UInt64 = 0
        let start = i
        while i < n, t[i] &- 48 <= 9, i - start < 10 {
            serial = serial * 10 + UInt64(t[i] &- 48)
            i += 1
        }
        guard i == n, i > start, serial <= UInt64(UInt32.max) else { return nil }
        return EventStamp(
            seconds: sec, milliseconds: UInt16(d1) * 100 + UInt16(d2) * 10 + UInt16(d3), serial: UInt32(serial))
    }

    private static func humanTime(_ t: Slice<UnsafeBufferPointer<UInt8>>) -> Int64? {
        let parts = t.split(separator: 32)
        guard parts.count == 2 else { return nil }
        let date = parts[0]
        let clock = parts[1].split(separator: UInt8(ascii: ":")).map { Number.decimal($0) }
        guard clock.count == 3, let hh = clock[0], let mi = clock[1], let ss = clock[2] else { return nil }
        var y: Int64, m: Int64, d: Int64
        let dash = date.split(separator: UInt8(ascii: "-")).map { Number.decimal($0) }
        let slash = date.split(separator: UInt8(ascii: "/")).map { Number.decimal($0) }
        if dash.count == 3, let a = dash[0], let b = dash[1], let c = dash[2] {
            (y, m, d) = (a, b, c)
        } else if slash.count == 3, let a = slash[0], let b = slash[1], let c = slash[2] {
            (y, m, d) = (c, a, b)
        } else {
            return nil
        }
        guard (1...12).contains(m), (1...31).contains(d), hh < 24, mi < 60, ss < 61, y >= 1970 else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        y -= m <= 2 ? 1 : 0
        let era = y / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + hh * 3_600 + mi * 60 + ss
    }

    // MARK: - Body

    /// Parses `name=value` pairs of a body segment; the `\x1d` tail of ENRICHED lines is parsed as enriched fields.
    private func parseBody(
        _ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, into fields: inout FieldSink,
        extra: inout [UInt8], type: RecordType
    ) {
        var sep = end
        if start < end, let hit = memchr(p.baseAddress! + start, 0x1d, end - start) {
            sep = p.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        parseSegment(p, from: start, to: sep, into: &fields, extra: &extra, enriched: false, lineLength: p.count)
        if sep < end {
            // auditd writes the interpreted socket address unquoted and with blanks, always last:
            // `SADDR={ saddr_fam=inet laddr=10.0.0.1 lport=443 }`, `SADDR=unknown family(0)`. Its value is the rest
            // of the line, not a `{` followed by fields of their own.
            var tail = end
            if let s = Self.find(p, "SADDR=", from: sep + 1, to: end), s == sep + 1 || p[s - 1] == 32 {
                tail = s
                var ve = end
                while ve > s + 6, p[ve - 1] == 32 || p[ve - 1] == 10 || p[ve - 1] == 13 { ve -= 1 }
                parseSegment(p, from: sep + 1, to: tail, into: &fields, extra: &extra, enriched: true, lineLength: p.count)
                fields.append(span((s, s + 5), s + 6, ve, .none, true))
                return
            }
            parseSegment(p, from: sep + 1, to: tail, into: &fields, extra: &extra, enriched: true, lineLength: p.count)
        }
    }

    /// First index of `needle` in `p[from..<to]`.
    private static func find(_ p: UnsafeBufferPointer<UInt8>, _ needle: StaticString, from: Int, to: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard to - from >= n else { return nil }
        let q = needle.utf8Start
        var i = from
        while i + n <= to {
            if p[i] == q[0] {
                var j = 1
                while j < n && p[i + j] == q[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    private func parseSegment(
        _ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, into fields: inout FieldSink,
        extra: inout [UInt8], enriched: Bool, lineLength: Int
    ) {
        var pos = start
        var inParens = false
        var prefix: (Int, Int)? = nil  // `old auid=…` of RHEL5 LOGIN records → `old-auid`
        var lastWord: (Int, Int)? = nil
        while pos < end {
            while pos < end, p[pos] == 32 || p[pos] == 9 { pos += 1 }
            if pos >= end { break }
            // `(hostname=?, addr=?, terminal=cron res=success)` of old PAM records.
            if p[pos] == UInt8(ascii: "("), pos + 1 < end, tokenHasEquals(p, pos + 1, end) {
                inParens = true
                pos += 1
            }
            let nameStart = pos
            pos = ByteScan.first(p, from: pos, to: end, UInt8(ascii: "="), 32)
            if pos >= end || p[pos] == 32 {
                // A bare word: `avc:  denied  { read } for`, `tty`, `user`, `login`, `auditd start,`.
                let word = (nameStart, pos)
                if pos - nameStart == 1, p[nameStart] == UInt8(ascii: "{"), lineLength + extra.count + 7 <= Int(UInt16.max) {
                    pos = parseBraceList(p, from: pos, to: end, into: &fields, extra: &extra, lineLength: lineLength)
                } else if let lw = lastWord, equals(p, lw, "avc:"), lineLength + extra.count + 8 <= Int(UInt16.max),
                    equals(p, word, "denied") || equals(p, word, "granted")
                {
                    fields.append(
                        syntheticField("seresult", value: word, quoting: .none, extra: &extra, lineLength: lineLength))
                } else if equals(p, word, "old") || equals(p, word, "new") {
                    prefix = word
                }
                lastWord = word
                continue
            }
            lastWord = nil
            var nameEnd = pos
            pos += 1  // '='
            if nameEnd == nameStart {
                // `=value` with no name: not a field; skip the token.
                while pos < end, p[pos] != 32 { pos += 1 }
                continue
            }
            var nameSpan = (nameStart, nameEnd)
            if let pre = prefix, lineLength + extra.count + (pre.1 - pre.0) + (nameEnd - nameStart) + 1 <= Int(UInt16.max) {
                nameSpan = appendName(p, pre, "-", (nameStart, nameEnd), extra: &extra, lineLength: lineLength)
                nameEnd = nameSpan.1
            }
            prefix = nil
            if pos < end, p[pos] == UInt8(ascii: "\"") {
                let vs = pos + 1
                var ve = vs
                ve = ByteScan.first(p, from: ve, to: end, UInt8(ascii: "\""), UInt8(ascii: "\""))
                fields.append(span(nameSpan, vs, ve, .double, enriched))
                pos = min(ve + 1, end)
            } else if pos < end, p[pos] == UInt8(ascii: "'") {
                let vs = pos + 1
                var ve = vs
                var inDouble = false
                while ve < end {
                    let c = p[ve]
                    if c == UInt8(ascii: "\"") {
                        inDouble.toggle()
                    } else if c == UInt8(ascii: "'"), !inDouble {
                        break
                    }
                    ve += 1
                }
                fields.append(span(nameSpan, vs, ve, .single, enriched))
                // The fields inside `msg='…'` are the user-space message's own; flatten them, as auparse does.
                parseSegment(p, from: vs, to: ve, into: &fields, extra: &extra, enriched: enriched, lineLength: lineLength)
                pos = min(ve + 1, end)
            } else {
                let vs = pos
                var ve = vs
                while true {
                    ve = ByteScan.first(p, from: ve, to: end, 32, UInt8(ascii: "="))
                    guard ve < end, p[ve] == UInt8(ascii: "=") else { break }
                    // A lost `\x1d` glues the enriched tail to the last value: `code=0x7ffc0000AUID="unset"`.
                    if ve > vs, let glued = gluedUppercaseStart(p, vs, ve) {
                        ve = glued
                        break
                    }
                    ve += 1
                }
                var vEnd = ve
                if inParens {
                    if vEnd > vs, p[vEnd - 1] == UInt8(ascii: ")") {
                        vEnd -= 1
                        inParens = false
                    }
                    if vEnd > vs, p[vEnd - 1] == UInt8(ascii: ",") { vEnd -= 1 }
                }
                pos = ve
                // AppArmor: `subj==/usr/sbin/ntpd (enforce)` — the mode in parentheses belongs to the label.
                var la = pos
                while la < end, p[la] == 32 { la += 1 }
                if !inParens, la < end, p[la] == UInt8(ascii: "(") {
                    var le = la
                    while le < end, p[le] != 32 { le += 1 }
                    if p[le - 1] == UInt8(ascii: ")"), !tokenHasEquals(p, la, le) {
                        vEnd = le
                        pos = le
                    }
                }
                fields.append(span(nameSpan, vs, vEnd, .none, enriched))
            }
        }
    }

    /// `{ read write }` of SELinux AVC records → one field `seperms="read write"`.
    private func parseBraceList(
        _ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, into fields: inout FieldSink,
        extra: inout [UInt8], lineLength: Int
    ) -> Int {
        var s = start
        while s < end, p[s] == 32 { s += 1 }
        var e = s
        while e < end, p[e] != UInt8(ascii: "}") { e += 1 }
        var ve = e
        while ve > s, p[ve - 1] == 32 { ve -= 1 }
        fields.append(syntheticField("seperms", value: (s, ve), quoting: .double, extra: &extra, lineLength: lineLength))
        return min(e + 1, end)
    }

    private func gluedUppercaseStart(_ p: UnsafeBufferPointer<UInt8>, _ vs: Int, _ eq: Int) -> Int? {
        var r = eq
        while r > vs, isUpperOrUnderscore(p[r - 1]) { r -= 1 }
        guard eq - r >= 2, r > vs, !isUpperOrUnderscore(p[r - 1]), p[r] != UInt8(ascii: "_") else { return nil }
        return r
    }

    @inline(__always) private func isUpperOrUnderscore(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || c == UInt8(ascii: "_")
    }

    private func tokenHasEquals(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ end: Int) -> Bool {
        var i = s
        while i < end, p[i] != 32 {
            if p[i] == UInt8(ascii: "=") { return true }
            i += 1
        }
        return false
    }

    private func span(_ name: (Int, Int), _ vs: Int, _ ve: Int, _ q: FieldSpan.Quoting, _ enriched: Bool) -> FieldSpan {
        FieldSpan(
            nameStart: UInt16(name.0), nameEnd: UInt16(name.1), valueStart: UInt16(vs), valueEnd: UInt16(ve),
            quoting: q, enriched: enriched)
    }

    /// A field whose name does not appear in the line (e.g. `seperms`): the name is stored after the line's bytes.
    private func syntheticField(
        _ name: StaticString, value: (Int, Int), quoting: FieldSpan.Quoting, extra: inout [UInt8], lineLength: Int
    ) -> FieldSpan {
        let s = lineLength + extra.count
        extra.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        return FieldSpan(
            nameStart: UInt16(s), nameEnd: UInt16(s + name.utf8CodeUnitCount), valueStart: UInt16(value.0),
            valueEnd: UInt16(value.1), quoting: quoting, enriched: false)
    }

    private func appendName(
        _ p: UnsafeBufferPointer<UInt8>, _ a: (Int, Int), _ sep: StaticString, _ b: (Int, Int), extra: inout [UInt8],
        lineLength: Int
    ) -> (Int, Int) {
        let s = lineLength + extra.count
        extra.append(contentsOf: UnsafeBufferPointer(rebasing: p[a.0..<a.1]))
        extra.append(contentsOf: UnsafeBufferPointer(start: sep.utf8Start, count: sep.utf8CodeUnitCount))
        extra.append(contentsOf: UnsafeBufferPointer(rebasing: p[b.0..<b.1]))
        return (s, lineLength + extra.count)
    }

    private func equals(_ p: UnsafeBufferPointer<UInt8>, _ r: (Int, Int), _ s: StaticString) -> Bool {
        guard r.1 - r.0 == s.utf8CodeUnitCount else { return false }
        return matches(p, r.0, s)
    }

    private func error(_ reason: ParseError.Reason, _ bytes: UnsafeBufferPointer<UInt8>, _ line: Int) -> ParseError {
        ParseError(reason: reason, line: line, excerpt: Printable.escape(bytes.prefix(120)))
    }

    private func error(_ reason: ParseError.Reason, _ bytes: [UInt8], _ line: Int) -> ParseError {
        ParseError(reason: reason, line: line, excerpt: Printable.escape(bytes.prefix(120)))
    }
}

/// Appends spans into the parser's scratch buffer without the uniqueness and capacity checks of `Array.append`.
struct FieldSink {
    let base: UnsafeMutablePointer<FieldSpan>
    let capacity: Int
    var count = 0

    init(_ scratch: RecordParser.Scratch) {
        base = scratch.base
        capacity = scratch.capacity
    }

    @inline(__always) mutating func append(_ f: FieldSpan) {
        guard count < capacity else { return }
        (base + count).initialize(to: f)
        count += 1
    }

    var buffer: UnsafeBufferPointer<FieldSpan> { UnsafeBufferPointer(start: base, count: count) }
}

@inline(__always) func matches(_ p: UnsafeBufferPointer<UInt8>, _ pos: Int, _ s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    guard pos + n <= p.count else { return false }
    let q = s.utf8Start
    for i in 0..<n where p[pos + i] != q[i] { return false }
    return true
}

/// Record type resolution shared by all parsers.
enum RecordTableLookup {
    static func resolve(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> RecordType {
        RecordTypeTable.shared.resolve(p, s, e)
    }
}
