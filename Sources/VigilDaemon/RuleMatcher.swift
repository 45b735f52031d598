import AuditStream
import ProcessState
import RuleEngine

/// Rules over decoded events: the ruleset, one evaluator (its per-event field cache) and the formatter, with
/// the event-type code cached per syscall name so the hot path does not hash a name per event.
public final class RuleMatcher {
    public let ruleset: Ruleset
    public let evaluator: RuleEvaluator
    public let formatter: AlertFormatter
    public let hostname: String
    let map: AuditFieldMap
    private var eventNumber: UInt64 = 0
    private var codes: [String: EventTypeCode?] = [:]
    private var codesByNumber = SyscallNumberCache<EventTypeCode?>()
    public private(set) var matches: [String: Int] = [:]

    public init(ruleset: Ruleset, hostname: String? = nil) {
        self.ruleset = ruleset
        self.evaluator = RuleEvaluator(ruleset: ruleset)
        self.formatter = AlertFormatter(hostname: hostname)
        self.hostname = formatter.hostname
        self.map = AuditFieldMap(registry: ruleset.registry)
    }

    public convenience init(
        paths: [String], hostname: String? = nil, minimumPriority: Priority = .debug, matchMode: Ruleset.MatchMode = .all,
        appendOutput: [OutputAppend] = []
    ) throws {
        var loader = RuleLoader(priorityThreshold: minimumPriority, matchMode: matchMode)
        loader.appendOutput = appendOutput
        self.init(ruleset: try loader.load(paths: paths), hostname: hostname)
    }

    /// Syscall names the enabled rules need audited (event types that are real syscalls are filtered later by
    /// libaudit's tables).
    public var syscallNames: [String] {
        var names = Set<String>()
        for rule in ruleset.enabledRules where !rule.eventTypes.isComplement {
            names.formUnion(rule.eventTypes.names(in: ruleset.eventTypes))
        }
        return names.sorted()
    }

    /// Evaluates one event; `body` gets the alert of each matching rule.
    /// Takes the event's values over (`consuming`): a caller done with them hands them on without a copy — each
    /// copy of a decoded and an enriched event retains and releases some forty references.
    public func match(_ decoded: consuming DecodedEvent, enriched: consuming EnrichedEvent?, _ body: (Alert) -> Void) {
        match(fieldSource(decoded, enriched: enriched), body)
    }

    /// The Falco fields of one event (numbered as the next event): what `match` evaluates, and what an observer
    /// of the same event (the control socket's filters) reads.
    public func fieldSource(_ decoded: consuming DecodedEvent, enriched: consuming EnrichedEvent?) -> AuditFieldSource {
        eventNumber += 1
        return AuditFieldSource(decoded: decoded, enriched: enriched, eventNumber: eventNumber, hostname: hostname, map: map)
    }

    /// The rules' event-type code of a syscall event, remembered by arch and syscall number (a String-keyed
    /// lookup hashed the name once per event); other events by name.
    private func eventTypeCode(_ source: AuditFieldSource) -> EventTypeCode? {
        if let s = source.decoded.syscall, let arch = s.arch, s.name != nil, let n = s.number {
            return codesByNumber.value(arch: arch, number: n) { ruleset.eventTypes.code(for: source.eventTypeName) }
        }
        let name = source.eventTypeName
        if let cached = codes[name] { return cached }
        let code = ruleset.eventTypes.code(for: name)
        codes[name] = code
        return code
    }

    /// Evaluates one event given as its field source.
    public func match(_ source: AuditFieldSource, _ body: (Alert) -> Void) {
        let code = eventTypeCode(source)
        let ns = source.decoded.key.stamp.timeNanos
        evaluator.forEachMatch(eventType: code, source: source) { rule in
            matches[rule.name, default: 0] += 1
            body(formatter.alert(rule: rule, timeNanoseconds: ns, source: source, evaluator: evaluator))
        }
    }
}
