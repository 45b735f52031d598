/// Falco priorities, most severe first; the raw value is the syslog level Falco uses (0 = emergency).
public enum Priority: Int, Hashable, Sendable, CaseIterable, Comparable {
    case emergency = 0
    case alert, critical, error, warning, notice, informational, debug

    /// Case-insensitive, accepting `info` for informational (falco_common.cpp).
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "emergency": self = .emergency
        case "alert": self = .alert
        case "critical": self = .critical
        case "error": self = .error
        case "warning": self = .warning
        case "notice": self = .notice
        case "informational", "info": self = .informational
        case "debug": self = .debug
        default: return nil
        }
    }

    /// The long form used in alerts (`Informational`, never `Info`).
    public var name: String {
        switch self {
        case .emergency: return "Emergency"
        case .alert: return "Alert"
        case .critical: return "Critical"
        case .error: return "Error"
        case .warning: return "Warning"
        case .notice: return "Notice"
        case .informational: return "Informational"
        case .debug: return "Debug"
        }
    }

    /// Lower raw value = more severe; `a < b` means a is *more* severe.
    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether a rule of this priority passes a `priority:` threshold (as severe or more).
    public func meets(_ threshold: Priority) -> Bool { rawValue <= threshold.rawValue }
}
