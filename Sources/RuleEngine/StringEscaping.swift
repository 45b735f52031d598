/// Quoting rules of libsinsp's `filter/escaping.cpp` (§2.3): what a quoted condition string means, and how the
/// canonical printer writes a value back so that it parses to the same value.
public enum StringEscaping {
    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// Unescapes a quoted token including its delimiters. Escapes: `\b \f \n \r \t \\ \/`, `\"` only inside
    /// `"…"`, `\'` only inside `'…'`, and `\<space>` which yields a backslash (legacy rules depend on it).
    /// Anything else, `\x` included (master-only in libs), is an error.
    public static func unescape(quoted token: [UInt8]) throws(Failure) -> String {
        guard token.count >= 2 else { return "" }
        let delimiter = token[0]
        var out: [UInt8] = []
        out.reserveCapacity(token.count)
        var escaped = false
        for c in token[1..<(token.count - 1)] {
            if !escaped {
                if c == 0x5C { escaped = true } else { out.append(c) }
                continue
            }
            switch c {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: " "), 0x5C: out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case 0x22:
                guard delimiter == 0x22 else { throw Failure(message: "invalid \\\" escape in '-quoted string") }
                out.append(0x22)
            case 0x27:
                guard delimiter == 0x27 else { throw Failure(message: "invalid \\' escape in \"-quoted string") }
                out.append(0x27)
            default:
                throw Failure(
                    message: "unsupported string escape sequence: \\\(String(decoding: [c], as: UTF8.self))")
            }
            escaped = false
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The printed form of a value: libsinsp's `escape_str` (double-quoted with escapes when it contains blanks,
    /// quotes, backslashes or control characters), extended to also quote values a bare string cannot carry
    /// (empty, or containing `( ) , =`), so that printed conditions always parse back to the same tree.
    public static func printable(_ value: String) -> String {
        let (body, quote) = escapedBody(value)
        return quote ? "\"" + body + "\"" : body
    }

    /// Always-quoted form (transformer string arguments, field arguments that need quotes).
    public static func quoted(_ value: String) -> String { "\"" + escapedBody(value).body + "\"" }

    /// The escaped text and whether it needs quotes. libsinsp finds the closing quote as the first one not
    /// preceded by a backslash, so a trailing backslash is written as the legacy `\<space>` escape (which also
    /// means a backslash) instead of `\\`, or the closing quote would be taken as escaped.
    static func escapedBody(_ value: String) -> (body: String, needsQuotes: Bool) {
        var body = ""
        var quote = value.isEmpty
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\u{08}":
                body += "\\b"
                quote = true
            case "\u{0C}":
                body += "\\f"
                quote = true
            case "\n":
                body += "\\n"
                quote = true
            case "\r":
                body += "\\r"
                quote = true
            case "\t":
                body += "\\t"
                quote = true
            case " ":
                body += " "
                quote = true
            case "\\":
                body += "\\\\"
                quote = true
            case "\"":
                body += "\\\""
                quote = true
            case "'":
                body += "'"
                quote = true
            case "(", ")", ",", "=", "\u{0B}":
                body.unicodeScalars.append(scalar)
                quote = true
            default: body.unicodeScalars.append(scalar)
            }
        }
        if body.hasSuffix("\\\\") {
            body.removeLast(2)
            body += "\\ "
        }
        return (body, quote)
    }
}
