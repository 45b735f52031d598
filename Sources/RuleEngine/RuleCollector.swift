/// Collector: define / append / override across files, keeping Falco's ordering rules (§1.1, §1.2). One collector
/// is shared by all files of a load, so later files may use and change what earlier files defined. It is a value:
/// a file that fails is rolled back by keeping the copy from before it.
struct RuleCollector: Sendable {
    struct List: Sendable {
        var name: String
        var items: [String]
        var sequence: Int
        var visibility: Int
        var location: SourceLocation
    }

    struct Macro: Sendable {
        var name: String
        var condition: String
        var sequence: Int
        var visibility: Int
        var location: SourceLocation
        var conditionLocation: SourceLocation
    }

    struct Rule: Sendable {
        var name: String
        var location: SourceLocation
        var condition: String
        var conditionLocation: SourceLocation
        var output: String
        var outputLocation: SourceLocation
        var desc: String
        var priority: Priority
        var source: String
        var enabled: Bool
        var tags: Set<String>
        var exceptions: [ExceptionItem]
        var warnEvttypes: Bool
        var skipIfUnknownFilter: Bool
        var capture: Bool
        var captureDuration: Int
    }

    private(set) var lists: [List] = []
    private(set) var macros: [Macro] = []
    private(set) var rules: [Rule] = []
    private var listIndex: [String: Int] = [:]
    private var macroIndex: [String: Int] = [:]
    private var ruleIndex: [String: Int] = [:]
    private var sequence = 0
    private(set) var requiredEngineVersion: SemanticVersion?
    private(set) var pluginRequirements: [(PluginRequirement, SourceLocation)] = []
    var warnings: [LoadDiagnostic] = []

    /// The lists and macros alone: what a condition written outside any rules file (`vigil tail --filter`) is
    /// compiled against, so it can use the same macros and lists as the loaded rules.
    func definitions() -> RuleCollector {
        var copy = self
        copy.rules = []
        copy.ruleIndex = [:]
        copy.warnings = []
        return copy
    }

    func list(named name: String) -> List? { listIndex[name].map { lists[$0] } }
    func macro(named name: String) -> Macro? { macroIndex[name].map { macros[$0] } }

    struct Failure: Error { var diagnostic: LoadDiagnostic }

    private func fail(
        _ message: String, _ location: SourceLocation, kind: String, name: String?, code: LoadErrorCode = .validate
    ) -> Failure {
        Failure(
            diagnostic: LoadDiagnostic(
                severity: .error, code: code.rawValue, message: message, location: location,
                itemKind: kind, itemName: name))
    }

    private mutating func warn(
        _ code: LoadWarningCode, _ message: String, _ location: SourceLocation, kind: String,
        name: String?
    ) {
        warnings.append(
            LoadDiagnostic(
                severity: .warning, code: code.rawValue, message: message, location: location,
                itemKind: kind, itemName: name))
    }

    mutating func collect(_ item: RulesFileItem, engineVersion: SemanticVersion) throws(Failure) {
        sequence += 1
        switch item {
        case .requiredEngineVersion(let required, let location):
            guard engineVersion.isCompatible(withRequired: required) else {
                throw fail(
                    "Rules require engine version \(required), but engine version is \(engineVersion)", location,
                    kind: "required_engine_version", name: nil)
            }
            requiredEngineVersion = max(requiredEngineVersion ?? required, required)
        case .requiredPluginVersions(let requirements, let location):
            pluginRequirements += requirements.map { ($0, location) }
        case .list(let item): try collectList(item)
        case .macro(let item): try collectMacro(item)
        case .rule(let item): try collectRule(item)
        }
    }

    private mutating func collectList(_ item: ListItem) throws(Failure) {
        let mode: OverrideMode? = item.append ? .append : item.override["items"]
        if let existing = listIndex[item.name] {
            if mode == .append {
                lists[existing].items += item.items
            } else {
                lists[existing].items = item.items
                lists[existing].location = item.location
            }
            lists[existing].visibility = sequence
            return
        }
        if mode == .append {
            throw fail(
                "List uses 'append' or 'override.items: append' but no list by that name already exists",
                item.location, kind: "list", name: item.name)
        }
        listIndex[item.name] = lists.count
        lists.append(
            List(name: item.name, items: item.items, sequence: sequence, visibility: sequence, location: item.location))
    }

    private mutating func collectMacro(_ item: MacroItem) throws(Failure) {
        let mode: OverrideMode? = item.append ? .append : item.override["condition"]
        let condition = item.condition ?? ""
        let conditionLocation = item.conditionLocation ?? item.location
        if let existing = macroIndex[item.name] {
            if mode == .append {
                macros[existing].condition += " " + condition
            } else {
                macros[existing].condition = condition
                macros[existing].location = item.location
                macros[existing].conditionLocation = conditionLocation
            }
            macros[existing].visibility = sequence
            return
        }
        if mode == .append {
            throw fail(
                "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
                item.location, kind: "macro", name: item.name)
        }
        macroIndex[item.name] = macros.count
        macros.append(
            Macro(
                name: item.name, condition: condition, sequence: sequence, visibility: sequence,
                location: item.location, conditionLocation: conditionLocation))
    }

