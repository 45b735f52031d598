import Foundation

extension Alert {
    /// Falco's JSON alert on one line, keys in alphabetical order (as nlohmann::json emits them), plus `uuid`:
    /// `{"hostname":…,"output":…,"output_fields":{…},"priority":"Critical","rule":…,"source":…,"tags":[…],
    /// "time":"…Z","uuid":…}`. Tags are sorted, like Falco's `std::set`. Always valid UTF-8.
    public var jsonBytes: [UInt8] {
        var out = JSONOutput(capacity: 256 + output.utf8.count * 2)
        writeJSON(to: &out)
        return out.bytes
    }

    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }

    func writeJSON(to out: inout JSONOutput) {
        out.raw("{\"hostname\":")
        out.string(hostname)
        out.raw(",\"output\":")
        out.string(output)
        out.raw(",\"output_fields\":")
        // Falcosidekick rejects an alert whose output_fields is empty (HTTP 400); Falco always has at
        // least the time field, so an alert built without fields gets that one.
        let fields = outputFields.isEmpty ? ["evt.time": AlertValue.integer(time.nanosecondsSinceEpoch)] : outputFields
        AlertValue.object(fields).write(to: &out)
        out.raw(",\"priority\":")
        out.string(priority.name)
        out.raw(",\"rule\":")
        out.string(rule)
        out.raw(",\"source\":")
        out.string(source)
        out.raw(",\"tags\":[")
        for (index, tag) in tags.sorted().enumerated() {
            if index > 0 { out.raw(UInt8(ascii: ",")) }
            out.string(tag)
        }
        out.raw("],\"time\":")
        out.string(time.rfc3339)
        out.raw(",\"uuid\":")
        out.string(uuid)
        out.raw(UInt8(ascii: "}"))
    }

    /// Decodes a Falco JSON alert (as Falco or Vigil emits it). `rule`, `priority` and `time` are required, as
    /// Falcosidekick requires them; a missing `uuid` gets a new one, a missing `source` is `syscall`.
    public init(json: some Collection<UInt8>) throws(AlertDecodingError) {
        let payload: FalcoPayload
        do {
            payload = try JSONDecoder().decode(FalcoPayload.self, from: Data(json))
        } catch {
            throw AlertDecodingError(reason: "\(error)")
        }
        guard let rule = payload.rule, !rule.isEmpty else { throw AlertDecodingError(reason: "missing 'rule'") }
        guard let priorityName = payload.priority else { throw AlertDecodingError(reason: "missing 'priority'") }
        guard let priority = AlertPriority(name: priorityName) else {
            throw AlertDecodingError(reason: "unknown priority '\(priorityName)'")
        }
        guard let timeText = payload.time else { throw AlertDecodingError(reason: "missing 'time'") }
        guard let time = AlertTime(rfc3339: timeText) else {
            throw AlertDecodingError(reason: "'time' is not RFC 3339: '\(timeText)'")
        }
        self.init(
            uuid: payload.uuid.flatMap { $0.isEmpty ? nil : $0 } ?? Alert.makeUUID(), time: time, priority: priority,
            rule: rule, source: payload.source.flatMap { $0.isEmpty ? nil : $0 } ?? "syscall",
            hostname: payload.hostname ?? Alert.defaultHostname, output: payload.output ?? "",
            outputFields: payload.output_fields ?? [:], tags: payload.tags ?? [])
    }
}

public struct AlertDecodingError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "invalid alert JSON: \(reason)" }
}

private struct FalcoPayload: Decodable {
    var uuid: String?
    var hostname: String?
    var output: String?
    var output_fields: [String: AlertValue]?
    var priority: String?
    var rule: String?
    var source: String?
    var tags: [String]?
    var time: String?
}
