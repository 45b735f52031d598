import Foundation

/// Compiler: collected items → compiled rules (Falco `rule_loader_compiler`). Lists become text, macros trees,
/// exceptions condition text; each rule's condition is parsed, macro-expanded, type-checked and compiled, and its
/// event-type set computed.
struct RuleCompiler {
    static let containerInfoFieldWarning = ConditionCompiler.deprecatedFieldWarning("container.info")
    let registry: FieldRegistry
    let eventTypes: EventTypeTable
    let priorityThreshold: Priority
    var appendOutput: [OutputAppend] = []

    struct Output {
        var rules: [CompiledRule]
        var slots: FieldSlotTable
        var warnings: [LoadDiagnostic]
    }

    struct Failure: Error { var diagnostic: LoadDiagnostic }

    /// Largest list after expanding the lists it names (Falco's biggest stock list has a few hundred items).
    static let maxListItems = 100_000
    /// Largest condition text once lists are substituted: each use of a big list copies it.
    static let maxConditionBytes = 16 << 20

    func compile(_ collector: RuleCollector) throws(Failure) -> Output {
        var warnings: [LoadDiagnostic] = []

        // Lists: an item naming a list defined earlier (in load order) is expanded in place.
        var lists: [(name: String, items: [String])] = []
        var usedLists = Set<String>()
        for list in collector.lists {
            var items: [String] = []
            for item in list.items {
                if let ref = collector.list(named: item), ref.sequence < list.visibility, ref.name != list.name {
                    usedLists.insert(ref.name)
                    items += lists.first(where: { $0.name == ref.name })?.items ?? ref.items
                } else {
                    items.append(item)
                }
                // Lists of lists grow geometrically: ten levels of ten references is 10^10 items, which would
                // hang the loader (and a SIGHUP reload) for good. No real list comes near the cap.
                if items.count > Self.maxListItems {
                    throw Failure(
                        diagnostic: LoadDiagnostic(
                            severity: .error, code: LoadErrorCode.validate.rawValue,
                            message: "list expands to more than \(Self.maxListItems) items (lists nested in lists)",
                            location: list.location, itemKind: "list", itemName: list.name))
                }
            }
            lists.append((list.name, items))
        }
        func substituteLists(_ text: String, at location: SourceLocation, kind: String, name: String) throws(Failure) -> String {
            var condition = text
            for list in lists {
                let outcome = ListSubstitution.substitute(
                    list.name, items: list.items, into: &condition, limit: Self.maxConditionBytes)
                if outcome == .unchanged { continue }
                usedLists.insert(list.name)
                if outcome == .tooLarge {
                    throw Failure(
                        diagnostic: LoadDiagnostic(
                            severity: .error, code: LoadErrorCode.compileCondition.rawValue,
                            message: "condition grows beyond \(Self.maxConditionBytes) bytes once list '\(list.name)' is substituted",
                            location: location, itemKind: kind, itemName: name))
                }
            }
            return condition
        }

        // Macros: every macro condition must parse, used or not.
        var parsed: [String: ConditionNode] = [:]
        for macro in collector.macros {
            let text = try substituteLists(macro.condition, at: macro.conditionLocation, kind: "macro", name: macro.name)
            do {
                parsed[macro.name] = try ConditionParser.parse(text, maxDepth: ConditionParser.ruleMaxDepth)
            } catch {
                throw Failure(
                    diagnostic: conditionError(
                        error, text: text, at: macro.conditionLocation, kind: "macro",
                        name: macro.name))
            }
        }
        var resolver = MacroResolver(collector: collector, parsed: parsed)
        for macro in collector.macros {
            do {
                _ = try resolver.resolvedMacro(macro.name)
            } catch {
                throw Failure(
                    diagnostic: LoadDiagnostic(
                        severity: .error, code: error.code.rawValue, message: error.message,
                        location: macro.conditionLocation, itemKind: "macro", itemName: macro.name))
            }
        }
        var usedMacros = Set<String>()

        var compiler = ConditionCompiler(registry: registry, eventTypes: eventTypes, slots: FieldSlotTable())
        var rules: [CompiledRule] = []
        for (order, rule) in collector.rules.enumerated() {
            func warn(_ code: LoadWarningCode, _ message: String, _ location: SourceLocation) {
                warnings.append(
                    LoadDiagnostic(
                        severity: .warning, code: code.rawValue, message: message,
                        location: location, itemKind: "rule", itemName: rule.name))
            }
            func error(_ code: LoadErrorCode, _ message: String, _ location: SourceLocation) -> Failure {
                Failure(
                    diagnostic: LoadDiagnostic(
                        severity: .error, code: code.rawValue, message: message,
                        location: location, itemKind: "rule", itemName: rule.name))
            }
            guard rule.source == "syscall" else {
                warn(.unknownSource, "Unknown source \(rule.source), skipping", rule.location)
                continue
            }
            // Rules below the priority threshold are not added at all (they cannot be enabled later).
            guard rule.priority.meets(priorityThreshold) else { continue }

            // Exception fields must be valid left-hand sides even when the exception has no values yet.
            var badExceptionField: ConditionCompileError?
            for ex in rule.exceptions {
                let names: [String]
                switch ex.fields {
                case .scalar(let f)?: names = [f]
                case .list(let fs)?: names = fs
                case nil: names = []
                }
                for name in names where badExceptionField == nil {
                    var scratch = compiler
                    do {
                        _ = try scratch.compileValue(try OutputFormat.parseFieldExpression(name))
                    } catch let e as ConditionCompileError {
                        badExceptionField = ConditionCompileError(
                            kind: e.kind,
                            message: "exception '\(ex.name)': '\(name)' is not a supported field: \(e.message)")
                    } catch {
                        badExceptionField = ConditionCompileError(
                            kind: .invalid, message: "exception '\(ex.name)': '\(name)' is not a field expression")
                    }
                }
            }
            if let bad = badExceptionField {
                if bad.kind != .invalid && rule.skipIfUnknownFilter {
                    warn(.unknownFilter, bad.message, rule.location)
                    continue
                }
                throw error(.validate, bad.message, rule.location)
            }

            var text = rule.condition
            var exceptionFields = Set<String>()
            if !rule.exceptions.isEmpty {
                text = ExceptionCompiler.apply(rule.exceptions, to: text)
                for ex in rule.exceptions {
                    switch ex.fields {
                    case .scalar(let f)?: exceptionFields.insert(f)
                    case .list(let fs)?: exceptionFields.formUnion(fs)
                    case nil: break
                    }
                }
            }
            let substituted = try substituteLists(text, at: rule.conditionLocation, kind: "rule", name: rule.name)
            let tree: ConditionNode
            do {
                tree = try ConditionParser.parse(substituted, maxDepth: ConditionParser.ruleMaxDepth)
            } catch let e {
                throw Failure(
                    diagnostic: conditionError(
                        e, text: substituted, at: rule.conditionLocation, kind: "rule",
                        name: rule.name))
            }
            let resolved: ConditionNode
            do {
                resolved = try resolver.resolveRule(tree)
            } catch let e {
                throw error(e.code, e.message, rule.conditionLocation)
            }

            // Output first (as Falco does), then the condition; unknown fields skip the rule when allowed.
            var trial = compiler
            var output: OutputFormat
            do throws(OutputFormat.Failure) {
                // Falco replaces the deprecated `%container.info` by "" before compiling the output (and warns);
                // `append_output` text follows the rule's own, after one blank.
                var text = rule.output.replacingOccurrences(of: "%container.info", with: "")
                var extra: [(key: String, format: String)] = []
                for a in appendOutput where a.matches(source: rule.source, rule: rule.name, tags: rule.tags) {
                    if !a.extraOutput.isEmpty { text += " " + a.extraOutput }
                    extra += a.extraFields
                }
                output = try OutputFormat(text, compiler: &trial)
                for (key, format) in extra {
                    output.extraFields.append((key, try OutputFormat(format, compiler: &trial)))
                }
            } catch let e {
                if e.unknownField && rule.skipIfUnknownFilter {
                    warn(.unknownFilter, e.message, rule.outputLocation)
                    continue
                }
                throw error(.compileOutput, e.message, rule.outputLocation)
            }
            // Warnings of the output's fields belong to the output line; `%container.info` has its own (below),
            // as in Falco, not also the generic deprecated-field one.
            for (code, message) in trial.warnings where message != Self.containerInfoFieldWarning {
                warn(code, message, rule.outputLocation)
            }
            trial.warnings = []
            let compiled: CompiledNode
            do {
                compiled = try trial.compile(resolved)
            } catch let e {
                if e.kind != .invalid && rule.skipIfUnknownFilter {
                    warn(.unknownFilter, e.message, rule.conditionLocation)
                    continue
                }
                throw error(.compileCondition, e.message, rule.conditionLocation)
            }
            for (code, message) in trial.warnings { warn(code, message, rule.conditionLocation) }
            trial.warnings = []
            compiler = trial
            if rule.output.contains("%container.info") {
                warn(
                    .deprecatedItem, "%container.info is deprecated and no more useful; it is rendered as ''",
                    rule.outputLocation)
            }

            let types = EventTypeInference.eventTypes(resolved, table: eventTypes)
            if rule.warnEvttypes && types.count(in: eventTypes) > 100 && !types.isEmpty {
                warn(
                    .noEventType,
                    "Rule matches too many evt.type values. This has a significant performance penalty.",
                    rule.conditionLocation)
            }
            rules.append(
                CompiledRule(
                    name: rule.name, description: rule.desc, priority: rule.priority, source: rule.source,
                    tags: rule.tags.sorted(), condition: resolved, conditionText: text, eventTypes: types,
                    output: output, exceptionFields: exceptionFields.sorted(), enabledInFile: rule.enabled,
                    warnEvttypes: rule.warnEvttypes, capture: rule.capture, captureDuration: rule.captureDuration,
                    location: rule.location, order: order, compiled: compiled))
        }
        usedMacros = resolver.used

        for macro in collector.macros where !usedMacros.contains(macro.name) {
            warnings.append(
                LoadDiagnostic(
                    severity: .warning, code: LoadWarningCode.unusedMacro.rawValue,
                    message: "Macro not referred to by any other rule/macro",
                    location: macro.location, itemKind: "macro", itemName: macro.name))
        }
        for list in collector.lists where !usedLists.contains(list.name) {
            warnings.append(
                LoadDiagnostic(
                    severity: .warning, code: LoadWarningCode.unusedList.rawValue,
                    message: "List not referred to by any other rule/macro",
                    location: list.location, itemKind: "list", itemName: list.name))
        }
        return Output(rules: rules, slots: compiler.slots, warnings: warnings)
    }

    /// A parse error pointing into the YAML: the condition's own line/column added to the scalar's position
    /// (exact for plain one-line scalars; for folded block scalars the line is the scalar's start plus the offset).
    private func conditionError(
        _ e: ConditionSyntaxError, text: String, at location: SourceLocation, kind: String,
        name: String
    ) -> LoadDiagnostic {
        var position = location
        position.line += e.line - 1
        position.column = e.line == 1 ? location.column + e.column - 1 : e.column
        let snippet = String(text.utf8.prefix(e.offset + 20).suffix(40)).map { String($0) } ?? ""
        return LoadDiagnostic(
            severity: .error, code: LoadErrorCode.compileCondition.rawValue,
            message: "\(e.message) at condition offset \(e.offset) (near '\(snippet)')", location: position,
            itemKind: kind, itemName: name)
    }
}
