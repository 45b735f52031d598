/// Finds the first of two bytes eight bytes at a time (SWAR): the parser's inner loops over names and values
/// are most of its cost, and values such as hex strings and paths are long.
enum ByteScan {
    /// Index of the first byte in `p[from..<end]` equal to `a` or `b`, or `end`.
    @inline(__always)
    static func first(_ p: UnsafeBufferPointer<UInt8>, from: Int, to end: Int, _ a: UInt8, _ b: UInt8) -> Int {
        guard let base = p.baseAddress else { return end }
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let ma = UInt64(a) &* ones
        let mb = UInt64(b) &* ones
        while i + 8 <= end {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let xa = w ^ ma
            let xb = w ^ mb
            // A zero byte in xa/xb marks a match; the lowest flagged byte is exact (borrows only run upwards).
            let z = ((xa &- ones) & ~xa | (xb &- ones) & ~xb) & highs
            if z != 0 { return i + z.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end, base[i] != a, base[i] != b { i += 1 }
        return i
    }
}
