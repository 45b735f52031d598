/// Ruleset: compiled rules indexed by event type (Falco `evttype_index_ruleset`, §5), with selection.
///
/// A value: selection (`enable`/`disable`) rebuilds the index of this copy only, so an evaluator keeps working on
/// the ruleset it was made with. Build one with ``RuleLoader``.
public struct Ruleset: Sendable {
    public enum MatchMode: String, Sendable, CaseIterable {
        /// Every matching rule alerts.
        case all
        /// Only the first matching rule in evaluation order alerts (Falco's `rule_matching: first`).
        case first
    }

    /// Rules in evaluation order (order of first definition across files), enabled or not.
    public let rules: [CompiledRule]
    public private(set) var enabled: [Bool]
    public var matchMode: MatchMode
    public let eventTypes: EventTypeTable
    public let registry: FieldRegistry
    /// Every warning of the load (reader, collector, compiler, shadowing).
    public let diagnostics: [LoadDiagnostic]
    let slots: FieldSlotTable
    let program: EvaluationProgram
    /// The loaded lists and macros (no rules), for conditions compiled later against them (``ConditionFilter``).
    let definitions: RuleCollector
    /// Rule indices per event code, in evaluation order.
    private(set) var index: [[Int32]] = []
    /// Rules for event names outside the table (only "all except ..." sets reach them).
    private(set) var otherIndex: [Int32] = []

    init(
        rules: [CompiledRule], slots: FieldSlotTable, matchMode: MatchMode, eventTypes: EventTypeTable,
        registry: FieldRegistry, diagnostics: [LoadDiagnostic], definitions: RuleCollector = RuleCollector()
    ) {
        self.definitions = definitions
        self.rules = rules
        self.enabled = rules.map(\.enabledInFile)
        self.slots = slots
        self.matchMode = matchMode
        self.eventTypes = eventTypes
        self.registry = registry
        self.diagnostics = diagnostics
        self.program = EvaluationProgram(rules: rules, eventTypeCount: eventTypes.count)
        rebuildIndex()
    }

    public func rule(named name: String) -> CompiledRule? { rules.first { $0.name == name } }

    /// Every (field, argument) the compiled conditions and outputs read: what a FieldSource must be able to answer
    /// (anything else it may leave unimplemented and return nil for).
    public var fieldsRead: [FieldRegistry.Resolved] { slots.fields }

    /// The event types the enabled rules can match, for kernel-side pre-filtering (which syscalls to audit).
    /// `nil` when some enabled rule matches "all event types except ...", i.e. no finite set suffices.
    public var enabledEventTypes: Set<String>? {
        var names = Set<String>()
        for (i, rule) in rules.enumerated() where enabled[i] {
            if rule.eventTypes.isComplement { return nil }
            names.formUnion(rule.eventTypes.names(in: eventTypes))
        }
        return names
    }

    public var enabledRules: [CompiledRule] { rules.indices.filter { enabled[$0] }.map { rules[$0] } }

    public func isEnabled(_ name: String) -> Bool {
        rules.indices.contains { rules[$0].name == name && enabled[$0] }
    }

    /// The rules an event of this type meets, in evaluation order.
    func candidates(for code: EventTypeCode?) -> [Int32] {
        guard let code, Int(code.rawValue) < index.count else { return otherIndex }
        return index[Int(code.rawValue)]
    }

    /// Enables or disables rules by name; `*` matches any run of characters (Falco `matches_wildcard`).
    public mutating func setEnabled(_ value: Bool, ruleNamePattern pattern: String) {
        let p = Array(pattern.utf8)
        for i in rules.indices where Self.wildcard(p, Array(rules[i].name.utf8)) { enabled[i] = value }
        rebuildIndex()
    }

    /// Enables or disables every rule carrying `tag`.
    public mutating func setEnabled(_ value: Bool, tag: String) {
        for i in rules.indices where rules[i].tags.contains(tag) { enabled[i] = value }
        rebuildIndex()
    }

    private mutating func rebuildIndex() {
        var index = [[Int32]](repeating: [], count: eventTypes.count)
        var other: [Int32] = []
        for (i, rule) in rules.enumerated() where enabled[i] {
            let set = rule.eventTypes
            if set.isComplement {
                for code in 0..<eventTypes.count where !set.members.contains(EventTypeCode(rawValue: UInt16(code))) {
                    index[code].append(Int32(i))
                }
                other.append(Int32(i))
            } else {
                for code in set.members where Int(code.rawValue) < index.count {
                    index[Int(code.rawValue)].append(Int32(i))
                }
            }
        }
        self.index = index
        self.otherIndex = other
    }

    static func wildcard(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star = -1
        var mark = 0
        while t < text.count {
            if p < pattern.count && pattern[p] == 0x2A {
                star = p
                mark = t
                p += 1
            } else if p < pattern.count && pattern[p] == text[t] {
                p += 1
                t += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == 0x2A { p += 1 }
        return p == pattern.count
    }
}