    private mutating func collectRule(_ item: RuleItem) throws(Failure) {
        let definitionKeys: Set<String> = ["condition", "output", "desc", "priority"]
        let existing = ruleIndex[item.name]
        func requireExisting() throws(Failure) -> Int {
            guard let existing else {
                let appends = item.append || item.override.values.contains(.append)
                throw fail(
                    appends
                        ? "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
                        : "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
                    item.location, kind: "rule", name: item.name)
            }
            return existing
        }

        if item.append {
            let index = try requireExisting()
            guard item.condition != nil || item.exceptions != nil else {
                throw fail(
                    "Appended rule must have exceptions or condition property", item.location, kind: "rule",
                    name: item.name)
            }
            if let condition = item.condition { rules[index].condition += " " + condition }
            if let exceptions = item.exceptions {
                try appendExceptions(exceptions, to: index, item: item)
            }
            return
        }

        if !item.override.isEmpty {
            let index = try requireExisting()
            var rule = rules[index]
            for (key, mode) in item.override.sorted(by: { $0.key < $1.key }) {
                switch (key, mode) {
                case ("condition", .append): rule.condition += " " + (item.condition ?? "")
                case ("condition", .replace):
                    rule.condition = item.condition ?? ""
                    rule.conditionLocation = item.conditionLocation ?? item.location
                case ("output", .append): rule.output += " " + (item.output ?? "")
                case ("output", .replace): rule.output = item.output ?? ""
                case ("desc", .append): rule.desc += " " + (item.desc ?? "")
                case ("desc", .replace): rule.desc = item.desc ?? ""
                case ("tags", .append): rule.tags.formUnion(item.tags ?? [])
                case ("tags", .replace): rule.tags = Set(item.tags ?? [])
                case ("exceptions", .append):
                    rules[index] = rule
                    try appendExceptions(item.exceptions ?? [], to: index, item: item)
                    rule = rules[index]
                case ("exceptions", .replace):
                    rule.exceptions = try validated(item.exceptions ?? [], item: item)
                case ("priority", _): if let p = item.priority { rule.priority = p }
                case ("enabled", _): if let e = item.enabled { rule.enabled = e }
                case ("warn_evttypes", _): if let w = item.warnEvttypes { rule.warnEvttypes = w }
                case ("skip-if-unknown-filter", _): if let s = item.skipIfUnknownFilter { rule.skipIfUnknownFilter = s }
                case ("capture", _): if let c = item.capture { rule.capture = c }
                case ("capture_duration", _): if let d = item.captureDuration { rule.captureDuration = d }
                default: break
                }
            }
            rules[index] = rule
            return
        }

        if item.keys.isDisjoint(with: definitionKeys) {
            // Enabled-only item: toggles an existing rule.
            let index = try requireExisting()
            guard let enabled = item.enabled else {
                throw fail("Item has no mapping for key 'condition'", item.location, kind: "rule", name: item.name)
            }
            warn(
                .deprecatedItem,
                "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' "
                    + "entry under the 'override' key (i.e. 'enabled: replace').",
                item.location, kind: "rule", name: item.name)
            rules[index].enabled = enabled
            return
        }

        for key in ["condition", "output", "desc", "priority"] where !item.keys.contains(key) {
            // A key the YAML item lacks: Falco's reader reports it (LOAD_ERR_YAML_VALIDATE).
            throw fail(
                "Item has no mapping for key '\(key)'", item.location, kind: "rule", name: item.name,
                code: .yamlValidate)
        }
        let rule = Rule(
            name: item.name, location: item.location, condition: item.condition ?? "",
            conditionLocation: item.conditionLocation ?? item.location, output: item.output ?? "",
            outputLocation: item.outputLocation ?? item.location, desc: item.desc ?? "",
            priority: item.priority ?? .debug, source: item.source ?? "syscall", enabled: item.enabled ?? true,
            tags: Set(item.tags ?? []), exceptions: try validated(item.exceptions ?? [], item: item),
            warnEvttypes: item.warnEvttypes ?? true, skipIfUnknownFilter: item.skipIfUnknownFilter ?? false,
            capture: item.capture ?? false, captureDuration: item.captureDuration ?? 0)
        if let existing {
            if let source = item.source, source != rules[existing].source {
                throw fail(
                    "Rule has been re-defined with a different source", item.location, kind: "rule", name: item.name)
            }
            rules[existing] = rule  // keeps its original position in the evaluation order
        } else {
            ruleIndex[item.name] = rules.count
            rules.append(rule)
        }
    }

