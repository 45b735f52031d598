import Alerts
import RuleEngine

/// The fields of an event that an investigation view shows beside an alert, whatever the rule's own output
/// listed: who (process, user), where (container), on what (fd), and how it got there (ancestry with command
/// lines, for `vigil tail --tree`).
public enum TailContext {
    /// Ancestors rendered by `--tree` (parent = 1).
    public static let ancestry = 6

    public static let fields: [String] =
        [
            "evt.type", "evt.res", "proc.pid", "proc.name", "proc.exepath", "proc.cmdline", "user.name", "user.uid",
            "container.id", "container.name", "container.image.repository", "fd.name",
        ] + (1...ancestry).flatMap { ["proc.apid[\($0)]", "proc.aname[\($0)]", "proc.acmdline[\($0)]"] }

    /// An engine value as the alert model types it: text from the event stays text, invalid UTF-8 is kept as
    /// `\xNN` (never dropped, never passed raw), missing fields are left out.
    public static func values(_ fields: [(key: String, value: FieldValue?)]) -> [String: AlertValue] {
        var out: [String: AlertValue] = [:]
        for (key, value) in fields {
            guard let value else { continue }
            out[key] = alertValue(value)
        }
        return out
    }

    static func alertValue(_ value: FieldValue) -> AlertValue {
        switch value {
        case .string(let b), .bytes(let b): .bytes(b)
        case .signed(let v): .integer(v)
        case .unsigned(let v): .unsigned(v)
        case .bool(let b): .bool(b)
        case .ip(let ip): .string(ip.description)
        case .list(let items): .array(items.map { .bytes($0) })
        }
    }
}
