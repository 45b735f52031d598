import Foundation
import Testing

@testable import RuleEngine

@Suite struct FormatterAndLoaderTests {
    let yaml = """
        - rule: Shell
          desc: d
          output: "Shell by %user.name (cmd=%proc.cmdline anc=%proc.aname[2] all=%proc.aname up=%toupper(proc.name) w=%5proc.name| uid=%user.uid)"
          priority: info
          tags: [z, a, a]
          condition: evt.type = execve and proc.name = bash
        """

    @Test func textAndJSONAlert() throws {
        let ruleset = try loadRules(yaml)
        let evaluator = RuleEvaluator(ruleset: ruleset)
        let event = DictionaryFieldSource([
            "proc.name": .string("bash"), "proc.cmdline": .string("bash -c \"x\"\u{1}"),
            "proc.aname": .list([Array("sshd".utf8), Array("init".utf8)]), "user.uid": .unsigned(0),
            "user.name": .string([0x72, 0xFF, 0x74]),
        ])
        let rule = try #require(evaluator.matches(eventTypeName: "execve", source: event).first)
        let formatter = AlertFormatter(hostname: "h", timeFormat: .iso8601)
        let alert = formatter.alert(
            rule: rule, timeNanoseconds: 1_685_022_245_478_445_995, source: event, evaluator: evaluator)
        let text = String(decoding: formatter.textLine(alert), as: UTF8.self)
        #expect(text.hasPrefix("2023-05-25T13:44:05.478445995+0000: Informational Shell by r"))
        #expect(text.hasSuffix("anc=<NA> all=sshd init up=BASH w=bash | uid=0)"))

        let json = formatter.json(alert)
        #expect(String(validatingCString: json.map { CChar(bitPattern: $0) } + [0]) != nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time", "uuid",
            ])
        #expect(object["priority"] as? String == "Informational")
        #expect(object["rule"] as? String == "Shell")
        #expect(object["source"] as? String == "syscall")
        #expect(object["tags"] as? [String] == ["a", "z"])
        #expect(object["time"] as? String == "2023-05-25T13:44:05.478445995Z")
        let fields = try #require(object["output_fields"] as? [String: Any])
        #expect(fields["proc.aname[2]"] is NSNull)
        #expect(fields["proc.name"] as? String == "bash")
        #expect(fields["user.uid"] as? Int == 0)
        #expect(fields["user.name"] as? String == "r\u{FFFD}t")
        #expect(fields["proc.cmdline"] as? String == "bash -c \"x\"\u{1}")
        #expect(fields["proc.aname"] as? String == "sshd init")
        #expect(fields["evt.time.iso8601"] != nil)
        // Falcosidekick's Check(): known priority, rule, RFC 3339 time, non-empty output_fields.
        #expect(!fields.isEmpty)
        #expect(
            ISO8601DateFormatter().date(
                from: (object["time"] as! String).replacingOccurrences(of: ".478445995", with: "")) != nil)
        #expect(UUID(uuidString: object["uuid"] as! String) != nil)
        #expect(String(decoding: json, as: UTF8.self).hasPrefix(#"{"hostname":"h","output":"#))
    }

    @Test func unknownOutputFieldIsAnError() {
        #expect(throws: RuleLoadError.self) {
            try loadRules(
                "- rule: r\n  desc: d\n  output: '%proc.nope'\n  priority: INFO\n  condition: evt.type = open\n")
        }
    }

    @Test func errorsCarryLocationAndItem() {
        do {
            _ = try loadRules(
                "- list: l\n  items: [a]\n- rule: broken\n  desc: d\n  output: o\n  priority: INFO\n  condition: evt.type = open and (proc.name = x\n",
                name: "f.yaml")
            Issue.record("must fail")
        } catch {
            #expect(error.error.location?.file == "f.yaml")
            #expect(error.error.location?.line == 7)
            #expect(error.error.itemName == "broken")
            #expect(error.error.itemKind == "rule")
            #expect(error.error.code == "LOAD_ERR_COMPILE_CONDITION")
        }
    }

    /// Codes and words of Falco's loader tests (falcosecurity/testing `legacy_test.go`): an undefined macro is
    /// LOAD_ERR_VALIDATE, a missing key LOAD_ERR_YAML_VALIDATE, an empty name "Mapping for key … is empty", an
    /// unknown output field "invalid formatting token NAME".
    @Test func falcoErrorCodesAndWords() {
        func failure(_ yaml: String) -> LoadDiagnostic? {
            do {
                _ = try loadRules(yaml)
                return nil
            } catch {
                return error.error
            }
        }
        let undefined = failure("- rule: r\n  desc: d\n  output: o\n  priority: INFO\n  condition: evt.type = open and bar\n")
        #expect(undefined?.code == "LOAD_ERR_VALIDATE" && undefined?.message == "Undefined macro 'bar' used in filter.")
        let noOutput = failure("- rule: r\n  desc: d\n  priority: INFO\n  condition: evt.type = open\n")
        #expect(noOutput?.code == "LOAD_ERR_YAML_VALIDATE" && noOutput?.message == "Item has no mapping for key 'output'")
        let noName = failure("- macro:\n  condition: evt.type = open\n")
        #expect(noName?.code == "LOAD_ERR_YAML_VALIDATE" && noName?.message == "Mapping for key 'macro' is empty")
        let badToken = failure("- rule: r\n  desc: d\n  output: o %not_a_real_field\n  priority: INFO\n  condition: evt.type = open\n")
        #expect(badToken?.code == "LOAD_ERR_COMPILE_OUTPUT" && badToken?.message == "invalid formatting token not_a_real_field")
    }

    @Test func laterFilesUseEarlierOnesAndFailingFileIsRejected() throws {
        let base = "- macro: m\n  condition: proc.name = x\n- list: l\n  items: [a, b]\n"
        let rules =
            "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n  condition: evt.type = open and m and proc.pname in (l)\n"
        let ruleset = try RuleLoader().load(sources: [("a.yaml", base), ("b.yaml", rules)])
        #expect(
            ruleset.rule(named: "r")?.canonicalCondition
                == "(evt.type = open and proc.name = x and proc.pname in (a, b))")
        #expect(throws: RuleLoadError.self) { try RuleLoader().load(sources: [("b.yaml", rules), ("a.yaml", base)]) }
        do {
            _ = try RuleLoader().load(sources: [("a.yaml", base), ("c.yaml", "- rule: [\n")])
        } catch {
            #expect(error.error.location?.file == "c.yaml")
            #expect(error.error.code == "LOAD_ERR_YAML_PARSE")
        }
    }

    @Test func macroVisibility() {
        let yaml =
            "- macro: a\n  condition: b\n- macro: b\n  condition: proc.name = x\n- rule: r\n  desc: d\n  output: o\n  priority: INFO\n  condition: evt.type = open and a\n"
        #expect(throws: RuleLoadError.self) { try loadRules(yaml) }
    }

    @Test func engineVersionAndPlugins() throws {
        #expect(throws: RuleLoadError.self) { try loadRules("- required_engine_version: 0.99.0\n") }
        #expect(throws: RuleLoadError.self) { try loadRules("- required_engine_version: 1.0.0\n") }
        _ = try loadRules(
            "- required_engine_version: 10\n- required_plugin_versions:\n    - name: container\n      version: 0.4.0\n")
        #expect(throws: RuleLoadError.self) {
            try loadRules("- required_plugin_versions:\n    - name: k8saudit\n      version: 0.1.0\n")
        }
    }

    @Test func warningsAndSelection() throws {
        let yaml = """
            - list: unused
              items: [a]
            - macro: unusedmacro
              condition: proc.name = a
            - something: else
            - rule: r
              desc: d
              output: o
              priority: DEBUG
              tags: [t1]
              bogus: 1
              condition: evt.type = open
            - rule: s
              desc: d
              output: o
              priority: WARNING
              tags: [t2]
              condition: proc.name = x
            """
        let ruleset = try loadRules(yaml)
        let codes = Set(ruleset.diagnostics.map(\.code))
        #expect(
            codes.isSuperset(of: [
                "LOAD_UNUSED_LIST", "LOAD_UNUSED_MACRO", "LOAD_UNKNOWN_ITEM", "LOAD_UNKNOWN_KEY", "LOAD_NO_EVTTYPE",
            ]))
        var selected = ruleset
        selected.setEnabled(false, tag: "t1")
        #expect(!selected.isEnabled("r") && selected.isEnabled("s"))
        let strict = try RuleLoader(priorityThreshold: .warning).load(sources: [("x.yaml", yaml)])
        #expect(strict.rules.map(\.name) == ["s"])
    }

    @Test func directoriesLoadYamlFilesAlphabetically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // b.yaml uses the macro of a.yml: only loads if a.yml comes first; notes.txt is ignored.
        try "- macro: m\n  condition: proc.name = x\n".write(
            to: dir.appendingPathComponent("a.yml"), atomically: true, encoding: .utf8)
        try "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n  condition: evt.type = open and m\n".write(
            to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try "not yaml: [".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(
            try RuleLoader.expand(paths: [dir.path]).map { ($0 as NSString).lastPathComponent } == ["a.yml", "b.yaml"])
        let ruleset = try RuleLoader().load(paths: [dir.path])
        #expect(ruleset.rule(named: "r")?.canonicalCondition == "(evt.type = open and proc.name = x)")
        #expect(throws: RuleLoadError.self) {
            try RuleLoader().load(paths: [dir.appendingPathComponent("missing.yaml").path])
        }
    }

    @Test func multipleDocumentsAndNestedLists() throws {
        let yaml = """
            - list: a
              items: [x, y]
            ---
            - list: b
              items: [a, z]
            - rule: r
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open and proc.name in (b)
            """
        #expect(
            try loadRules(yaml).rule(named: "r")?.canonicalCondition == "(evt.type = open and proc.name in (x, y, z))")
        #expect(throws: RuleLoadError.self) { try loadRules("rule: not-a-sequence\n") }
    }

    /// YAML aliases are counted before Yams builds the tree: a key standing for a big aliased node (Yams hashes
    /// every key to find duplicates; the fuzzer's 812-byte configuration took 11 s) or a document expanding past
    /// the cap is refused at once with its position; ordinary anchors still load.
    @Test func yamlAliasBombsAreRefusedBeforeParsing() throws {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...7 { bomb += "b\(i): &b\(i) [" + Array(repeating: i == 1 ? "*a" : "*b\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(throws: YAMLExpansionGuard.Failure.self) { try YAMLExpansionGuard.check(bomb) }
        let key = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: {*c: 1}\n"
        do {
            try YAMLExpansionGuard.check(key)
            Issue.record("an aliased key of 1 111 nodes must be refused")
        } catch {
            #expect(error.message.contains("mapping key") && error.line == 4)
        }
        try YAMLExpansionGuard.check("base: &base {priority: INFO, tags: [a, b]}\nrule1: *base\nrule2: *base\n")
        // The same bomb in a rules file: refused by the guard, as a YAML error with its line.
        var rules = "- list: a0\n  items: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...7 { rules += "- list: a\(i)\n  items: &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        do {
            _ = try loadRules(rules)
            Issue.record("an alias bomb must not load")
        } catch {
            #expect(error.error.code == "LOAD_ERR_YAML_PARSE" && error.error.message.contains("YAML aliases"), "\(error)")
        }
    }

    /// A YAML error anywhere rejects the file (Yams' multi-document sequence stops silently at one), appended
    /// exception values must fit the exception's fields, and a field-like constant is warned about also when
    /// blanks or a transformer surround it (Falco's `test_rule_loader.cpp` exception cases).
    @Test func brokenYamlShortValuesAndFieldLookalikes() throws {
        #expect(throws: RuleLoadError.self) { _ = try loadRules("this : is : not : yaml") }
        #expect(throws: RuleLoadError.self) {
            _ = try loadRules("- list: a\n  items: [x]\n- macro: m\n  condition: [\n")
        }
        let short = """
            - rule: r
              desc: d
              condition: evt.type = open
              output: o
              priority: INFO
              exceptions:
                - name: e
                  fields: [proc.name, fd.filename]
            - rule: r
              exceptions:
                - name: e
                  values: [[nginx]]
              override:
                exceptions: append
            """
        #expect {
            _ = try loadRules(short)
        } throws: { error in
            "\(error)".contains("Fields and values lists must have equal length")
        }
        for value in ["proc.pname ", "toupper( proc.pname)"] {
            let yaml = """
                - rule: r
                  desc: d
                  condition: evt.type = open
                  output: o
                  priority: INFO
                  exceptions:
                    - name: e
                      fields: [proc.name]
                      comps: [=]
                      values: [["\(value)"]]
                """
            let ruleset = try loadRules(yaml)
            #expect(ruleset.diagnostics.contains { $0.code == "LOAD_COMPILE_CONDITION" && $0.message.contains("'\(value)' may be a valid field") }, "\(ruleset.diagnostics)")
        }
    }

    /// `%container.info` gets Falco's one warning, on the output line; a deprecated field used in an output is
    /// reported at the output, not at the condition.
    @Test func outputWarningsAreTheOutputs() throws {
        let yaml = """
            - rule: r
              desc: d
              condition: evt.type = open
              output: "opened %fd.name %container.info dir=%evt.dir"
              priority: INFO
            """
        let ruleset = try loadRules(yaml)
        let warnings = ruleset.diagnostics.filter { $0.code == "LOAD_DEPRECATED_ITEM" }
        #expect(warnings.map { $0.location?.line } == [4, 4], "\(warnings)")
        #expect(warnings.filter { $0.message.contains("container.info") }.count == 1)
        // …and the token is gone from the compiled output, as Falco replaces it by "".
        #expect(ruleset.rule(named: "r")?.output.source == "opened %fd.name  dir=%evt.dir")
        #expect(warnings.contains { $0.message.contains("'evt.dir'") })
    }

    @Test func moreFalcoWarningKinds() throws {
        let yaml = """
            - macro: 1bad
              condition: proc.name = x
            - list: "bad,name"
              items: [a]
            - rule: k8s
              desc: d
              output: o
              priority: INFO
              source: k8s_audit
              condition: ka.verb = create
            - rule: r
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open and evt.dir = <
              exceptions:
                - name: e
                  fields: [proc.name]
                  values: [[a]]
                - name: e
                  fields: [proc.name]
                  values: [[b]]
            - rule: r
              exceptions:
                - name: e
              override:
                exceptions: append
            """
        let ruleset = try loadRules(yaml)
        let codes = Set(ruleset.diagnostics.map(\.code))
        for code in [
            "LOAD_INVALID_MACRO_NAME", "LOAD_INVALID_LIST_NAME", "LOAD_UNKNOWN_SOURCE",
            "LOAD_EXCEPTION_NAME_NOT_UNIQUE",
            "LOAD_APPEND_NO_VALUES", "LOAD_DEPRECATED_ITEM",
        ] {
            #expect(codes.contains(code), "\(code)")
        }
        #expect(ruleset.rules.map(\.name) == ["r"])
        let warning = try #require(ruleset.diagnostics.first { $0.code == "LOAD_UNKNOWN_SOURCE" })
        #expect(warning.itemName == "k8s" && warning.location?.line == 5)
    }
}
