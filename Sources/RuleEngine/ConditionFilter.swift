/// One Falco condition written outside any rules file (`vigil tail --filter 'container.name=web and evt.type in
/// (execve, connect)'`), compiled by the same compiler as the rules and against the same lists, macros, fields
/// and event types as a loaded ``Ruleset``: a filter means exactly what it would mean in a rule.
///
/// It also renders a fixed set of fields for the event it just evaluated (the context an investigation view shows
/// beside an alert: process, container, ancestry), through the same formatter as rule outputs.
///
/// Not thread-safe (it owns an evaluator and its per-event cache): build it anywhere, then use it from one thread
/// at a time. It is `@unchecked Sendable` so it can be built on one thread and handed to the one that uses it.
public final class ConditionFilter: @unchecked Sendable {
    /// The condition as given; nil when every event passes.
    public let condition: String?
    /// The fields ``context(timeNanoseconds:source:)`` renders.
    public let fieldNames: [String]
    private let ruleset: Ruleset
    private let rule: CompiledRule
    private let evaluator: RuleEvaluator
    private let formatter = AlertFormatter(hostname: "")
    private var codes: [String: EventTypeCode?] = [:]

    /// Compiles `condition` (nil: no condition) against the lists and macros of `definitions`; `fields` are Falco
    /// field expressions (`proc.aname[2]`). Errors carry the engine's message, with the offset in the condition.
    public init(condition: String?, fields: [String], definitions: Ruleset) throws(ConditionFilterError) {
        self.condition = condition
        self.fieldNames = fields
        var collector = definitions.definitions
        let origin = SourceLocation(file: "filter", line: 1, column: 1)
        let item = RuleItem(
            name: "vigil filter", location: origin, keys: ["rule", "condition", "output", "desc", "priority"],
            // A condition every audit event meets, when none is given (the formatter still needs an evaluation).
            condition: condition ?? "evt.num >= 0", conditionLocation: origin,
            output: fields.map { "%" + $0 }.joined(separator: " "), outputLocation: origin, desc: "filter",
            priority: .emergency, source: "syscall", enabled: true, tags: [], exceptions: nil, warnEvttypes: false,
            skipIfUnknownFilter: nil, capture: nil, captureDuration: nil, append: false, override: [:])
        let compiled: RuleCompiler.Output
        do {
            try collector.collect(.rule(item), engineVersion: RuleLoader.engineVersion)
            compiled = try RuleCompiler(registry: definitions.registry, eventTypes: definitions.eventTypes, priorityThreshold: .debug)
                .compile(collector)
        } catch let failure as RuleCollector.Failure {
            throw ConditionFilterError(message: failure.diagnostic.message)
        } catch let failure as RuleCompiler.Failure {
            throw ConditionFilterError(message: failure.diagnostic.message)
        } catch {
            throw ConditionFilterError(message: "\(error)")
        }
        guard let rule = compiled.rules.first else { throw ConditionFilterError(message: "the filter did not compile") }
        let ruleset = Ruleset(
            rules: [rule], slots: compiled.slots, matchMode: .all, eventTypes: definitions.eventTypes,
            registry: definitions.registry, diagnostics: [])
        self.ruleset = ruleset
        self.rule = rule
        self.evaluator = RuleEvaluator(ruleset: ruleset)
    }

    /// Whether the event `source` describes meets the condition (true without one). Starts a new event: call it
    /// before ``context(timeNanoseconds:source:)`` for the same event.
    public func matches<Source: FieldSource>(eventTypeName: String, source: Source) -> Bool {
        let code: EventTypeCode?
        if let cached = codes[eventTypeName] {
            code = cached
        } else {
            code = ruleset.eventTypes.code(for: eventTypeName)
            codes[eventTypeName] = code
        }
        let result = evaluator.evaluate(rule, eventType: code, source: source)
        return condition == nil || result
    }

    /// The context fields of the event last passed to ``matches(eventTypeName:source:)``, in the order given
    /// (a missing field is nil; an ancestor field without index is a list).
    public func context<Source: FieldSource>(timeNanoseconds: Int64, source: Source) -> [(key: String, value: FieldValue?)] {
        let alert = formatter.alert(rule: rule, timeNanoseconds: timeNanoseconds, source: source, evaluator: evaluator)
        var byKey: [String: FieldValue?] = [:]
        for f in alert.fields { byKey[f.key] = f.value }
        return fieldNames.map { ($0, byKey[$0] ?? nil) }
    }
}

/// A filter that does not compile: the engine's message (what is wrong, at which offset of the condition).
public struct ConditionFilterError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
