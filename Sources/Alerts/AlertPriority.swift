/// Falco's eight priorities, numbered like syslog severities (emergency = 0 … debug = 7).
///
/// Ordering follows severity: `.emergency > .debug`, so a sink threshold reads naturally
/// (`alert.priority >= threshold`).
public enum AlertPriority: Int, Sendable, CaseIterable, Hashable {
    case emergency = 0
    case alert = 1
    case critical = 2
    case error = 3
    case warning = 4
    case notice = 5
    case informational = 6
    case debug = 7

    /// The long name Falco prints and sends (`Warning`, `Informational`).
    public var name: String {
        switch self {
        case .emergency: "Emergency"
        case .alert: "Alert"
        case .critical: "Critical"
        case .error: "Error"
        case .warning: "Warning"
        case .notice: "Notice"
        case .informational: "Informational"
        case .debug: "Debug"
        }
    }

    /// The RFC 5424 severity; Falco's priorities are defined with the same numbers.
    public var syslogSeverity: Int { rawValue }

    /// Parses the names Falco and Falcosidekick accept, case-insensitively (`info` and `informational`).
    public init?(name: String) {
        switch name.lowercased() {
        case "emergency", "emerg": self = .emergency
        case "alert": self = .alert
        case "critical", "crit": self = .critical
        case "error", "err": self = .error
        case "warning", "warn": self = .warning
        case "notice": self = .notice
        case "informational", "info": self = .informational
        case "debug": self = .debug
        default: return nil
        }
    }
}

extension AlertPriority: Comparable {
    /// More severe is greater.
    public static func < (lhs: AlertPriority, rhs: AlertPriority) -> Bool { lhs.rawValue > rhs.rawValue }
}

extension AlertPriority: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let priority = AlertPriority(name: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unknown priority '\(text)' (expected emergency … debug)")
        }
        self = priority
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension AlertPriority: CustomStringConvertible {
    public var description: String { name }
}
