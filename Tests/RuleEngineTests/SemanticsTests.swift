import Testing

@testable import RuleEngine

/// §2.2 semantics on compiled conditions.
@Suite struct SemanticsTests {
    func check(_ condition: String, _ values: [String: FieldValue], eventType: String = "open") throws -> Bool {
        let yaml = """
            - rule: r
              desc: d
              output: o
              priority: INFO
              condition: '\(condition.replacingOccurrences(of: "'", with: "''"))'
            """
        let ruleset = try loadRules(yaml)
        let evaluator = RuleEvaluator(ruleset: ruleset)
        let rule = try #require(ruleset.rule(named: "r"))
        return evaluator.evaluate(
            rule, eventType: ruleset.eventTypes.code(for: eventType),
            source: DictionaryFieldSource(values))
    }

    @Test func missingFieldMakesEveryComparisonFalse() throws {
        #expect(try !check("proc.name = cat", [:]))
        #expect(try !check("proc.name != cat", [:]))
        #expect(try check("not proc.name = cat", [:]))
        #expect(try !check("container.image.repository in (a, b)", [:]))
        #expect(try check("not container.image.repository in (a, b)", [:]))
        #expect(try !check("proc.name exists", [:]))
        #expect(try check("proc.name exists", ["proc.name": .string("x")]))
    }

    @Test func globHasNoPathnameFlag() throws {
        #expect(try check("fd.name glob /var/*", ["fd.name": .string("/var/run/file.txt")]))
        #expect(try check("fd.name glob '/var/?un/*.txt'", ["fd.name": .string("/var/run/file.txt")]))
        #expect(try !check("fd.name glob /var/*.log", ["fd.name": .string("/var/run/file.txt")]))
        #expect(try check("fd.name iglob /VAR/*", ["fd.name": .string("/var/x")]))
        #expect(try check("fd.name glob '/etc/[a-c]*'", ["fd.name": .string("/etc/bash")]))
        #expect(try !check("fd.name glob '/etc/[!a-c]*'", ["fd.name": .string("/etc/bash")]))
    }

    @Test func regexIsAFullMatch() throws {
        #expect(try !check("evt.source regex 'yscal.*'", ["evt.source": .string("syscall")]))
        #expect(try check("evt.source regex 'syscal.*'", ["evt.source": .string("syscall")]))
        #expect(throws: RuleLoadError.self) { _ = try check("proc.name regex '('", [:]) }
    }

    @Test func pmatchIsAPathPrefix() throws {
        #expect(try check("fd.name pmatch (/opt/dir)", ["fd.name": .string("/opt/dir/x")]))
        #expect(try check("fd.name pmatch (/opt/dir)", ["fd.name": .string("/opt/dir")]))
        #expect(try !check("fd.name pmatch (/opt/dir)", ["fd.name": .string("/opt/dir2")]))
        #expect(try check("fd.name pmatch (/opt/*/subdir)", ["fd.name": .string("/opt/a/subdir/f")]))
        #expect(try !check("fd.name pmatch (/opt/*/subdir)", ["fd.name": .string("/opt/a/b/subdir")]))
    }

    @Test func listFieldsInVersusIntersects() throws {
        let types: FieldValue = .list([Array("file".utf8), Array("ipv4".utf8)])
        #expect(try !check("fd.types in (file)", ["fd.types": types]))
        #expect(try check("fd.types in (file, ipv4, pipe)", ["fd.types": types]))
        #expect(try check("fd.types intersects (file)", ["fd.types": types]))
        #expect(try !check("fd.types intersects (pipe)", ["fd.types": types]))
    }

    @Test func ancestorWithoutIndexMatchesAnyAncestor() throws {
        let values: [String: FieldValue] = [
            "proc.aname": .list([Array("bash".utf8), Array("sshd".utf8)]), "proc.aname[2]": .string("sshd"),
        ]
        #expect(try check("proc.aname = sshd", values))
        #expect(try check("proc.aname in (sshd, x)", values))
        #expect(try !check("proc.aname = init", values))
        #expect(try check("proc.aname[2] = sshd", values))
        #expect(try !check("proc.aname[1] = sshd", values))
        let pids: [String: FieldValue] = ["proc.apid": .list([Array("12".utf8), Array("1".utf8)])]
        #expect(try check("proc.apid = 1", pids))
        #expect(try check("proc.apid > 10", pids))
        #expect(try !check("proc.apid > 12", pids))
    }

