/// Turns a concrete path into the pattern a profile stores, so that paths which differ only in what changes
/// from run to run collapse into one item instead of growing the profile without end:
///
/// - an all-digit component is a pid, a tid, an fd or a counter: `/proc/4711/status` → `/proc/*/status`,
///   `/dev/pts/3` → `/dev/pts/*`;
/// - under the temporary directories (`/tmp`, `/var/tmp`, `/dev/shm`) a component with a digit, or a long
///   mixed-case one, is a per-request name: `/tmp/tmp.k3Jd9a/upload_81.json` → `/tmp/*/*.json` (a short
///   lower-case extension is kept, it says what the file is);
/// - anywhere, a version or date (`3.11`, `1.2.3`, `2026-11-25`, a run of four or more digits) and a long
///   hexadecimal id (a hash, a container id, a UUID) become `*`: `/usr/lib/python3.11/x.py` →
///   `/usr/lib/python*/x.py`.
///
/// The mapping is deterministic and idempotent (a pattern generalises to itself), so a pattern accepted or
/// imported by an operator matches exactly the paths it stands for. Paths longer than `maxLength` bytes are cut
/// and end in `*`.
public enum PathGeneraliser {
    public static let maxLength = 512
    static let star = UInt8(ascii: "*")
    static let slash = UInt8(ascii: "/")
    static let dot = UInt8(ascii: ".")
    static let dash = UInt8(ascii: "-")
    static let temporaryRoots: [[UInt8]] = [Array("/tmp/".utf8), Array("/var/tmp/".utf8), Array("/dev/shm/".utf8)]

    public static func generalise(_ path: String) -> String {
        String(decoding: generalise(Array(path.utf8)), as: UTF8.self)
    }

    public static func generalise<C: Collection>(_ path: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        generalise(path, into: &out)
        return out
    }

    /// Appends the pattern of `path` to `out` (one buffer for the whole item on the hot path).
    public static func generalise<C: Collection>(_ path: C, into out: inout [UInt8]) where C.Element == UInt8 {
        if let done = path.withContiguousStorageIfAvailable({ generalise(buffer: $0, into: &out) }) { return done }
        Array(path).withUnsafeBufferPointer { generalise(buffer: $0, into: &out) }
    }

    static func generalise(buffer whole: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let p = UnsafeBufferPointer(rebasing: whole.prefix(maxLength))
        out.reserveCapacity(out.count + p.count + 1)
        var tempRootLength = 0
        for r in temporaryRoots where p.count > r.count && p.starts(with: r) {
            tempRootLength = r.count
            break
        }
        var i = 0
        while i < p.count {
            if p[i] == slash {
                out.append(slash)
                i += 1
                continue
            }
            var end = i
            while end < p.count && p[end] != slash { end += 1 }
            let component = p[i..<end]
            if component.allSatisfy(isDigit) {
                out.append(star)
            } else if tempRootLength > 0 && i >= tempRootLength && isVolatile(component) {
                out.append(star)
                out.append(contentsOf: keptExtension(component))
            } else {
                generaliseRuns(component, into: &out)
            }
            i = end
        }
        if whole.count > maxLength, out.last != star { out.append(star) }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) }
    static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7a }
    static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5a }

    /// A temp-dir name that is made per run: it has a digit, or it is long and mixes upper and lower case.
    static func isVolatile(_ c: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        if c.count == 1 && c.first == star { return false }
        if c.contains(where: isDigit) { return true }
        return c.count >= 6 && c.contains(where: isUpper) && c.contains(where: isLower)
    }

    /// `.json` of `upload_81.json`: a dot followed by one to five lower-case letters at the end, not at the start.
    static func keptExtension(_ c: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        guard let d = c.lastIndex(of: dot), d > c.startIndex else { return c[c.endIndex...] }
        let ext = c[(d + 1)...]
        guard (1...5).contains(ext.count), ext.allSatisfy(isLower) else { return c[c.endIndex...] }
        return c[d...]
    }

    /// Copies a component, replacing long hex ids and version/date runs by `*`.
    static func generaliseRuns(_ c: Slice<UnsafeBufferPointer<UInt8>>, into out: inout [UInt8]) {
        var i = c.startIndex
        while i < c.endIndex {
            // A hex id: a run of hex digits and dashes, at least 12 hex digits with at least one decimal digit.
            if isHex(c[i]) && (i == c.startIndex || !isAlnum(c[i - 1])) {
                var j = i, hex = 0, digits = 0
                while j < c.endIndex && (isHex(c[j]) || c[j] == dash) {
                    if isHex(c[j]) { hex += 1 }
                    if isDigit(c[j]) { digits += 1 }
                    j += 1
                }
                while j > i && c[j - 1] == dash { j -= 1 }
                if hex >= 12 && digits > 0 && (j == c.endIndex || !isAlnum(c[j])) {
                    out.append(star)
                    i = j
                    continue
                }
            }
            // A version or date: digit groups joined by '.' or '-' (two groups or more), or four digits or more.
            if isDigit(c[i]) {
                var j = i, groups = 0, longest = 0
                while j < c.endIndex && isDigit(c[j]) {
                    let start = j
                    while j < c.endIndex && isDigit(c[j]) { j += 1 }
                    groups += 1
                    longest = max(longest, j - start)
                    if j + 1 < c.endIndex && (c[j] == dot || c[j] == dash) && isDigit(c[j + 1]) { j += 1 } else { break }
                }
                if groups >= 2 || longest >= 4 {
                    out.append(star)
                } else {
                    out.append(contentsOf: c[i..<j])
                }
                i = j
                continue
            }
            out.append(c[i])
            i += 1
        }
    }

    static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLower(b) || isUpper(b) }
}
