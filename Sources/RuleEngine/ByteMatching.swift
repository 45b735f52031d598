/// Byte-level string operations behind the string operators (§2.2). Values and patterns are UTF-8 bytes; case
/// folding is ASCII-only, as libsinsp's `strcasestr`/`FNM_CASEFOLD` in the C locale.
enum ByteMatching {
    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    static func hasPrefix(_ value: [UInt8], _ prefix: [UInt8]) -> Bool {
        guard value.count >= prefix.count else { return false }
        for i in 0..<prefix.count where value[i] != prefix[i] { return false }
        return true
    }

    static func hasSuffix(_ value: [UInt8], _ suffix: [UInt8]) -> Bool {
        guard value.count >= suffix.count else { return false }
        let offset = value.count - suffix.count
        for i in 0..<suffix.count where value[offset + i] != suffix[i] { return false }
        return true
    }

    static func contains(_ value: [UInt8], _ needle: [UInt8], caseInsensitive: Bool = false) -> Bool {
        if needle.isEmpty { return true }
        guard value.count >= needle.count else { return false }
        let first = caseInsensitive ? lower(needle[0]) : needle[0]
        var i = 0
        let last = value.count - needle.count
        while i <= last {
            let c = caseInsensitive ? lower(value[i]) : value[i]
            if c == first {
                var j = 1
                while j < needle.count {
                    let a = caseInsensitive ? lower(value[i + j]) : value[i + j]
                    let b = caseInsensitive ? lower(needle[j]) : needle[j]
                    if a != b { break }
                    j += 1
                }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// strcmp-like ordering (bytes as unsigned chars; a prefix orders first).
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// `fnmatch(pattern, value, 0)` or with `FNM_CASEFOLD`: `*` and `?` also match `/` (no `FNM_PATHNAME`), a
    /// leading `.` is not special, `\` escapes, `[...]` with `!`/`^`, ranges and `[:class:]`.
    static func glob(_ pattern: [UInt8], _ value: [UInt8], caseFold: Bool) -> Bool {
        var p = 0
        var v = 0
        var starP = -1
        var starV = 0
        while v < value.count {
            if p < pattern.count {
                let c = pattern[p]
                if c == 0x2A {  // *
                    starP = p
                    starV = v
                    p += 1
                    continue
                }
                if c == 0x3F {  // ?
                    p += 1
                    v += 1
                    continue
                }
                if c == 0x5B, let (matched, next) = bracket(pattern, p, value[v], caseFold: caseFold) {
                    if matched {
                        p = next
                        v += 1
                        continue
                    }
                } else {
                    var literal = c
                    var width = 1
                    if c == 0x5C, p + 1 < pattern.count {
                        literal = pattern[p + 1]
                        width = 2
                    }
                    let equal = caseFold ? lower(literal) == lower(value[v]) : literal == value[v]
                    if equal {
                        p += width
                        v += 1
                        continue
                    }
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starV += 1
            v = starV
        }
        while p < pattern.count, pattern[p] == 0x2A { p += 1 }
        return p == pattern.count
    }

    /// A bracket expression at `start`; nil when it is not well formed (then `[` is a literal, as in fnmatch).
    private static func bracket(_ pattern: [UInt8], _ start: Int, _ ch: UInt8, caseFold: Bool) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.count, pattern[i] == 0x21 || pattern[i] == 0x5E {
            negate = true
            i += 1
        }
        let c = caseFold ? lower(ch) : ch
        var matched = false
        var first = true
        while i < pattern.count {
            var x = pattern[i]
            if x == 0x5D && !first { return (matched != negate, i + 1) }
            first = false
            if x == 0x5B, i + 1 < pattern.count, pattern[i + 1] == 0x2E || pattern[i + 1] == 0x3D {
                // `[.x.]` collating symbol / `[=x=]` equivalence class: single-byte ones stand for that byte;
                // anything else makes the bracket invalid, and glibc then takes the `[` literally.
                let delimiter = pattern[i + 1]
                guard i + 4 < pattern.count, pattern[i + 3] == delimiter, pattern[i + 4] == 0x5D else { return nil }
                let member = caseFold ? lower(pattern[i + 2]) : pattern[i + 2]
                if member == c { matched = true }
                i += 5
                continue
            }
            if x == 0x5B, i + 1 < pattern.count, pattern[i + 1] == 0x3A {
                if let close = findClassEnd(pattern, i + 2) {
                    let name = String(decoding: pattern[(i + 2)..<close], as: UTF8.self)
                    if characterClass(name, ch) { matched = true }
                    i = close + 2
                    continue
                }
            }
            if x == 0x5C, i + 1 < pattern.count {
                i += 1
                x = pattern[i]
            }
            // FNM_CASEFOLD folds the value's byte and both range ends (glibc `FOLD`).
            let low = caseFold ? lower(x) : x
            var high = low
            if i + 2 < pattern.count, pattern[i + 1] == 0x2D, pattern[i + 2] != 0x5D {
                var h = pattern[i + 2]
                var skip = 2
                if h == 0x5C, i + 3 < pattern.count {
                    h = pattern[i + 3]
                    skip = 3
                }
                high = caseFold ? lower(h) : h
                i += skip
            }
            if c >= low && c <= high { matched = true }
            i += 1
        }
        return nil
    }

    private static func findClassEnd(_ pattern: [UInt8], _ from: Int) -> Int? {
        var i = from
        while i + 1 < pattern.count {
            if pattern[i] == 0x3A && pattern[i + 1] == 0x5D { return i }
            i += 1
        }
        return nil
    }

    private static func characterClass(_ name: String, _ c: UInt8) -> Bool {
        let alpha = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
        let digit = c >= 0x30 && c <= 0x39
        switch name {
        case "alpha": return alpha
        case "digit": return digit
        case "alnum": return alpha || digit
        case "upper": return c >= 0x41 && c <= 0x5A
        case "lower": return c >= 0x61 && c <= 0x7A
        case "space": return c == 0x20 || (c >= 0x09 && c <= 0x0D)
        case "blank": return c == 0x20 || c == 0x09
        case "punct": return c > 0x20 && c < 0x7F && !alpha && !digit
        case "print": return c >= 0x20 && c < 0x7F
        case "graph": return c > 0x20 && c < 0x7F
        case "cntrl": return c < 0x20 || c == 0x7F
        case "xdigit": return digit || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)
        default: return false
        }
    }

    /// Hex text (`48545450`) to bytes, for `bcontains`/`bstartswith`.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i < digits.count {
            guard let h = nibble(digits[i]), let l = nibble(digits[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}

/// `pmatch`: path-prefix matching on whole `/`-separated components; pattern components may contain globs that
/// do not cross `/` (libsinsp `path_prefix_search`).
struct PathPrefixSet: Sendable {
    private let patterns: [[[UInt8]]]

    init(_ paths: [String]) {
        patterns = paths.map { Self.components(Array($0.utf8)) }
    }

    static func components(_ path: [UInt8]) -> [[UInt8]] {
        path.split(separator: 0x2F, omittingEmptySubsequences: true).map(Array.init)
    }

    func matches(_ value: [UInt8]) -> Bool {
        let parts = Self.components(value)
        outer: for pattern in patterns {
            guard pattern.count <= parts.count else { continue }
            for (i, component) in pattern.enumerated() {
                let hasGlob = component.contains { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B }
                if hasGlob {
                    if !ByteMatching.glob(component, parts[i], caseFold: false) { continue outer }
                } else if component != parts[i] {
                    continue outer
                }
            }
            return true
        }
        return false
    }
}