    @Test func operatorsAndTypes() throws {
        let v: [String: FieldValue] = [
            "proc.name": .string("NginX"), "fd.num": .signed(-1), "user.uid": .unsigned(0),
            "evt.is_open_read": .bool(true), "fd.sip": .ip(IPAddress("10.1.2.3")!),
            "fd.snet": .ip(IPAddress("10.1.2.3")!),
            "evt.buffer": .bytes(Array("xxHTTPyy".utf8)), "proc.cmdline": .string("a b"),
        ]
        #expect(try check("proc.name icontains nginx", v))
        #expect(try !check("proc.name contains nginx", v))
        #expect(try check("proc.name startswith Ng and proc.name endswith nX", v))
        #expect(try check("proc.name > 1 and proc.name >= 1 and not proc.name < 9", v))
        #expect(try check("fd.num = -1 and fd.num < 0 and user.uid <= 0x0", v))
        #expect(try check("evt.is_open_read = true", v))
        #expect(try check("fd.sip = 10.1.2.3 and fd.snet = 10.0.0.0/8 and fd.sip in (10.0.0.0/8)", v))
        #expect(try !check("fd.sip != 10.1.2.3", v))
        #expect(try check("evt.buffer bcontains 48545450", v))
        #expect(try !check("evt.buffer bstartswith 48545450", v))
        #expect(try check("proc.name == oneof (NginX, cat)", v))
        #expect(try !check("proc.name startswith oneof (N, Ng)", v))
        #expect(try check("proc.name startswith anyof (N, x)", v))
        #expect(try check("proc.name contains allof (gi, nX)", v))
        #expect(try !check("proc.name == oneof ()", v))
        #expect(try check("proc.cmdline = val(proc.cmdline)", v))
        #expect(try !check("proc.cmdline = proc.cmdline", v))
        #expect(try check("tolower(proc.name) = nginx and toupper(proc.name) = NGINX", v))
        #expect(try check("len(proc.name) = 5", v))
        #expect(try check(#"concat(proc.name, "-", fd.num) = NginX--1"#, v))
        #expect(try check(#"join("/", (proc.name, 42)) = NginX/42"#, v))
        #expect(throws: RuleLoadError.self) { _ = try check("fd.num contains 1", v) }
        #expect(throws: RuleLoadError.self) { _ = try check("proc.name bcontains 41", v) }
        #expect(throws: RuleLoadError.self) { _ = try check("toupper(fd.num) = 1", v) }
        #expect(throws: RuleLoadError.self) { _ = try check("toupper(proc.name)[x] = 1", v) }
        #expect(throws: RuleLoadError.self) { _ = try check("fd.num = abc", v) }
    }

    @Test func transformersB64BasenameGetopt() throws {
        let v: [String: FieldValue] = [
            "proc.name": .string("aGVsbG8="), "fd.name": .string("/usr/bin/"), "fd.filename": .string("/usr/bin/ls"),
            "proc.args": .string("-l -o out.txt file"),
        ]
        #expect(try check("b64(proc.name) = hello", v))
        #expect(try check("basename(fd.name) = ''", v))
        #expect(try check("basename(fd.filename) = ls", v))
        #expect(try check(#"getopt(proc.args, "lo:")[o] = out.txt"#, v))
        #expect(try check(#"getopt(proc.args, "lo:")[l] = ''"#, v))
        #expect(try !check(#"getopt(proc.args, "lo:")[x] exists"#, v))
    }

    @Test func unknownFieldIsAnErrorUnlessSkipped() throws {
        #expect(throws: RuleLoadError.self) { _ = try check("proc.nope = 1", [:]) }
        let yaml = """
            - rule: r
              desc: d
              output: o
              priority: INFO
              skip-if-unknown-filter: true
              condition: evt.type = open and proc.nope = 1
            """
        let ruleset = try loadRules(yaml)
        #expect(ruleset.rules.isEmpty)
        #expect(ruleset.diagnostics.contains { $0.code == "LOAD_UNKNOWN_FILTER" })
    }

