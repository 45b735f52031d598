import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One alert: what Falco puts in its text line and JSON document.
public struct Alert: Sendable {
    public var rule: String
    public var priority: Priority
    public var source: String
    public var tags: [String]
    public var hostname: String
    /// Event time, nanoseconds since the epoch.
    public var timeNanoseconds: Int64
    /// The rendered rule output (without time and priority).
    public var message: [UInt8]
    /// `output_fields`: one entry per output token (transformer tokens contribute their inner fields), sorted.
    public var fields: [(key: String, value: FieldValue?, isAncestorList: Bool)]
    public var uuid: String
}

/// Formatter: renders a matched rule's output for one event (Falco `formats`, §4.1–4.3).
public struct AlertFormatter: Sendable {
    public enum TimeFormat: Sendable {
        /// `HH:MM:SS.nnnnnnnnn` in local time (Falco's default text prefix).
        case local
        /// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (`time_format_iso_8601: true`).
        case iso8601
    }

    public var hostname: String
    public var timeFormat: TimeFormat

    /// `hostname` defaults to `$FALCO_HOSTNAME`, else `gethostname()`, as Falco.
    public init(hostname: String? = nil, timeFormat: TimeFormat = .local) {
        self.hostname = hostname ?? ProcessInfo.processInfo.environment["FALCO_HOSTNAME"] ?? Self.systemHostname()
        self.timeFormat = timeFormat
    }