    /// Validation of new exceptions (`validate_exception_info`): fields required, comps default to `=` (list
    /// fields) or `in` (scalar field), equal lengths, supported comparison operators, unique names.
    private mutating func validated(_ exceptions: [ExceptionItem], item: RuleItem) throws(Failure) -> [ExceptionItem] {
        var seen = Set<String>()
        var out: [ExceptionItem] = []
        for var ex in exceptions {
            if !seen.insert(ex.name).inserted {
                warn(
                    .exceptionNameNotUnique, "Multiple definitions of exception '\(ex.name)' in the same rule",
                    ex.location, kind: "exception", name: ex.name)
            }
            guard let fields = ex.fields else {
                throw fail(
                    "Item has no mapping for key 'fields'", ex.location, kind: "exception", name: ex.name,
                    code: .yamlValidate)
            }
            switch fields {
            case .scalar:
                let comp: String
                switch ex.comps {
                case nil: comp = "in"
                case .scalar(let c)?: comp = c
                case .list?:
                    throw fail(
                        "Fields and comps must both be strings or both be lists", ex.location,
                        kind: "exception", name: ex.name)
                }
                guard Self.isListComparison(comp) else {
                    throw fail(
                        "Comparison operator '\(comp)' is not a list operator: a single field needs "
                            + "in, pmatch, intersects or '<op> oneof|anyof|allof'", ex.location,
                        kind: "exception", name: ex.name)
                }
                ex.comps = .scalar(comp)
                try checkRows(ex.values, fitting: fields, of: ex)
            case .list(let names):
                let comps: [String]
                switch ex.comps {
                case nil: comps = Array(repeating: "=", count: names.count)
                case .list(let c)?: comps = c
                case .scalar?:
                    throw fail(
                        "Fields and comps must both be strings or both be lists", ex.location,
                        kind: "exception", name: ex.name)
                }
                guard comps.count == names.count else {
                    throw fail(
                        "Fields and comps lists must have equal length", ex.location, kind: "exception",
                        name: ex.name)
                }
                for comp in comps where !Self.isComparison(comp) {
                    throw fail("Invalid comparison operator '\(comp)'", ex.location, kind: "exception", name: ex.name)
                }
                ex.comps = .list(comps)
                try checkRows(ex.values, fitting: fields, of: ex)
            }
            out.append(ex)
        }
        return out
    }

    /// Each values row fits the fields: plain values for a single field, one value per field of a list.
    private func checkRows(_ rows: [ExceptionItem.Row], fitting fields: ExceptionItem.Names, of ex: ExceptionItem)
        throws(Failure)
    {
        for row in rows {
            switch (fields, row) {
            case (.scalar, .tuple):
                throw fail(
                    "Expected values array to contain a list of strings", ex.location, kind: "exception", name: ex.name)
            case (.list(let names), _):
                let count: Int
                switch row {
                case .scalar: count = 1
                case .tuple(let items): count = items.count
                }
                if count != names.count {
                    throw fail(
                        "Fields and values lists must have equal length", ex.location, kind: "exception",
                        name: ex.name)
                }
            default:
                break
            }
        }
    }

    private mutating func appendExceptions(_ exceptions: [ExceptionItem], to index: Int, item: RuleItem) throws(Failure)
    {
        var rule = rules[index]
        var fresh: [ExceptionItem] = []
        for ex in exceptions {
            if let existing = rule.exceptions.firstIndex(where: { $0.name == ex.name }) {
                guard ex.fields == nil, ex.comps == nil else {
                    throw fail(
                        "Can not append exception fields or comps to existing exception, only values",
                        ex.location, kind: "exception", name: ex.name)
                }
                if ex.values.isEmpty {
                    warn(
                        .appendNoValues, "Overriding/appending exception with no values", ex.location,
                        kind: "exception", name: ex.name)
                }
                // Appended values meet the same shape checks as the exception's own (a short tuple would
                // silently widen the exception to fewer fields).
                var merged = rule.exceptions[existing]
                if let fields = merged.fields { try checkRows(ex.values, fitting: fields, of: ex) }
                merged.values += ex.values
                rule.exceptions[existing] = merged
            } else {
                guard ex.fields != nil, ex.valuesPresent else {
                    throw fail(
                        "Appended exception must have fields and values", ex.location, kind: "exception",
                        name: ex.name)
                }
                fresh.append(ex)
            }
        }
        rule.exceptions += try validated(fresh, item: item)
        rules[index] = rule
    }

    static func isComparison(_ comp: String) -> Bool {
        let parts = comp.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first, let op = ComparisonOperator(rawValue: String(first)) else { return false }
        if parts.count == 1 { return true }
        return parts.count == 2 && ListModifier(rawValue: String(parts[1])) != nil && !op.isListOperator
            && !op.isNumericOperator
    }

    static func isListComparison(_ comp: String) -> Bool {
        guard isComparison(comp) else { return false }
        let parts = comp.split(separator: " ")
        return parts.count == 2 || ComparisonOperator(rawValue: comp)?.isListOperator == true
    }

    /// Plugin requirements are checked once all files are read (Falco's "egg-and-chicken problem" note).
    func unmetPluginRequirements(available: [String: SemanticVersion]) -> [(PluginRequirement, SourceLocation)] {
        pluginRequirements.filter { requirement, _ in
            ([requirement] + requirement.alternatives).allSatisfy { option in
                guard let version = available[option.name] else { return true }
                return !version.isCompatible(withRequired: option.version)
            }
        }
    }
}
