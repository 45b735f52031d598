import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Loads rules files into a ``Ruleset``: Reader → Collector → Compiler → Ruleset, file by file into one shared
/// collection. A file with an error is rejected whole and loading stops there (Falco's first failing file aborts
/// start-up), with the error located by file, line, column and item.
public struct RuleLoader: Sendable {
    /// The Falco engine version Vigil implements: Falco 0.44's rules language, accepting the stock rules'
    /// `required_engine_version: 0.57.0`.
    public static let engineVersion = SemanticVersion(0, 62, 0)

    /// Plugins whose fields Vigil provides itself: the `container` plugin's `container.*`/`k8s.*` come from
    /// Vigil's own container enrichment, so a `required_plugin_versions` entry for it is satisfied.
    public static let builtinPlugins: Set<String> = ["container"]

    public var priorityThreshold: Priority = .debug
    public var matchMode: Ruleset.MatchMode = .all
    public var registry: FieldRegistry = .standard
    public var eventTypes: EventTypeTable = .standard
    /// falco.yaml's `append_output`, applied to every rule as it is compiled.
    public var appendOutput: [OutputAppend] = []

    public init(priorityThreshold: Priority = .debug, matchMode: Ruleset.MatchMode = .all) {
        self.priorityThreshold = priorityThreshold
        self.matchMode = matchMode
    }

    /// Expands directories into their `*.yml`/`*.yaml` files in alphabetical order.
    public static func expand(paths: [String]) throws(RuleLoadError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RuleLoadError(error: fileError(path, "Could not open rules file or directory"), diagnostics: [])
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    private static func fileError(_ path: String, _ message: String) -> LoadDiagnostic {
        LoadDiagnostic(
            severity: .error, code: LoadErrorCode.fileRead.rawValue, message: message,
            location: SourceLocation(file: path, line: 0, column: 0), itemKind: nil, itemName: nil)
    }

    /// Loads files and directories in order.
    public func load(paths: [String]) throws(RuleLoadError) -> Ruleset {
        var sources: [(name: String, text: String)] = []
        for file in try Self.expand(paths: paths) {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw RuleLoadError(error: Self.fileError(file, "Could not read rules file"), diagnostics: [])
            }
            sources.append((file, String(decoding: data, as: UTF8.self)))
        }
        return try load(sources: sources)
    }

    /// Loads in-memory rules files (name, YAML text) in order.
    public func load(sources: [(name: String, text: String)]) throws(RuleLoadError) -> Ruleset {
        var collector = RuleCollector()
        var diagnostics: [LoadDiagnostic] = []
        var output: RuleCompiler.Output?
        var compiler = RuleCompiler(registry: registry, eventTypes: eventTypes, priorityThreshold: priorityThreshold)
        compiler.appendOutput = appendOutput
        for source in sources {
            var reader = RulesReader(file: source.name)
            var candidate = collector
            candidate.warnings = []
            do {
                let items = try reader.read(source.text)
                for item in items { try candidate.collect(item, engineVersion: Self.engineVersion) }
                // The whole collection is recompiled after every file, so errors surface in the file causing them.
                output = try compiler.compile(candidate)
            } catch let failure as RulesReader.Failure {
                throw RuleLoadError(
                    error: failure.diagnostic, diagnostics: diagnostics + reader.warnings + [failure.diagnostic])
            } catch let failure as RuleCollector.Failure {
                throw RuleLoadError(
                    error: failure.diagnostic,
                    diagnostics: diagnostics + reader.warnings + candidate.warnings + [failure.diagnostic])
            } catch let failure as RuleCompiler.Failure {
                throw RuleLoadError(
                    error: failure.diagnostic,
                    diagnostics: diagnostics + reader.warnings + candidate.warnings + [failure.diagnostic])
            } catch {
                throw RuleLoadError(error: Self.fileError(source.name, "\(error)"), diagnostics: diagnostics)
            }
            diagnostics += reader.warnings + candidate.warnings
            collector = candidate
        }
        for (requirement, location) in collector.pluginRequirements
        where !([requirement] + requirement.alternatives).contains(where: { Self.builtinPlugins.contains($0.name) }) {
            let error = LoadDiagnostic(
                severity: .error, code: LoadErrorCode.validate.rawValue,
                message: "Plugin '\(requirement.name)' (version \(requirement.version)) is required by the rules but "
                    + "Vigil has no such plugin; remove the requirement or the rules that need it",
                location: location, itemKind: "required_plugin_versions", itemName: requirement.name)
            throw RuleLoadError(error: error, diagnostics: diagnostics + [error])
        }
        let compiled = output ?? RuleCompiler.Output(rules: [], slots: FieldSlotTable(), warnings: [])
        diagnostics += compiled.warnings
        if matchMode == .first { diagnostics += Self.shadowingWarnings(compiled.rules) }
        return Ruleset(
            rules: compiled.rules, slots: compiled.slots, matchMode: matchMode, eventTypes: eventTypes,
            registry: registry, diagnostics: diagnostics, definitions: collector.definitions())
    }

    /// With first-match, rule B never alerts when an earlier enabled rule A covers all of B's event types and every
    /// top-level conjunct of A is also one of B's (so B implies A). Sound, deliberately not complete.
    static func shadowingWarnings(_ rules: [CompiledRule]) -> [LoadDiagnostic] {
        func conjuncts(_ node: ConditionNode) -> Set<ConditionNode> {
            if case .and(let children) = node { return Set(children.flatMap { conjuncts($0) }) }
            return [node]
        }
        var out: [LoadDiagnostic] = []
        let enabled = rules.filter(\.enabledInFile)
        let parts = enabled.map { conjuncts($0.condition) }
        for j in enabled.indices {
            for i in 0..<j
            where enabled[i].eventTypes.isSuperset(of: enabled[j].eventTypes)
                && parts[i].isSubset(of: parts[j])
            {
                out.append(
                    LoadDiagnostic(
                        severity: .warning, code: LoadWarningCode.shadowedRule.rawValue,
                        message: "With match mode 'first' this rule never alerts: rule '\(enabled[i].name)' is earlier "
                            + "and matches every event this rule matches",
                        location: enabled[j].location, itemKind: "rule", itemName: enabled[j].name))
                break
            }
        }
        return out
    }
}
