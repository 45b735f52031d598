import ArgumentParser
import Foundation
import RuleEngine
import VigilDaemon

/// `vigil rules`: load, check and explain Falco-language rules files without running the daemon.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate, list and explain Falco rules files.",
        subcommands: [Validate.self, List.self, Describe.self, Fields.self, Parse.self]
    )

    /// Where rules come from when no file is named (Falco's own defaults, read when present).
    static let defaultRulesPaths = [
        "/etc/vigil/falco_rules.yaml", "/etc/vigil/falco_rules.local.yaml", "/etc/vigil/rules.d",
    ]

    struct RulesOptions: ParsableArguments {
        @Option(
            name: .customLong("rules"),
            help: "Rules file or directory (*.yml/*.yaml, alphabetical); repeatable, in load order.")
        var paths: [String] = []

        var effectivePaths: [String] {
            paths.isEmpty ? Rules.defaultRulesPaths.filter { FileManager.default.fileExists(atPath: $0) } : paths
        }

        func load() throws -> Ruleset {
            let paths = effectivePaths
            guard !paths.isEmpty else {
                throw ValidationError(
                    "no rules files: pass --rules PATH (defaults: \(Rules.defaultRulesPaths.joined(separator: ", ")))")
            }
            do {
                return try RuleLoader().load(paths: paths)
            } catch {
                FileHandle.standardError.write(Data("vigil rules: \(error.error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    static func jsonString(_ object: Any) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func diagnosticObject(_ d: LoadDiagnostic) -> [String: Any] {
        var object: [String: Any] = ["severity": d.severity.rawValue, "code": d.code, "message": d.message]
        if let location = d.location {
            object["file"] = location.file
            object["line"] = location.line
            object["column"] = location.column
        }
        if let kind = d.itemKind { object["item_kind"] = kind }
        if let name = d.itemName { object["item_name"] = name }
        return object
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load rules files in order; list warnings; exit 1 on the first error (that file is rejected).")

        @Argument(help: "Rules files or directories, in load order.")
        var files: [String]

        @Flag(help: "Machine-readable result.")
        var json = false

        func run() throws {
            do {
                let ruleset = try RuleLoader().load(paths: files)
                if json {
                    print(
                        Rules.jsonString([
                            "ok": true, "rules": ruleset.rules.count, "errors": [Any](),
                            "warnings": ruleset.diagnostics.map(Rules.diagnosticObject),
                        ]))
                } else {
                    for d in ruleset.diagnostics { print(d) }
                    print(
                        "\(files.joined(separator: " ")): Ok (\(ruleset.rules.count) rules, \(ruleset.diagnostics.count) warnings)"
                    )
                }
            } catch {
                if json {
                    print(
                        Rules.jsonString([
                            "ok": false, "errors": [Rules.diagnosticObject(error.error)],
                            "warnings": error.diagnostics.filter { $0.severity == .warning }.map(
                                Rules.diagnosticObject),
                        ]))
                } else {
                    for d in error.diagnostics where d.severity == .warning { print(d) }
                    FileHandle.standardError.write(Data("\(error.error)\n".utf8))
                }
                throw ExitCode(1)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List loaded rules in evaluation order.")
        @OptionGroup var options: RulesOptions

        func run() throws {
            let ruleset = try options.load()
            for rule in ruleset.rules {
                let state = ruleset.isEnabled(rule.name) ? "enabled " : "disabled"
                print("\(state)  \(rule.priority.name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(rule.name)")
            }
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a rule's compiled condition (Falco canonical form) and its event types.")
        @OptionGroup var options: RulesOptions
        @Argument(help: "Rule name.") var name: String
        @Flag(help: "Machine-readable result.") var json = false

        func run() throws {
            let ruleset = try options.load()
            guard let rule = ruleset.rule(named: name) else {
                FileHandle.standardError.write(Data("vigil rules: no rule named '\(name)'\n".utf8))
                throw ExitCode(1)
            }
            let types = rule.eventTypes
            if json {
                print(
                    Rules.jsonString([
                        "rule": rule.name, "condition": rule.canonicalCondition, "priority": rule.priority.name,
                        "enabled": ruleset.isEnabled(rule.name), "tags": rule.tags, "output": rule.output.source,
                        "event_types": types.names(in: ruleset.eventTypes),
                        "event_types_complement": types.isComplement,
                        "exception_fields": rule.exceptionFields, "source": rule.source,
                        "fails_open_when_image_unknown": FailOpenAnalysis.failsOpenWhenImageUnknown(rule),
                    ]))
            } else {
                print("rule: \(rule.name)")
                print("priority: \(rule.priority.name)")
                print("enabled: \(ruleset.isEnabled(rule.name))")
                print("event types: \(types.description(in: ruleset.eventTypes))")
                print("condition: \(rule.canonicalCondition)")
                print("output: \(rule.output.source)")
                if FailOpenAnalysis.failsOpenWhenImageUnknown(rule) {
                    print("note: fails open when image is unknown (its container.image exclusions cannot exclude without runtime metadata)")
                }
            }
        }
    }

    struct Fields: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the fields rules may use, with their type and whether audit can provide them.",
            discussion: """
                A field Vigil does not extract (yet) is listed as not-extracted: rules naming it load, as in Falco, \
                and it is always missing, so comparisons on it are false.
                """)
        @Flag(help: "Machine-readable result.") var json = false

        func run() throws {
            let registry = FieldRegistry.standard
            if json {
                print(
                    Rules.jsonString(
                        registry.definitions.map {
                            [
                                "name": $0.name, "type": $0.type.rawValue, "availability": $0.availability.rawValue,
                                "extracted": AuditField.isExtracted($0.name), "description": $0.summary,
                                "deprecated": $0.deprecated,
                            ] as [String: Any]
                        }))
                return
            }
            for field in registry.definitions {
                let name = field.name.padding(toLength: 42, withPad: " ", startingAt: 0)
                let type = field.type.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                let shown =
                    AuditField.isExtracted(field.name) || field.availability == .never
                    ? field.availability.rawValue : "not-extracted"
                let availability = shown.padding(toLength: 18, withPad: " ", startingAt: 0)
                print("\(name) \(type) \(availability) \(field.summary)")
            }
        }
    }

    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse a condition (syntax only, no field or macro checks) and print its canonical form.")
        @Argument(help: "The condition expression.") var expression: String
        @Flag(help: "Machine-readable result.") var json = false

        func run() throws {
            do {
                let tree = try ConditionParser.parse(expression)
                let text = ConditionPrinter.string(tree)
                print(json ? Rules.jsonString(["ok": true, "canonical": text]) : text)
            } catch {
                if json {
                    print(
                        Rules.jsonString([
                            "ok": false, "error": error.message, "offset": error.offset, "line": error.line,
                            "column": error.column,
                        ]))
                } else {
                    FileHandle.standardError.write(
                        Data(
                            "\(expression)\n\(String(repeating: " ", count: max(0, error.column - 1)))^\nerror: \(error)\n"
                                .utf8))
                }
                throw ExitCode(1)
            }
        }
    }
}
