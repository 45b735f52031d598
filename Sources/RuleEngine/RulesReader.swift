import Yams

/// Reader: YAML text → items with positions (Falco `rule_loader_reader`). Structural problems are errors that
/// reject the file; unknown items and keys are warnings.
struct RulesReader {
    let file: String
    var warnings: [LoadDiagnostic] = []

    init(file: String) { self.file = file }

    struct Failure: Error { var diagnostic: LoadDiagnostic }

    private static let keysByKind: [String: Set<String>] = [
        "list": ["list", "items", "append", "override"],
        "macro": ["macro", "condition", "append", "override"],
        "rule": [
            "rule", "condition", "output", "desc", "priority", "source", "enabled", "tags", "exceptions",
            "warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration", "append", "override",
        ],
        "required_engine_version": ["required_engine_version"],
        "required_plugin_versions": ["required_plugin_versions"],
    ]

    mutating func read(_ text: String) throws(Failure) -> [RulesFileItem] {
        var documents: [Node] = []
        do {
            try YAMLExpansionGuard.check(text)
        } catch let e {
            throw Failure(
                diagnostic: LoadDiagnostic(
                    severity: .error, code: LoadErrorCode.yamlParse.rawValue, message: e.message,
                    location: SourceLocation(file: file, line: e.line, column: e.column), itemKind: nil, itemName: nil))
        }
        do {
            // Parser.nextRoot, not compose_all: that sequence keeps a parse error to itself and just ends, and a
            // file broken halfway would load as its first half (or `this : is : not : yaml` as nothing at all).
            let parser = try Parser(yaml: text)
            while let document = try parser.nextRoot() { documents.append(document) }
        } catch {
            throw Failure(diagnostic: yamlError(error))
        }
        var items: [RulesFileItem] = []
        for document in documents {
            if document.null != nil { continue }
            guard let sequence = document.sequence else {
                throw fail("Rules content is not yaml array of objects", document, kind: nil, name: nil)
            }
            for element in sequence {
                guard let mapping = element.mapping else {
                    throw fail(
                        "Unexpected element type. Each element should be a yaml associative array.", element,
                        kind: nil, name: nil)
                }
                if let item = try readItem(mapping, element) { items.append(item) }
            }
        }
        return items
    }

