import Testing

@testable import RuleEngine

/// The exact compiled conditions of falco-reference §1.2/§1.3 (Falco `test_rule_loader.cpp`).
@Suite struct ExceptionAndOverrideTests {
    func compiled(_ yaml: String, rule: String = "r") throws -> String {
        let ruleset = try loadRules(yaml)
        return try #require(ruleset.rule(named: rule)).canonicalCondition
    }

    let ruleHead = """
        - rule: r
          desc: d
          output: o
          priority: INFO

        """

    @Test func singleFieldModifier() throws {
        let yaml =
            ruleHead + """
                  condition: evt.type = open
                  exceptions:
                    - name: e
                      fields: [proc.name]
                      comps: [startswith oneof]
                      values:
                        - [[sshd, sudo, systemd]]
                """
        #expect(try compiled(yaml) == "(evt.type = open and not proc.name startswith oneof (sshd, sudo, systemd))")
    }

    @Test func twoFields() throws {
        let yaml =
            ruleHead + """
                  condition: evt.type = open
                  exceptions:
                    - name: e
                      fields: [proc.name, fd.name]
                      comps: [startswith oneof, startswith]
                      values:
                        - [[sshd, sudo], /etc/]
                """
        #expect(
            try compiled(yaml)
                == "(evt.type = open and not (proc.name startswith oneof (sshd, sudo) and fd.name startswith /etc/))")
    }

    @Test func threeExceptions() throws {
        let yaml =
            ruleHead + """
                  condition: evt.type = execve
                  exceptions:
                    - name: e1
                      fields: [proc.name]
                      comps: [startswith oneof]
                      values: [[[ssh, su]]]
                    - name: e2
                      fields: [proc.name]
                      comps: [startswith anyof]
                      values: [[[ssh, su]]]
                    - name: e3
                      fields: [proc.cmdline]
                      comps: [contains allof]
                      values: [[[curl, ci.internal]]]
                """
        #expect(
            try compiled(yaml)
                == "(evt.type = execve and not proc.name startswith oneof (ssh, su) and not proc.name startswith anyof "
                + "(ssh, su) and not proc.cmdline contains allof (curl, ci.internal))")
    }

    @Test func fieldLookalikeValueIsAString() throws {
        let yaml =
            ruleHead + """
                  condition: evt.type = open
                  exceptions:
                    - name: e
                      fields: [proc.name]
                      comps: [=]
                      values: [[proc.pname]]
                """
        let ruleset = try loadRules(yaml)
        #expect(ruleset.rule(named: "r")?.canonicalCondition == "(evt.type = open and not proc.name = proc.pname)")
        #expect(
            ruleset.diagnostics.contains { $0.code == "LOAD_COMPILE_CONDITION" && $0.message.contains("proc.pname") })
        let transformed = yaml.replacingOccurrences(of: "[[proc.pname]]", with: "[[toupper(proc.pname)]]")
        #expect(try compiled(transformed) == "(evt.type = open and not proc.name = toupper(proc.pname))")
        let quoted = yaml.replacingOccurrences(of: "[[proc.pname]]", with: "[[\"toupper( proc.pname)\"]]")
        #expect(try compiled(quoted) == #"(evt.type = open and not proc.name = "toupper( proc.pname)")"#)
    }

    @Test func scalarFieldsDefaultIn() throws {
        let yaml =
            ruleHead + """
                  condition: evt.type = open
                  exceptions:
                    - name: filenames
                      fields: fd.filename
                      values: [python, "my file"]
                    - name: none
                      fields: fd.name
                """
        #expect(try compiled(yaml) == #"(evt.type = open and not fd.filename in (python, "my file"))"#)
    }

    @Test func exceptionFieldsMustBeFields() {
        let yaml =
            ruleHead + """
                  condition: evt.type = open
                  exceptions:
                    - name: e
                      fields: [proc.nosuchfield]
                """
        #expect(throws: RuleLoadError.self) { try loadRules(yaml) }
    }

    @Test func macroConditionAppend() throws {
        let yaml = """
            - macro: m
              condition: ((proc.aname=sshd and proc.name != sshd) or proc.name=systemd-logind or proc.name=login)
            - macro: m
              condition: or proc.name = ssh
              override:
                condition: append
            - rule: r
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open and m
            """
        #expect(
            try compiled(yaml)
                == "(evt.type = open and (((proc.aname = sshd and proc.name != sshd) or proc.name = systemd-logind or "
                + "proc.name = login) or proc.name = ssh))")
    }

    @Test func deprecatedAppendAndOverrides() throws {
        let yaml =
            ruleHead + """
                  condition: evt.type = open
                  tags: [b, a]
                - rule: r
                  append: true
                  condition: and proc.name = cat
                - rule: r
                  output: more
                  tags: [c, a]
                  priority: ERROR
                  override:
                    output: append
                    tags: append
                    priority: replace
                """
        let ruleset = try loadRules(yaml)
        let rule = try #require(ruleset.rule(named: "r"))
        #expect(rule.canonicalCondition == "(evt.type = open and proc.name = cat)")
        #expect(rule.output.source == "o more")
        #expect(rule.tags == ["a", "b", "c"])
        #expect(rule.priority == .error)
        #expect(ruleset.diagnostics.contains { $0.code == "LOAD_DEPRECATED_ITEM" })
    }

    @Test func overrideErrors() {
        // Append before definition.
        #expect(throws: RuleLoadError.self) {
            try loadRules("- rule: r\n  condition: and a.b = c\n  override:\n    condition: append\n")
        }
        // override + append together.
        #expect(throws: RuleLoadError.self) {
            try loadRules(
                ruleHead
                    + "  condition: evt.type = open\n- rule: r\n  condition: and proc.name = x\n  append: true\n  override:\n    condition: append\n"
            )
        }
        // A key not allowed for append.
        #expect(throws: RuleLoadError.self) {
            try loadRules(
                ruleHead
                    + "  condition: evt.type = open\n- rule: r\n  priority: ERROR\n  override:\n    priority: append\n")
        }
        // An overridable key present without an override entry.
        #expect(throws: RuleLoadError.self) {
            try loadRules(
                ruleHead
                    + "  condition: evt.type = open\n- rule: r\n  output: x\n  desc: y\n  override:\n    output: replace\n"
            )
        }
    }

    @Test func listOverrideReplaceBeforeDefinitionIsADefinition() throws {
        let yaml = """
            - list: l
              items: [a]
              override:
                items: replace
            - list: l
              items: [b, c]
            - rule: r
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open and proc.name in (l)
            """
        #expect(try compiled(yaml) == "(evt.type = open and proc.name in (b, c))")
    }

    @Test func exceptionAppendAddsValues() throws {
        let yaml =
            ruleHead + """
                  condition: evt.type = open
                  exceptions:
                    - name: e
                      fields: [proc.name]
                      values: [[cat]]
                - rule: r
                  exceptions:
                    - name: e
                      values: [[dog]]
                  override:
                    exceptions: append
                """
        #expect(try compiled(yaml) == "(evt.type = open and not (proc.name = cat or proc.name = dog))")
    }

    @Test func redefinitionKeepsOrderAndEnabledOnly() throws {
        let yaml = """
            - rule: first
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open
            - rule: second
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open
            - rule: first
              desc: d2
              output: o2
              priority: INFO
              condition: evt.type = close
            - rule: second
              enabled: false
            """
        let ruleset = try loadRules(yaml)
        #expect(ruleset.rules.map(\.name) == ["first", "second"])
        #expect(ruleset.rules[0].description == "d2")
        #expect(!ruleset.isEnabled("second"))
    }
}
