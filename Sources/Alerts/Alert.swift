#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One alert, whether it comes from a rule match or from the baseline detector: the fields of Falco's JSON
/// alert (`hostname, output, output_fields, priority, rule, source, tags, time`) plus a `uuid`, so that a
/// receiver can recognise the duplicates that at-least-once delivery may produce (Falcosidekick also reads it).
public struct Alert: Sendable, Hashable {
    /// Lower-case UUID; stays the same through spooling and retries.
    public var uuid: String
    public var time: AlertTime
    public var priority: AlertPriority
    public var rule: String
    /// `syscall` for rule alerts on audit events, `internal` for the daemon's own, a baseline source name for
    /// baseline alerts.
    public var source: String
    public var hostname: String
    /// The full text line as Falco builds it: `<time>: <Priority> <message>`.
    public var output: String
    /// Keyed by the literal output token (`proc.aname[2]`), as Falco does.
    public var outputFields: [String: AlertValue]
    public var tags: [String]

    public init(
        uuid: String = Alert.makeUUID(), time: AlertTime, priority: AlertPriority, rule: String,
        source: String = "syscall", hostname: String = Alert.defaultHostname, output: String,
        outputFields: [String: AlertValue] = [:], tags: [String] = []
    ) {
        self.uuid = uuid
        self.time = time
        self.priority = priority
        self.rule = rule
        self.source = source
        self.hostname = hostname
        self.output = output
        self.outputFields = outputFields
        self.tags = tags
    }

    /// Builds `output` the way Falco does (`time_format_iso_8601: false`): `HH:MM:SS.nnnnnnnnn: Priority message`,
    /// and puts `evt.time` into `output_fields` if the caller has not.
    public init(
        uuid: String = Alert.makeUUID(), time: AlertTime, priority: AlertPriority, rule: String, message: String,
        source: String = "syscall", hostname: String = Alert.defaultHostname, outputFields: [String: AlertValue] = [:],
        tags: [String] = [], iso8601Prefix: Bool = false
    ) {
        var fields = outputFields
        if iso8601Prefix {
            if fields["evt.time.iso8601"] == nil { fields["evt.time.iso8601"] = .string(time.rfc3339) }
        } else if fields["evt.time"] == nil {
            fields["evt.time"] = .integer(time.nanosecondsSinceEpoch)
        }
        let prefix = iso8601Prefix ? time.rfc3339 : time.falcoLocalTime
        self.init(
            uuid: uuid, time: time, priority: priority, rule: rule, source: source, hostname: hostname,
            output: "\(prefix): \(priority.name) \(message)", outputFields: fields, tags: tags)
    }

    public static func makeUUID() -> String { UUID().uuidString.lowercased() }

    /// `$VIGIL_HOSTNAME`, else `$FALCO_HOSTNAME` (Falco's variable), else `gethostname()`.
    public static let defaultHostname: String = {
        let environment = ProcessInfo.processInfo.environment
        if let name = environment["VIGIL_HOSTNAME"] ?? environment["FALCO_HOSTNAME"], !name.isEmpty { return name }
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Fields that repeat aggregation adds to `output_fields` (they reach Falcosidekick's outputs as is).
    public enum AggregationField {
        public static let count = "vigil.repeat.count"
        public static let firstTime = "vigil.repeat.first_time"
        public static let lastTime = "vigil.repeat.last_time"
    }

    /// For an alert that stands for repeats: how many occurrences and the time span they cover.
    public var repeatCount: Int? {
        if case .integer(let count)? = outputFields[AggregationField.count] { return Int(count) }
        return nil
    }

    /// The container id (`container.id`), if the alert has one.
    public var containerID: String? {
        if case .string(let id)? = outputFields["container.id"] { return id }
        return nil
    }
}
