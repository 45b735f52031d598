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

extension Alert {
    /// A uuid that is the same every time the same event raises the same rule on the same host (FNV-1a over
    /// the three, 128 bits, RFC 9562 version 8). A restart after SIGKILL reads the last moments of a log again
    /// and may raise their alerts again: with a stable uuid a SIEM (or `jq`) can fold those repeats.
    public static func stableUUID(host: String, event: String, rule: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in host.utf8 + [0] + event.utf8 + [0] + rule.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = b.rotatedLeft(5)
        }
        a = (a & ~(0xF << 12)) | (0x8 << 12)  // version 8 (the third group's first digit)
        b = (b & ~(0x3 << 62)) | (0x2 << 62)  // variant 10 (the fourth group's first bits)
        let hex = String(a, radix: 16).leftPadded(16) + String(b, radix: 16).leftPadded(16)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-"
            + String(c[20..<32])
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
