/// Renders alerts as RFC 5424 messages:
/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [vigil@32473 rule="…" priority="…" container="…"
/// source="…" uuid="…" tags="…"] MSG`, with PRI = facility × 8 + severity, and Falco's priority as the
/// severity (the numbers are the same: Emergency = 0 … Debug = 7). MSG is the escaped text line, so the
/// message never spans lines (needed for UDP and `/dev/log`, where there is no framing).
public struct SyslogFormatter: Sendable {
    public var facility: SyslogFacility
    public var appName: String
    /// `name@<private enterprise number>`; 32473 is the number RFC 5612 reserves for examples and
    /// documentation: sites with their own number should set theirs.
    public var structuredDataID: String
    public var messageID: String
    /// Longer messages have their MSG cut (at a character boundary) to fit.
    public var maximumMessageBytes: Int
    public var processID: String

    public init(
        facility: SyslogFacility = .user, appName: String = "vigil", structuredDataID: String = "vigil@32473",
        messageID: String = "alert", maximumMessageBytes: Int = 8192, processID: String = "-"
    ) {
        self.facility = facility
        self.appName = appName
        self.structuredDataID = structuredDataID
        self.messageID = messageID
        self.maximumMessageBytes = max(480, maximumMessageBytes)
        self.processID = processID
    }

    public func message(_ alert: Alert) -> [UInt8] {
        let pri = facility.rawValue * 8 + alert.priority.syslogSeverity
        var head = "<\(pri)>1 \(alert.time.rfc5424) \(Self.headerField(alert.hostname, limit: 255)) "
        head += "\(Self.headerField(appName, limit: 48)) \(Self.headerField(processID, limit: 128)) "
        head += "\(Self.headerField(messageID, limit: 32)) "
        var sd = "[\(Self.sdName(structuredDataID))"
        let params: [(String, String)] = [
            ("rule", alert.rule), ("priority", alert.priority.name), ("container", alert.containerID ?? "host"),
            ("source", alert.source), ("uuid", alert.uuid), ("tags", alert.tags.sorted().joined(separator: ",")),
        ]
        for (name, value) in params { sd += " \(name)=\"\(Self.paramValue(value))\"" }
        sd += "]"
        var bytes = Array((head + sd).utf8)
        let body = alert.textLine.utf8
        let room = maximumMessageBytes - bytes.count - 1
        if room > 0 {
            bytes.append(0x20)
            if body.count <= room {
                bytes.append(contentsOf: body)
            } else {
                // Cut at a UTF-8 boundary so the message stays valid.
                var cut = room
                let body = Array(body)
                while cut > 0, body[cut] & 0xC0 == 0x80 { cut -= 1 }
                bytes.append(contentsOf: body[0..<cut])
            }
        }
        return bytes
    }

    /// HOSTNAME, APP-NAME, PROCID, MSGID: printable US-ASCII without spaces, `-` if empty.
    static func headerField(_ text: String, limit: Int) -> String {
        let cleaned = String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(limit).map { $0.value > 32 && $0.value < 127 ? $0 : "_" }))
        return cleaned.isEmpty ? "-" : cleaned
    }

    /// SD-NAME: printable US-ASCII except `=`, space, `]`, `"`; at most 32 characters.
    static func sdName(_ text: String) -> String {
        let cleaned = String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(32).map { scalar in
                    scalar.value > 32 && scalar.value < 127 && !"=]\"".unicodeScalars.contains(scalar) ? scalar : "_"
                }))
        return cleaned.isEmpty ? "vigil" : cleaned
    }

    /// PARAM-VALUE: `"`, `\` and `]` escaped with a backslash (RFC 5424 §6.3.3), control characters escaped
    /// first like the text line.
    static func paramValue(_ text: String) -> String {
        var out = ""
        for character in TextEscaping.escapeLine(text) {
            if character == "\"" || character == "\\" || character == "]" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// RFC 6587 octet counting: `MSG-LEN SP SYSLOG-MSG`, for TCP and TLS (RFC 5425 uses the same framing).
    public static func octetCounted(_ message: [UInt8]) -> [UInt8] {
        Array("\(message.count) ".utf8) + message
    }
}
