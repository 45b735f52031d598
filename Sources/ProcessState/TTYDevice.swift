import AuditStream

/// Falco's `proc.tty` is the controlling terminal's device number; audit gives its name (`pts3`, `tty1`,
/// `(none)`). The name maps back to the device as the kernel numbers them (new_encode_dev).
public enum TTYDevice {
    public static func number(name: Bytes?) -> UInt32? {
        guard let name else { return 0 }  // `tty=(none)` decodes to nil: no terminal
        let s = String(decoding: name, as: UTF8.self)
        func digits(_ prefix: String) -> UInt32? {
            guard s.hasPrefix(prefix) else { return nil }
            let rest = s.dropFirst(prefix.count)
            guard !rest.isEmpty, rest.allSatisfy(\.isASCII), rest.allSatisfy(\.isNumber) else { return nil }
            return UInt32(rest)
        }
        if s == "(none)" || s.isEmpty { return 0 }
        if let n = digits("pts") { return encode(major: 136 + n / 256, minor: n % 256) }
        if let n = digits("ttyS") { return encode(major: 4, minor: 64 + n) }
        if let n = digits("tty") { return encode(major: 4, minor: n) }
        if s == "console" { return encode(major: 5, minor: 1) }
        return nil
    }

    static func encode(major: UInt32, minor: UInt32) -> UInt32 {
        (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)
    }
}
