/// Numeric field parsing on raw bytes (no intermediate `String`).
///
/// The generic parsers are `@inlinable`: the enricher, the field source and the baselines call them on slices
/// from other modules, where an unspecialised generic walks the bytes through witness calls (the device number
/// of a PATH record cost about 2 800 instructions that way).
public enum Number {
    /// Signed decimal: `42`, `-115`. Nil on anything else.
    @inlinable
    public static func decimal<C: Collection>(_ v: C) -> Int64? where C.Element == UInt8 {
        var it = v.makeIterator()
        guard var c = it.next() else { return nil }
        var negative = false
        if c == UInt8(ascii: "-") {
            negative = true
            guard let n = it.next() else { return nil }
            c = n
        }
        var r: Int64 = 0
        while true {
            guard c >= 48, c <= 57 else { return nil }
            let (m, o1) = r.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { return nil }
            r = a
            guard let n = it.next() else { break }
            c = n
        }
        return negative ? -r : r
    }

    /// Hex with or without `0x`: `c000003e`, `0x7f62dce3d4c7`.
    @inlinable
    public static func hex<C: Collection>(_ v: C) -> UInt64? where C.Element == UInt8 {
        var digits = 0
        var r: UInt64 = 0
        var i = v.startIndex
        if v.count > 2, v[i] == UInt8(ascii: "0") {
            let j = v.index(after: i)
            if v[j] == UInt8(ascii: "x") || v[j] == UInt8(ascii: "X") { i = v.index(after: j) }
        }
        while i != v.endIndex {
            guard let d = Hex.nibble(v[i]) else { return nil }
            digits += 1
            if digits > 16 { return nil }
            r = r << 4 | UInt64(d)
            i = v.index(after: i)
        }
        return digits == 0 ? nil : r
    }

    /// Signed decimal in `b[s..<e]`, without slicing (the decoder's hot path).
    public static func decimal(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        var i = s
        guard i < e else { return nil }
        let negative = b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < e, e - i <= 19 else { return nil }
        var r: Int64 = 0
        while i < e {
            let c = b[i] &- 48
            guard c <= 9 else { return nil }
            let (m, o1) = r.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c))
            if o1 || o2 { return nil }
            r = a
            i += 1
        }
        return negative ? -r : r
    }

    /// Hex (with or without `0x`) in `b[s..<e]`.
    public static func hex(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64? {
        var i = s
        if e - i > 2, b[i] == UInt8(ascii: "0"), b[i + 1] == UInt8(ascii: "x") || b[i + 1] == UInt8(ascii: "X") { i += 2 }
        guard i < e, e - i <= 16 else { return nil }
        var r: UInt64 = 0
        while i < e {
            guard let d = Hex.nibble(b[i]) else { return nil }
            r = r << 4 | UInt64(d)
            i += 1
        }
        return r
    }

    /// Octal (`mode=0100755`).
    @inlinable
    public static func octal<C: Collection>(_ v: C) -> UInt64? where C.Element == UInt8 {
        var r: UInt64 = 0
        var any = false
        for c in v {
            guard c >= 48, c <= 55 else { return nil }
            r = r << 3 | UInt64(c - 48)
            any = true
            if r > UInt64(UInt32.max) { return nil }
        }
        return any ? r : nil
    }
}

/// Hex strings as the kernel writes untrusted strings (`audit_log_n_untrustedstring`): two uppercase digits a byte.
public enum Hex {
    @usableFromInline
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    /// Decodes an even-length hex string; nil if it is not one (then the value is kept as text: an interpreted
    /// line's `a0=top` is not hex).
    public static func decode(_ v: ArraySlice<UInt8>) -> [UInt8]? {
        let n = v.count
        guard n % 2 == 0 else { return nil }
        // Decoded into a temporary buffer and copied once: `Array(unsafeUninitializedCapacity:)` is not
        // specialised in the standard library and looks its storage's generic metadata up (under a lock) on every
        // call — 20 ns more per value than an array made from a buffer.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, n / 2)) { buf -> [UInt8]? in
            v.withUnsafeBufferPointer { src -> [UInt8]? in
                var j = 0
                var i = 0
                while i < n {
                    guard let h = nibble(src[i]), let l = nibble(src[i + 1]) else { return nil }
                    buf[j] = h << 4 | l
                    j += 1
                    i += 2
                }
                return Array(UnsafeBufferPointer(rebasing: buf[0..<j]))
            }
        }
    }

    @inlinable
    public static func decode<C: Collection>(_ v: C) -> [UInt8]? where C.Element == UInt8 {
        let n = v.count
        guard n % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(n / 2)
        var i = v.startIndex
        while i != v.endIndex {
            let j = v.index(after: i)
            guard let h = nibble(v[i]), let l = nibble(v[j]) else { return nil }
            out.append(h << 4 | l)
            i = v.index(after: j)
        }
        return out
    }
}
