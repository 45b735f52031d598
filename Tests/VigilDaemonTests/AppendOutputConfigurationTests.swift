import RuleEngine
import Testing
import VigilDaemon

/// The `append_output:` key of vigil.yaml, as falco.yaml spells it.
struct AppendOutputConfigurationTests {
    @Test func defaultIsFalcosSuggestedOutput() throws {
        let (c, _) = try ConfigurationLoader.parse("state_dir: /srv/vigil\n", file: "v.yaml")
        #expect(c.appendOutput == [.suggested])
        let (off, _) = try ConfigurationLoader.parse("append_output: []\n", file: "v.yaml")
        #expect(off.appendOutput.isEmpty)
    }

    @Test func entriesAreRead() throws {
        let (c, warnings) = try ConfigurationLoader.parse("""
            append_output:
              - suggested_output: true
              - match:
                  source: syscall
                  tags: [T1059]
                  rule: Shell
                extra_output: "ns=%k8s.ns.name"
                extra_fields:
                  - proc.pid
                  - parent_cmd: "%proc.pcmdline"
            """, file: "v.yaml")
        #expect(warnings.isEmpty)
        #expect(c.appendOutput == [
            .suggested,
            OutputAppend(
                source: "syscall", rule: "Shell", tags: ["T1059"], extraOutput: "ns=%k8s.ns.name",
                extraFields: [("proc.pid", "%proc.pid"), ("parent_cmd", "%proc.pcmdline")]),
        ])
    }

    @Test(arguments: [
        ("append_output: {suggested_output: true}\n", 1, "'append_output' must be a list"),
        ("append_output:\n  - extra_fields: [{a: 1, b: 2}]\n", 2, "an 'append_output.extra_fields' item is a field name or one 'name: format'"),
        ("append_output:\n  - match: [syscall]\n    extra_output: x\n", 2, "'append_output.match' must be a mapping"),
        ("append_output:\n  - extra_output: \"ns=%k8s.nosuch\"\n", 2, "'append_output.extra_output': invalid formatting token k8s.nosuch"),
        ("append_output:\n  - extra_fields:\n      - proc.pid\n      - proc.nosuch\n", 4, "'append_output.extra_fields': invalid formatting token proc.nosuch"),
    ])
    func mistakesAreLocated(_ yaml: String, _ line: Int, _ message: String) throws {
        do {
            _ = try ConfigurationLoader.parse(yaml, file: "v.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let p as ConfigurationLoader.Problem {
            #expect(p.line == line)
            #expect(p.message == message)
        }
    }

    @Test func unknownKeysWarn() throws {
        let (_, warnings) = try ConfigurationLoader.parse("append_output:\n  - extra_ouput: x\n", file: "v.yaml")
        #expect(warnings.map(\.message) == ["unknown key 'append_output.extra_ouput' (ignored)"])
    }
}