    private func yamlError(_ error: any Error) -> LoadDiagnostic {
        var location: SourceLocation?
        var message = "\(error)"
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                location = SourceLocation(file: file, line: mark.line, column: mark.column)
                message = problem
            default: break
            }
        }
        return LoadDiagnostic(
            severity: .error, code: LoadErrorCode.yamlParse.rawValue, message: "invalid YAML: \(message)",
            location: location ?? SourceLocation(file: file, line: 1, column: 1), itemKind: nil, itemName: nil)
    }

    private func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    private func fail(_ message: String, _ node: Node, kind: String?, name: String?) -> Failure {
        Failure(
            diagnostic: LoadDiagnostic(
                severity: .error, code: LoadErrorCode.yamlValidate.rawValue, message: message, location: location(node),
                itemKind: kind, itemName: name))
    }

    /// Falco's `WARNING_APPEND`.
    static let appendDeprecated =
        "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."

    private mutating func warn(_ code: LoadWarningCode, _ message: String, _ node: Node, kind: String?, name: String?) {
        warnings.append(
            LoadDiagnostic(
                severity: .warning, code: code.rawValue, message: message, location: location(node), itemKind: kind,
                itemName: name))
    }

    private mutating func readItem(_ mapping: Node.Mapping, _ node: Node) throws(Failure) -> RulesFileItem? {
        var entries: [String: (key: Node, value: Node)] = [:]
        var order: [String] = []
        for (key, value) in mapping {
            guard let k = key.string else { throw fail("Item keys must be strings", key, kind: nil, name: nil) }
            entries[k] = (key, value)
            order.append(k)
        }
        let kinds = ["required_engine_version", "required_plugin_versions", "list", "macro", "rule"]
        guard let kind = kinds.first(where: { entries[$0] != nil }) else {
            warn(.unknownItem, "Unknown top level item", node, kind: nil, name: nil)
            return nil
        }
        let name = entries[kind]?.value.string
        for key in order where !(Self.keysByKind[kind]?.contains(key) ?? true) {
            warn(
                .unknownKey, "Unknown key '\(key)'. The key will be ignored.", entries[key]!.key, kind: kind, name: name
            )
        }

        func string(_ key: String, required: Bool = false) throws(Failure) -> String? {
            guard let entry = entries[key] else {
                if required { throw fail("Item has no mapping for key '\(key)'", node, kind: kind, name: name) }
                return nil
            }
            guard entry.value.scalar != nil, let s = entry.value.string else {
                throw fail("Value of '\(key)' must be a string", entry.value, kind: kind, name: name)
            }
            return s
        }
        func bool(_ key: String) throws(Failure) -> Bool? {
            guard let entry = entries[key] else { return nil }
            guard let b = entry.value.bool else {
                throw fail("Value of '\(key)' must be a boolean", entry.value, kind: kind, name: name)
            }
            return b
        }
        func stringList(_ key: String) throws(Failure) -> [String]? {
            guard let entry = entries[key] else { return nil }
            if entry.value.null != nil { return [] }
            guard let sequence = entry.value.sequence else {
                throw fail("Value of '\(key)' must be a sequence", entry.value, kind: kind, name: name)
            }
            var out: [String] = []
            for element in sequence {
                guard element.scalar != nil, let s = element.string else {
                    throw fail("Items of '\(key)' must be scalars", element, kind: kind, name: name)
                }
                out.append(s)
            }
            return out
        }
        func overrides(allowedAppend: Set<String>, allowedReplace: Set<String>) throws(Failure) -> [String:
            OverrideMode]
        {
            guard let entry = entries["override"] else { return [:] }
            guard let map = entry.value.mapping else {
                throw fail("Value of 'override' must be a map", entry.value, kind: kind, name: name)
            }
            var out: [String: OverrideMode] = [:]
            for (k, v) in map {
                guard let key = k.string, let modeText = v.string, let mode = OverrideMode(rawValue: modeText) else {
                    throw fail("Override must be a map of key to 'append' or 'replace'", v, kind: kind, name: name)
                }
                let allowed = mode == .append ? allowedAppend : allowedReplace
                guard allowed.contains(key) else {
                    throw fail(
                        mode == .append
                            ? "Key '\(key)' cannot be appended to, use 'replace' instead" : "Key '\(key)' cannot be replaced",
                        k, kind: kind, name: name)
                }
                guard entries[key] != nil else {
                    throw fail(
                        "\(mode == .append ? "An append" : "A replace") override for '\(key)' was specified but '\(key)' is not defined",
                        k, kind: kind, name: name)
                }
                out[key] = mode
            }
            let overridable = allowedAppend.union(allowedReplace)
            for key in order where overridable.contains(key) && out[key] == nil && kind != "list" && kind != "macro" {
                throw fail(
                    "Unexpected key '\(key)': no corresponding entry under 'override' is defined.",
                    entries[key]!.key, kind: kind, name: name)
            }
            if kind == "list" || kind == "macro" {
                for key in order where overridable.contains(key) && out[key] == nil {
                    throw fail(
                        "Unexpected key '\(key)': no corresponding entry under 'override' is defined.",
                        entries[key]!.key, kind: kind, name: name)
                }
            }
            if (try bool("append")) == true {
                // Falco reports the deprecated key too, then the conflict.
                warn(.deprecatedItem, Self.appendDeprecated, node, kind: kind, name: name)
                throw fail(
                    "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. "
                        + "'condition: append') under 'override' instead.", entry.key, kind: kind, name: name)
            }
            return out
        }

        let itemLocation = location(node)
        switch kind {
        case "required_engine_version":
            let value = entries[kind]!.value
            if let n = value.int, value.string.map({ !$0.contains(".") }) ?? true {
                return .requiredEngineVersion(SemanticVersion(0, n, 0), itemLocation)
            }
            guard let text = value.string, let version = SemanticVersion(text) else {
                throw fail(
                    "Unable to parse engine version '\(value.string ?? "")' as a semantic version", value,
                    kind: kind, name: nil)
            }
            return .requiredEngineVersion(version, itemLocation)
        case "required_plugin_versions":
            let value = entries[kind]!.value
            guard let sequence = value.sequence else {
                throw fail("Value of required_plugin_versions must be a sequence", value, kind: kind, name: nil)
            }
            var requirements: [PluginRequirement] = []
            for element in sequence {
                requirements.append(try pluginRequirement(element, kind: kind, allowAlternatives: true))
            }
            return .requiredPluginVersions(requirements, itemLocation)
        case "list":
            guard let name, !name.isEmpty else { throw fail("Mapping for key 'list' is empty", node, kind: kind, name: nil) }
            if !Self.isBareString(name) {
                warn(
                    .invalidListName,
                    "List has an invalid name. List names should match a regular expression: "
                        + "([^()\"'[:space:]=,]+)", node, kind: kind, name: name)
            }
            let override = try overrides(allowedAppend: ["items"], allowedReplace: ["items"])
            guard let items = try stringList("items") else {
                throw fail("Item has no mapping for key 'items'", node, kind: kind, name: name)
            }
            let append = try bool("append") ?? false
            if append {
                warn(
                    .deprecatedItem, Self.appendDeprecated, node, kind: kind,
                    name: name)
            }
            return .list(ListItem(name: name, items: items, append: append, override: override, location: itemLocation))
        case "macro":
            guard let name, !name.isEmpty else { throw fail("Mapping for key 'macro' is empty", node, kind: kind, name: nil) }
            if !Self.isIdentifier(name) {
                warn(
                    .invalidMacroName,
                    "Macro has an invalid name. Macro names should match a regular expression: "
                        + "([a-zA-Z]+[a-zA-Z0-9_]*)", node, kind: kind, name: name)
            }
            let override = try overrides(allowedAppend: ["condition"], allowedReplace: ["condition"])
            let condition = try string("condition", required: true)
            let append = try bool("append") ?? false
            if append {
                warn(
                    .deprecatedItem, Self.appendDeprecated, node, kind: kind,
                    name: name)
            }
            return .macro(
                MacroItem(
                    name: name, condition: condition,
                    conditionLocation: entries["condition"].map { location($0.value) },
                    append: append, override: override, location: itemLocation))
        default:
            guard let name, !name.isEmpty else { throw fail("Mapping for key 'rule' is empty", node, kind: kind, name: nil) }
            let override = try overrides(
                allowedAppend: ["condition", "output", "desc", "tags", "exceptions"],
                allowedReplace: [
                    "condition", "output", "desc", "priority", "capture", "capture_duration", "tags", "exceptions",
                    "enabled", "warn_evttypes", "skip-if-unknown-filter",
                ])
            var rule = RuleItem(
                name: name, location: itemLocation, keys: Set(order), append: try bool("append") ?? false,
                override: override)
            rule.condition = try string("condition")
            rule.conditionLocation = entries["condition"].map { location($0.value) }
            rule.output = try string("output").map { $0.trimmingBlanks() }
            rule.outputLocation = entries["output"].map { location($0.value) }
            rule.desc = try string("desc")
            if let text = try string("priority") {
                guard let priority = Priority(parsing: text) else {
                    throw fail("Invalid priority '\(text)'", entries["priority"]!.value, kind: kind, name: name)
                }
                rule.priority = priority
            }
            rule.source = try string("source")
            rule.enabled = try bool("enabled")
            rule.tags = try stringList("tags")
            rule.warnEvttypes = try bool("warn_evttypes")
            rule.skipIfUnknownFilter = try bool("skip-if-unknown-filter")
            rule.capture = try bool("capture")
            if let entry = entries["capture_duration"] {
                guard let n = entry.value.int else {
                    throw fail("Value of 'capture_duration' must be an integer", entry.value, kind: kind, name: name)
                }
                rule.captureDuration = n
            }
            if let entry = entries["exceptions"] {
                rule.exceptions = try exceptions(entry.value, rule: name)
            }
            if rule.append {
                warn(
                    .deprecatedItem, Self.appendDeprecated, node, kind: kind,
                    name: name)
            }
            return .rule(rule)
        }
    }

    private func pluginRequirement(_ node: Node, kind: String, allowAlternatives: Bool) throws(Failure)
        -> PluginRequirement
    {
        guard let map = node.mapping, let name = map["name"]?.string, let versionText = map["version"]?.string else {
            throw fail("Plugin requirements need 'name' and 'version'", node, kind: kind, name: nil)
        }
        guard let version = SemanticVersion(versionText) else {
            throw fail("Plugin version '\(versionText)' is not a semantic version", node, kind: kind, name: name)
        }
        var alternatives: [PluginRequirement] = []
        if allowAlternatives, let list = map["alternatives"]?.sequence {
            for alternative in list {
                alternatives.append(try pluginRequirement(alternative, kind: kind, allowAlternatives: false))
            }
            let names = [name] + alternatives.map(\.name)
            if Set(names).count != names.count {
                throw fail("Duplicate plugin names among alternatives of '\(name)'", node, kind: kind, name: name)
            }
        }
        return PluginRequirement(name: name, version: version, alternatives: alternatives)
    }

    private func exceptions(_ node: Node, rule: String) throws(Failure) -> [ExceptionItem] {
        if node.null != nil { return [] }
        guard let sequence = node.sequence else {
            throw fail("Rule exceptions must be a sequence", node, kind: "rule", name: rule)
        }
        var out: [ExceptionItem] = []
        for element in sequence {
            guard let map = element.mapping, let name = map["name"]?.string else {
                throw fail("Item has no mapping for key 'name'", element, kind: "exception", name: rule)
            }
            func names(_ key: String) throws(Failure) -> ExceptionItem.Names? {
                guard let value = map[key] else { return nil }
                if value.scalar != nil, let s = value.string { return .scalar(s.trimmingBlanks()) }
                guard let seq = value.sequence else {
                    throw fail(
                        "Exception '\(key)' must be a string or a list of strings", value, kind: "exception", name: name
                    )
                }
                var items: [String] = []
                for item in seq {
                    guard item.scalar != nil, let s = item.string else {
                        throw fail("Exception '\(key)' items must be strings", item, kind: "exception", name: name)
                    }
                    items.append(s.trimmingBlanks())
                }
                return .list(items)
            }
            var values: [ExceptionItem.Row] = []
            if let valuesNode = map["values"], valuesNode.null == nil {
                guard let seq = valuesNode.sequence else {
                    throw fail("Exception values must be a sequence", valuesNode, kind: "exception", name: name)
                }
                for tuple in seq {
                    if tuple.scalar != nil, let s = tuple.string {
                        values.append(.scalar(s))
                        continue
                    }
                    guard let items = tuple.sequence else {
                        throw fail("Exception values must be scalars or lists", tuple, kind: "exception", name: name)
                    }
                    var row: [ExceptionItem.Value] = []
                    for item in items {
                        if item.scalar != nil, let s = item.string {
                            row.append(.scalar(s))
                        } else if let inner = item.sequence {
                            var list: [String] = []
                            for v in inner {
                                guard let s = v.string else {
                                    throw fail(
                                        "Exception value lists must hold strings", v, kind: "exception", name: name)
                                }
                                list.append(s)
                            }
                            row.append(.list(list))
                        } else {
                            throw fail("Exception values must be scalars or lists", item, kind: "exception", name: name)
                        }
                    }
                    values.append(.tuple(row))
                }
            }
            out.append(
                ExceptionItem(
                    name: name, fields: try names("fields"), comps: try names("comps"), values: values,
                    valuesPresent: map["values"] != nil, location: location(element)))
        }
        return out
    }

    static func isIdentifier(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let first = b.first, (first | 0x20) >= 0x61, (first | 0x20) <= 0x7A else { return false }
        return b.allSatisfy { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    static func isBareString(_ s: String) -> Bool {
        !s.isEmpty
            && !s.utf8.contains {
                $0 == 0x28 || $0 == 0x29 || $0 == 0x22 || $0 == 0x27 || $0 == 0x3D || $0 == 0x2C || $0 == 0x20
                    || ($0 >= 0x09 && $0 <= 0x0D)
            }
    }
}

extension String {
    func trimmingBlanks() -> String {
        let blanks: Set<Character> = [" ", "\t", "\n", "\r"]
        var s = Substring(self)
        while let f = s.first, blanks.contains(f) { s = s.dropFirst() }
        while let l = s.last, blanks.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