    static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Builds the alert of `rule` for the event the evaluator just matched (same `source`), reusing its cache.
    public func alert<Source: FieldSource>(
        rule: CompiledRule, timeNanoseconds: Int64, source: Source, evaluator: RuleEvaluator
    ) -> Alert {
        var message: [UInt8] = []
        var fields: [String: (FieldValue?, Bool)] = [:]
        for part in rule.output.parts {
            switch part {
            case .text(let bytes): message += bytes
            case .token(let i):
                let token = rule.output.tokens[i]
                var rendered = Self.text(of: token, source, evaluator)
                if let width = token.width {
                    if rendered.count > width {
                        rendered = Array(rendered.prefix(width))
                    } else {
                        rendered += [UInt8](repeating: 0x20, count: width - rendered.count)
                    }
                }
                message += rendered
                for (key, compiled, _, anyAncestor) in token.keys where key != "container.info" {
                    fields[key] = (evaluator.value(compiled, source), anyAncestor)
                }
            }
        }
        for (key, format) in rule.output.extraFields {
            // A bare field keeps its type (a number stays a number); a format is rendered as text.
            if format.parts.count == 1, case .token(let i) = format.parts[0], format.tokens[i].width == nil {
                let token = format.tokens[i]
                fields[key] = (evaluator.value(token.value, source), token.anyAncestor)
            } else {
                var text: [UInt8] = []
                for part in format.parts {
                    switch part {
                    case .text(let bytes): text += bytes
                    case .token(let i): text += Self.text(of: format.tokens[i], source, evaluator)
                    }
                }
                fields[key] = (.string(text), false)
            }
        }
        return Alert(
            rule: rule.name, priority: rule.priority, source: rule.source, tags: rule.tags, hostname: hostname,
            timeNanoseconds: timeNanoseconds, message: message,
            fields: fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.0, $0.value.1) },
            uuid: UUID().uuidString.lowercased())
    }

    /// A token's text for this event: its value, `<NA>` when missing, nothing for the deprecated `%container.info`.
    static func text<Source: FieldSource>(of token: OutputFormat.Token, _ source: Source, _ evaluator: RuleEvaluator)
        -> [UInt8]
    {
        if token.name == "container.info" { return [] }
        guard let value = evaluator.value(token.value, source) else { return Array("<NA>".utf8) }
        return render(value, ancestorList: token.anyAncestor)
    }

    /// Text form of a value: lists as `(a,b)`, ancestor fields without index space-separated.
    static func render(_ value: FieldValue, ancestorList: Bool) -> [UInt8] {
        if ancestorList, case .list(let items) = value { return Array(items.joined(separator: [0x20])) }
        return Transformers.render(value)
    }

    /// `<time>: <Priority> <output>` (§4.2).
    public func textLine(_ alert: Alert) -> [UInt8] {
        Array(timePrefix(alert.timeNanoseconds).utf8) + Array(": \(alert.priority.name) ".utf8) + alert.message
    }

    func timePrefix(_ ns: Int64) -> String {
        var seconds = time_t(ns / 1_000_000_000)
        let fraction = Int((ns % 1_000_000_000 + 1_000_000_000) % 1_000_000_000)
        var parts = tm()
        switch timeFormat {
        case .local:
            localtime_r(&seconds, &parts)
            return String(format: "%02d:%02d:%02d.%09d", parts.tm_hour, parts.tm_min, parts.tm_sec, fraction)
        case .iso8601:
            gmtime_r(&seconds, &parts)
            return String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%09d+0000", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, fraction)
        }
    }

    /// RFC 3339 UTC with nanoseconds: `2023-05-25T13:44:05.478445995Z`.
    public static func rfc3339(_ ns: Int64) -> String {
        var seconds = time_t(ns / 1_000_000_000)
        let fraction = Int((ns % 1_000_000_000 + 1_000_000_000) % 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, fraction)
    }

    /// Falco's JSON alert, keys in alphabetical order, plus `uuid` (what Falcosidekick would add): one line,
    /// valid UTF-8, accepted by Falcosidekick's `Check()` (priority, rule, RFC 3339 time, non-empty output_fields —
    /// `evt.time` is always present).
    public func json(_ alert: Alert) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + alert.message.count * 2)
        func key(_ k: String, first: Bool = false) {
            if !first { out.append(0x2C) }
            JSONText.appendString(k, to: &out)
            out.append(0x3A)
        }
        out.append(0x7B)
        key("hostname", first: true)
        JSONText.appendString(alert.hostname, to: &out)
        key("output")
        JSONText.appendString(textLine(alert), to: &out)
        key("output_fields")
        out.append(0x7B)
        var fields = alert.fields
        let timeKey = timeFormat == .iso8601 ? "evt.time.iso8601" : "evt.time"
        if !fields.contains(where: { $0.key == timeKey }) {
            let value: FieldValue =
                timeFormat == .iso8601
                ? .string(timePrefix(alert.timeNanoseconds)) : .signed(alert.timeNanoseconds)
            fields.append((timeKey, value, false))
            fields.sort { $0.key < $1.key }
        }
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(0x2C) }
            JSONText.appendString(field.key, to: &out)
            out.append(0x3A)
            if field.isAncestorList, case .list(let items)? = field.value {
                JSONText.appendString(Array(items.joined(separator: [0x20])), to: &out)
            } else {
                Self.appendJSON(field.value, to: &out)
            }
        }
        out.append(0x7D)
        key("priority")
        JSONText.appendString(alert.priority.name, to: &out)
        key("rule")
        JSONText.appendString(alert.rule, to: &out)
        key("source")
        JSONText.appendString(alert.source, to: &out)
        key("tags")
        out.append(0x5B)
        for (i, tag) in alert.tags.enumerated() {
            if i > 0 { out.append(0x2C) }
            JSONText.appendString(tag, to: &out)
        }
        out.append(0x5D)
        key("time")
        JSONText.appendString(Self.rfc3339(alert.timeNanoseconds), to: &out)
        key("uuid")
        JSONText.appendString(alert.uuid, to: &out)
        out.append(0x7D)
        return out
    }

    static func appendJSON(_ value: FieldValue?, to out: inout [UInt8]) {
        guard let value else {
            out += Array("null".utf8)
            return
        }
        switch value {
        case .string(let b), .bytes(let b): JSONText.appendString(b, to: &out)
        case .signed(let v): out += Array(String(v).utf8)
        case .unsigned(let v): out += Array(String(v).utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .ip(let ip): JSONText.appendString(ip.description, to: &out)
        case .list(let items):
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                JSONText.appendString(item, to: &out)
            }
            out.append(0x5D)
        }
    }
}
