import NIOConcurrencyHelpers

/// Settings for folding repeats (falco#482, falco#1456: hundreds of identical alerts per `apt-get`).
public struct AggregationSettings: Sendable, Hashable {
    public var enabled: Bool
    /// How long after the first occurrence repeats are folded into one alert.
    public var window: Duration
    /// Rules never aggregated (every occurrence is sent).
    public var excludedRules: Set<String>
    /// `output_fields` keys tried in order to name the container, then the process, of an occurrence.
    public var containerFields: [String]
    public var processFields: [String]
    /// Distinct (rule, container, process) keys tracked at once; beyond it alerts pass unaggregated.
    public var maximumKeys: Int

    public init(
        enabled: Bool = true, window: Duration = .seconds(60), excludedRules: Set<String> = [],
        containerFields: [String] = ["container.id"], processFields: [String] = ["proc.exepath", "proc.name"],
        maximumKeys: Int = 10_000
    ) {
        self.enabled = enabled
        self.window = window
        self.excludedRules = excludedRules
        self.containerFields = containerFields
        self.processFields = processFields
        self.maximumKeys = maximumKeys
    }

    public static let disabled = AggregationSettings(enabled: false)
}

/// Folds repeats of the same rule, container and process within a window.
///
/// The first occurrence is sent at once (an attack is never delayed by aggregation); the repeats within
/// the window are held back and sent as one alert when the window closes, carrying
/// `vigil.repeat.count` (how many occurrences it stands for, the first excluded), `vigil.repeat.first_time`
/// and `vigil.repeat.last_time` in `output_fields`. So every occurrence is accounted for exactly once:
/// the sum of 1 per plain alert plus `count` per aggregated alert equals the number of occurrences.
final class RepeatAggregator: Sendable {
    let settings: AggregationSettings
    private let entries = NIOLockedValueBox([String: Entry]())

    private struct Entry: Sendable {
        var windowEnd: ContinuousClock.Instant
        var repeats = 0
        var firstRepeat: AlertTime?
        var lastRepeat: Alert?
    }

    init(settings: AggregationSettings) {
        self.settings = settings
    }

    /// True if the alert is to be sent now; false if it was folded into a pending aggregate.
    /// An expired window's aggregate, if any, is returned to be sent first.
    func admit(_ alert: Alert, now: ContinuousClock.Instant = .now) -> (send: Bool, closed: Alert?) {
        guard settings.enabled, !settings.excludedRules.contains(alert.rule) else { return (true, nil) }
        let key = self.key(alert)
        return entries.withLockedValue { entries in
            if var entry = entries[key], now < entry.windowEnd {
                entry.repeats += 1
                if entry.firstRepeat == nil { entry.firstRepeat = alert.time }
                entry.lastRepeat = alert
                entries[key] = entry
                return (false, nil)
            }
            let closed = entries[key].flatMap(summary)
            if entries[key] != nil || entries.count < settings.maximumKeys {
                entries[key] = Entry(windowEnd: now + settings.window)
            }
            return (true, closed)
        }
    }

    /// Aggregates whose window has closed (all of them with `everything`), removed from the table.
    func expired(now: ContinuousClock.Instant = .now, everything: Bool = false) -> [Alert] {
        entries.withLockedValue { entries in
            var result: [Alert] = []
            for (key, entry) in entries where everything || now >= entry.windowEnd {
                if let alert = summary(entry) { result.append(alert) }
                entries[key] = nil
            }
            return result.sorted { $0.time < $1.time }
        }
    }

    private func key(_ alert: Alert) -> String {
        func first(_ names: [String]) -> String {
            for name in names {
                if let value = alert.outputFields[name], value != .null { return value.textValue }
            }
            return ""
        }
        return alert.rule + "\u{0}" + first(settings.containerFields) + "\u{0}" + first(settings.processFields)
    }

    private func summary(_ entry: Entry) -> Alert? {
        guard entry.repeats > 0, var alert = entry.lastRepeat, let first = entry.firstRepeat else { return nil }
        let last = alert.time
        alert.uuid = Alert.makeUUID()
        alert.outputFields[Alert.AggregationField.count] = .integer(Int64(entry.repeats))
        alert.outputFields[Alert.AggregationField.firstTime] = .string(first.rfc3339)
        alert.outputFields[Alert.AggregationField.lastTime] = .string(last.rfc3339)
        alert.output += " (repeated \(entry.repeats) times from \(first.rfc3339) to \(last.rfc3339))"
        return alert
    }
}
