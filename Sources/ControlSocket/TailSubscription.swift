import Alerts
import RuleEngine
import VigilDaemon

/// A request compiled: decides, for each alert and event, whether this subscriber gets it and builds the message.
/// The daemon runs one per connected client; `vigil tail --file` runs one in-process, so both modes select
/// exactly the same way.
///
/// Choices where a selection has nothing to look at: the monitor's own notices (kernel loss, tampering, source
/// overruns) have no event, so `filter` and `container` do not apply to them and they always pass those (an
/// analyst must learn that the monitor went blind, whatever they filter on); `priority` and `rules` apply to
/// every alert. Events have no priority or rule: `filter` and `container` select them.
///
/// Not thread-safe (its filter owns an evaluator): used from one thread at a time.
public final class TailSubscription: @unchecked Sendable {
    public let request: TailRequest
    let filter: ConditionFilter
    let minimumPriority: AlertPriority?

    /// Compiles the request against the lists and macros of `definitions` (the daemon's loaded rules). The
    /// error is what to show the user: the engine's message for a filter that does not compile.
    public init(request: TailRequest, definitions: Ruleset) throws(TailProtocolError) {
        self.request = request
        if let p = request.priority {
            guard let priority = AlertPriority(name: p) else {
                throw TailProtocolError(message: "priority '\(p)' is not one of \(AlertPriority.allCases.map(\.name).joined(separator: ", "))")
            }
            minimumPriority = priority
        } else {
            minimumPriority = nil
        }
        var parts: [String] = []
        // The filter alone stays as written, so the engine's offsets point into what the user typed.
        if let f = request.filter, !f.allSatisfy(\.isWhitespace) { parts.append(request.container == nil ? f : "(\(f))") }
        if let c = request.container, !c.isEmpty {
            let q = Self.quoted(c)
            var alternatives = ["container.name = \(q)", "container.id = \(q)", "container.full_id = \(q)"]
            if c.count > 12, c.allSatisfy(\.isHexDigit) { alternatives.append("container.full_id startswith \(q)") }
            parts.append("(" + alternatives.joined(separator: " or ") + ")")
        }
        do {
            filter = try ConditionFilter(
                condition: parts.isEmpty ? nil : parts.joined(separator: " and "), fields: TailContext.fields,
                definitions: definitions)
        } catch {
            throw TailProtocolError(message: "filter does not compile: \(error.message)")
        }
    }

    /// A Falco string constant: double quotes, with `\` and `"` escaped.
    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The message for `alert`, or nil when this subscriber does not want it. `source` is the event that
    /// produced the alert (nil for the monitor's own notices).
    public func message(for alert: Alerts.Alert, source: AuditFieldSource?) -> TailMessage? {
        guard request.alerts, admits(alert) else { return nil }
        guard let source else { return .alert(alert, context: [:]) }
        guard filter.matches(eventTypeName: source.eventTypeName, source: source) else { return nil }
        return .alert(alert, context: TailContext.values(filter.context(timeNanoseconds: alert.time.nanosecondsSinceEpoch, source: source)))
    }

    /// The message for an enriched event, or nil when not wanted.
    public func message(forEvent source: AuditFieldSource) -> TailMessage? {
        guard request.events, filter.matches(eventTypeName: source.eventTypeName, source: source) else { return nil }
        let stamp = source.decoded.key.stamp
        let ns = stamp.seconds * 1_000_000_000 + Int64(stamp.milliseconds) * 1_000_000
        return .event(time: AlertTime(nanosecondsSinceEpoch: ns), fields: TailContext.values(filter.context(timeNanoseconds: ns, source: source)))
    }

    /// Priority and rule selection, which apply to every alert (with or without an event).
    public func admits(_ alert: Alerts.Alert) -> Bool {
        if let minimumPriority, alert.priority < minimumPriority { return false }
        if !request.rules.isEmpty, !request.rules.contains(where: { Self.wildcard($0, alert.rule) }) { return false }
        return true
    }

    /// `*` matches any run of characters; otherwise the whole name must match.
    static func wildcard(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8)
        let t = Array(name.utf8)
        var (pi, ti, star, mark) = (0, 0, -1, 0)
        while ti < t.count {
            if pi < p.count && p[pi] == 0x2A {
                star = pi
                mark = ti
                pi += 1
            } else if pi < p.count && p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == 0x2A { pi += 1 }
        return pi == p.count
    }
}
