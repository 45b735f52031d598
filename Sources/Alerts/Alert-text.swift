extension Alert {
    /// Falco's text line (`json_output: false`): the `output` string, which already reads
    /// `<time>: <Priority> <message>`, with control characters, newlines and ANSI escapes escaped so that text
    /// taken from an event cannot forge a second line or drive a terminal. Without an `output` the line is
    /// built from the other fields.
    public var textLine: String {
        if !output.isEmpty { return TextEscaping.escapeLine(output) }
        return TextEscaping.escapeLine("\(time.rfc3339): \(priority.name) \(rule)")
    }
}

/// How a line-oriented sink renders an alert.
public enum AlertLineFormat: String, Sendable, Codable, CaseIterable {
    /// Falco's text line, escaped.
    case text
    /// Falco's JSON alert (plus `uuid`), one per line.
    case json

    /// The rendered line including the trailing newline.
    public func line(_ alert: Alert) -> [UInt8] {
        switch self {
        case .text:
            var bytes = Array(alert.textLine.utf8)
            bytes.append(0x0A)
            return bytes
        case .json:
            var bytes = alert.jsonBytes
            bytes.append(0x0A)
            return bytes
        }
    }
}
