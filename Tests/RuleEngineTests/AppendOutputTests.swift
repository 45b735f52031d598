import Foundation
import Testing

@testable import RuleEngine

/// falco.yaml's `append_output` (falco-reference §4.1): text after the outputs of the rules an entry matches, and
/// JSON-only `output_fields`.
@Suite struct AppendOutputTests {
    let yaml = """
        - rule: Shell
          desc: d
          output: "Shell (cmd=%proc.cmdline)"
          priority: notice
          tags: [shell, T1059]
          condition: evt.type = execve and proc.name = sh
        - rule: Read
          desc: d
          output: "Read %fd.name"
          priority: notice
          tags: [files]
          condition: evt.type = openat and fd.name = /etc/shadow
        """

    func alerts(_ append: [OutputAppend], _ event: DictionaryFieldSource, type: String) throws -> [Alert] {
        var loader = RuleLoader()
        loader.appendOutput = append
        let ruleset = try loader.load(sources: [("t.yaml", yaml)])
        let evaluator = RuleEvaluator(ruleset: ruleset)
        let formatter = AlertFormatter(hostname: "h", timeFormat: .iso8601)
        return evaluator.matches(eventTypeName: type, source: event).map {
            formatter.alert(rule: $0, timeNanoseconds: 0, source: event, evaluator: evaluator)
        }
    }

    let shell = DictionaryFieldSource([
        "proc.name": .string(Array("sh".utf8)), "proc.cmdline": .string(Array("sh -i".utf8)),
        "container.id": .string(Array("3ad881fb2b8b".utf8)), "proc.pid": .signed(42),
    ])

    @Test func suggestedOutputNamesTheContainer() throws {
        let a = try #require(try alerts([.suggested], shell, type: "execve").first)
        #expect(String(decoding: a.message, as: UTF8.self) == "Shell (cmd=sh -i) container_id=3ad881fb2b8b container_name=<NA>")
        #expect(a.fields.map(\.key) == ["container.id", "container.name", "proc.cmdline"])
        let none = try #require(try alerts([], shell, type: "execve").first)
        #expect(String(decoding: none.message, as: UTF8.self) == "Shell (cmd=sh -i)")
    }

    @Test func matchBySourceRuleAndAllTags() throws {
        let entries = [
            OutputAppend(tags: ["shell", "T1059"], extraOutput: "both=%proc.pid"),
            OutputAppend(tags: ["shell", "files"], extraOutput: "never"),
            OutputAppend(rule: "Read", extraOutput: "read-only"),
            OutputAppend(source: "k8s_audit", extraOutput: "other-source"),
        ]
        let a = try #require(try alerts(entries, shell, type: "execve").first)
        #expect(String(decoding: a.message, as: UTF8.self) == "Shell (cmd=sh -i) both=42")
    }

    @Test func extraFieldsGoToJSONOnly() throws {
        let entries = [OutputAppend(extraFields: [("proc.pid", "%proc.pid"), ("who", "%proc.name in %container.id")])]
        let a = try #require(try alerts(entries, shell, type: "execve").first)
        #expect(String(decoding: a.message, as: UTF8.self) == "Shell (cmd=sh -i)")
        let fields = Dictionary(uniqueKeysWithValues: a.fields.map { ($0.key, $0.value) })
        #expect(fields["proc.pid"] == .some(.signed(42)))  // a bare field keeps its type
        #expect(fields["who"] == .some(.string(Array("sh in 3ad881fb2b8b".utf8))))
    }

    @Test func anUnknownFieldInAnAppendIsALoadError() throws {
        var loader = RuleLoader()
        loader.appendOutput = [OutputAppend(extraOutput: "x=%proc.nosuchfield")]
        #expect(throws: RuleLoadError.self) { try loader.load(sources: [("t.yaml", yaml)]) }
    }
}
