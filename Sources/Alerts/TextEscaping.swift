/// Escaping for values that came from events (file names, command lines) before they reach a line-oriented
/// output. A file named `"\n[CRITICAL] fake"` must not start a new line in a log, and `ESC [ 2 J` must not
/// drive the operator's terminal.
public enum TextEscaping {
    /// Escapes a string for a one-line text rendering (stdout text, file text, syslog MSG, program text):
    /// `\` → `\\`; `\n` `\r` `\t` → their two-character forms; every other C0 control, DEL and C1 control
    /// (ESC included, which defuses ANSI sequences) → `\xNN`; line/paragraph separators and bidirectional
    /// overrides (which can visually reorder a line) → `\u{NNNN}`. Everything else is kept as is.
    public static func escapeLine(_ text: String) -> String {
        // Fast path: most alert text needs no escaping.
        if !text.unicodeScalars.contains(where: needsEscape) { return text }
        var out = String()
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F, 0x80..<0xA0: out += "\\x" + hex2(UInt8(scalar.value & 0xFF))
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x5C, 0..<0x20, 0x7F, 0x80..<0xA0: true
        case 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// Turns bytes taken from an event into a valid UTF-8 string without losing information: valid UTF-8
    /// is kept, each byte of an invalid sequence becomes the four characters `\xNN`. (Replacing with U+FFFD,
    /// as Falco master does, would lose the original bytes an investigator may need.)
    public static func string<Bytes: Collection>(fromUntrustedBytes bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var out = String()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var pending = Array(bytes)[...]
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                out.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                pending = pending.dropFirst(encoded.count)
            case .error(let length):
                for byte in pending.prefix(length) { out += "\\x" + hex2(byte) }
                pending = pending.dropFirst(length)
            case .emptyInput:
                return out
            }
        }
    }
}

@inline(__always)
func hex2(_ byte: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
}