    /// Dotted arguments only where libsinsp takes them (evt.arg, evt.rawarg, thread.cgroup, container.label,
    /// k8s.pod.label); `container.mount.foo` and `proc.env.HOME` are unknown fields there, and the five
    /// `container.mount.*` fields are fields of their own that need a bracket argument.
    @Test func dottedArgumentsOnlyWhereLibsinspTakesThem() throws {
        let r = FieldRegistry.standard
        func resolves(_ name: String, _ argument: String? = nil) -> Bool {
            if case .success = r.resolve(name, argument: argument) { return true }
            return false
        }
        #expect(resolves("evt.arg.flags") && resolves("evt.rawarg.res") && resolves("container.label.app"))
        #expect(resolves("thread.cgroup.cpuacct") && resolves("k8s.pod.label.tier"))
        #expect(!resolves("proc.env.HOME") && !resolves("proc.aenv.HOME") && !resolves("container.mount.foo"))
        #expect(resolves("proc.env", "HOME"))
        for f in ["source", "dest", "mode", "rdwr", "propagation"] {
            #expect(resolves("container.mount.\(f)", "/proc*") && resolves("container.mount.\(f)", "0"))
            #expect(!resolves("container.mount.\(f)"))
        }
        #expect(!resolves("container.mount") && resolves("container.mount", "/usr/local/*") && resolves("container.mounts"))
        #expect(throws: RuleLoadError.self) { _ = try check("container.mount.foo = x", [:]) }
    }

    /// libsinsp's filter_different_types and filter_not_supported_transformers: two fields of different kinds
    /// are not compared, and evt.rawarg (no fixed type) takes no transformer.
    @Test func fieldComparisonsNeedOneKindAndRawargNoTransformer() throws {
        #expect(throws: RuleLoadError.self) { _ = try check("evt.type = val(evt.failed)", [:]) }
        #expect(throws: RuleLoadError.self) { _ = try check("proc.pid = val(proc.name)", [:]) }
        #expect(throws: RuleLoadError.self) { _ = try check("toupper(evt.rawarg.res) = -1", [:]) }
        #expect(try check("proc.name = val(proc.pname)", ["proc.name": .string("a"), "proc.pname": .string("a")]))
        #expect(try check("proc.pid = val(proc.ppid)", ["proc.pid": .signed(7), "proc.ppid": .signed(7)]))
        #expect(try check("evt.rawarg.res = val(proc.pid)", ["evt.rawarg[res]": .signed(7), "proc.pid": .signed(7)]))
    }

    @Test func eventTypeSets() throws {
        func types(_ condition: String) throws -> String {
            let tree = try ConditionParser.parse(condition)
            return EventTypeInference.eventTypes(tree, table: .standard).description(in: .standard)
        }
        #expect(try types("evt.type in (open, openat) and proc.name = x") == "open, openat")
        #expect(try types("evt.type = open or evt.type = close") == "close, open")
        #expect(try types("not evt.type = open") == "all except (open)")
        #expect(try types("evt.type != open") == "all except (open)")
        #expect(try types("not evt.type != open") == "open")
        #expect(try types("not (evt.type = open or proc.name = x)") == "all except (open)")
        #expect(try types("evt.type = open and evt.num = 0") == "")
        #expect(try types("proc.name = x") == "all")
    }

    @Test func firstMatchModeAndShadowing() throws {
        let yaml = """
            - rule: a
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open
            - rule: b
              desc: d
              output: o
              priority: INFO
              condition: evt.type = open and proc.name = cat
            """
        let first = try loadRules(yaml, matchMode: .first)
        #expect(first.diagnostics.contains { $0.code == "LOAD_SHADOWED_RULE" && $0.itemName == "b" })
        let event = DictionaryFieldSource(["proc.name": .string("cat")])
        #expect(RuleEvaluator(ruleset: first).matches(eventTypeName: "open", source: event).map(\.name) == ["a"])
        let all = try loadRules(yaml)
        #expect(!all.diagnostics.contains { $0.code == "LOAD_SHADOWED_RULE" })
        #expect(RuleEvaluator(ruleset: all).matches(eventTypeName: "open", source: event).map(\.name) == ["a", "b"])
        var selected = all
        selected.setEnabled(false, ruleNamePattern: "*")
        selected.setEnabled(true, ruleNamePattern: "b")
        #expect(RuleEvaluator(ruleset: selected).matches(eventTypeName: "open", source: event).map(\.name) == ["b"])
    }
}
