/// Escapes attacker-controlled bytes for one-line human output: control characters, DEL, backslash and invalid
/// UTF-8 become `\xNN`, so a path like "\n[CRITICAL] fake" or an ANSI sequence cannot forge a line or drive a
/// terminal.
public enum Printable {
    public static func escape<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = ""
        out.reserveCapacity(bytes.count)
        var utf8 = [UInt8]()
        utf8.reserveCapacity(bytes.count)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        func pushEscaped(_ b: UInt8) {
            utf8.append(UInt8(ascii: "\\"))
            utf8.append(UInt8(ascii: "x"))
            utf8.append(hex[Int(b >> 4)])
            utf8.append(hex[Int(b & 15)])
        }
        let a = Array(bytes)
        var i = 0
        while i < a.count {
            let b = a[i]
            if b < 0x20 || b == 0x7f || b == UInt8(ascii: "\\") {
                pushEscaped(b)
                i += 1
            } else if b < 0x80 {
                utf8.append(b)
                i += 1
            } else {
                let len = UTF8Validation.sequenceLength(a, i)
                if len > 0 {
                    // C1 controls (U+0080–U+009F) act as escapes on some terminals.
                    if len == 2, b == 0xC2, a[i + 1] < 0xA0 {
                        pushEscaped(a[i])
                        pushEscaped(a[i + 1])
                    } else {
                        utf8.append(contentsOf: a[i..<(i + len)])
                    }
                    i += len
                } else {
                    pushEscaped(b)
                    i += 1
                }
            }
        }
        out = String(decoding: utf8, as: UTF8.self)
        return out
    }
}

enum UTF8Validation {
    /// Length of the valid UTF-8 sequence starting at `i`, or 0 if it is invalid.
    static func sequenceLength(_ a: [UInt8], _ i: Int) -> Int {
        let b = a[i]
        let n: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: n = 2
        case 0xE0: n = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: n = 3
        case 0xED: n = 3; hi = 0x9F
        case 0xF0: n = 4; lo = 0x90
        case 0xF1...0xF3: n = 4
        case 0xF4: n = 4; hi = 0x8F
        default: return 0
        }
        guard i + n <= a.count else { return 0 }
        let c1 = a[i + 1]
        guard c1 >= lo, c1 <= hi else { return 0 }
        for k in 2..<max(2, n) where a[i + k] < 0x80 || a[i + k] > 0xBF { return 0 }
        return n
    }
}
