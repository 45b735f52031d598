import Foundation
import Testing

@testable import RuleEngine

/// Acceptance: the stock falco_rules.yaml loads unchanged and gets Table U7's event-type sets.
@Suite struct StockRulesTests {
    static let path: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/RuleEngineTests/file → repository parent
        let candidates = [
            url.appendingPathComponent("shared/corpus/falco/falco_rules.yaml").path,
            "/work/shared/corpus/falco/falco_rules.yaml",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
    }()

    static let tableU7: [(String, [String])] = [
        ("Directory traversal monitored file read", ["open", "openat", "openat2"]),
        ("Read sensitive file trusted after startup", ["open", "openat", "openat2"]),
        ("Read sensitive file untrusted", ["open", "openat", "openat2"]),
        ("Run shell untrusted", ["execve", "execveat"]),
        ("System user interactive", ["execve", "execveat"]),
        ("Terminal shell in container", ["execve", "execveat"]),
        ("Contact K8S API Server From Container", ["connect"]),
        ("Netcat Remote Code Execution in Container", ["execve", "execveat"]),
        ("Search Private Keys or Passwords", ["execve", "execveat"]),
        ("Clear Log Activities", ["open", "openat", "openat2"]),
        ("Remove Bulk Data from Disk", ["execve", "execveat"]),
        ("Create Symlink Over Sensitive Files", ["symlink", "symlinkat"]),
        ("Create Hardlink Over Sensitive Files", ["link", "linkat"]),
        ("Packet socket created in container", ["socket"]),
        ("Redirect STDOUT/STDIN to Network Connection in Container", ["dup", "dup2", "dup3"]),
        ("Linux Kernel Module Injection Detected", ["finit_module", "init_module"]),
        ("Debugfs Launched in Privileged Container", ["execve", "execveat"]),
        ("Detect release_agent File Container Escapes", ["open", "openat", "openat2"]),
        ("PTRACE attached to process", ["ptrace"]),
        ("PTRACE anti-debug attempt", ["ptrace"]),
        ("Find AWS Credentials", ["execve", "execveat"]),
        ("Execution from /dev/shm", ["execve", "execveat"]),
        ("Drop and execute new binary in container", ["execve", "execveat"]),
        ("Disallowed SSH Connection Non Standard Port", ["connect", "sendmsg", "sendto"]),
        ("Fileless execution via memfd_create", ["execve", "execveat"]),
    ]

    @Test func loadsWithoutErrorsAndMatchesTableU7() throws {
        let ruleset = try RuleLoader().load(paths: [Self.path])
        #expect(ruleset.rules.count == 25)
        #expect(ruleset.enabledRules.count == 25)
        #expect(!ruleset.diagnostics.contains { $0.severity == .error })
        for (name, expected) in Self.tableU7 {
            let rule = try #require(ruleset.rule(named: name), "missing rule \(name)")
            #expect(!rule.eventTypes.isComplement, "\(name)")
            #expect(rule.eventTypes.names(in: ruleset.eventTypes) == expected, "\(name)")
        }
        // Every stock rule is in the index of its event types only.
        let open = ruleset.candidates(for: ruleset.eventTypes.code(for: "openat"))
        #expect(
            Set(open.map { ruleset.rules[Int($0)].name })
                == Set(Self.tableU7.filter { $0.1.contains("openat") }.map(\.0)))
        #expect(ruleset.candidates(for: ruleset.eventTypes.code(for: "read")).isEmpty)
        // §7.3: the syscalls to audit for the stable set are exactly the 19 of Table U6.
        #expect(ruleset.enabledEventTypes == Set(Self.tableU7.flatMap(\.1)))
        #expect(ruleset.enabledEventTypes?.count == 19)
        let read = Set(ruleset.fieldsRead.map { FieldRegistry.standard[$0.id].name })
        #expect(read.isSuperset(of: ["proc.aname", "fd.sip.name", "container.privileged", "evt.arg", "user.loginuid"]))
    }

    @Test func stockRulesFireOnRealisticEvents() throws {
        let ruleset = try RuleLoader().load(paths: [Self.path])
        let evaluator = RuleEvaluator(ruleset: ruleset)
        // `cat /etc/shadow` by a user shell on the host: "Read sensitive file untrusted".
        let event = DictionaryFieldSource([
            "evt.type": .string("openat"), "evt.num": .unsigned(7), "evt.is_open_read": .bool(true),
            "fd.typechar": .string("f"), "fd.num": .signed(3), "fd.name": .string("/etc/shadow"),
            "fd.directory": .string("/etc"), "proc.name": .string("cat"), "proc.pname": .string("bash"),
            "proc.cmdline": .string("cat /etc/shadow"), "proc.args": .string("/etc/shadow"),
            "proc.pcmdline": .string("bash"), "container.id": .string("host"),
            "proc.aname": .list([Array("bash".utf8), Array("sshd".utf8), Array("systemd".utf8)]),
            "proc.aname[1]": .string("bash"), "proc.aname[2]": .string("sshd"), "proc.aname[3]": .string("systemd"),
            "proc.aname[4]": .string("x"),
        ])
        let names = evaluator.matches(eventTypeName: "openat", source: event).map(\.name)
        #expect(names == ["Read sensitive file untrusted"])
        // Each field extracted at most once for the whole ruleset.
        #expect(event.extractions.values.allSatisfy { $0 == 1 })
        #expect(evaluator.matches(eventTypeName: "read", source: event).isEmpty)
    }

    static func s(_ text: String) -> FieldValue { .string(text) }

    @Test func moreStockRulesFire() throws {
        let ruleset = try RuleLoader().load(paths: [Self.path])
        let evaluator = RuleEvaluator(ruleset: ruleset)
        func fired(_ type: String, _ values: [String: FieldValue]) -> [String] {
            evaluator.matches(eventTypeName: type, source: DictionaryFieldSource(values)).map(\.name)
        }
        // A terminal shell in a container whose parent is unknown: `not proc.pname exists` holds.
        #expect(
            fired(
                "execve",
                [
                    "evt.num": .unsigned(9), "container.id": Self.s("3ad7b26ded6d"), "proc.name": Self.s("bash"),
                    "proc.tty": .unsigned(34816), "proc.cmdline": Self.s("bash"), "proc.args": Self.s(""),
                ]
            ).contains("Terminal shell in container"))
        // Same on the host: container.id = host.
        #expect(
            !fired(
                "execve",
                [
                    "evt.num": .unsigned(9), "container.id": Self.s("host"), "proc.name": Self.s("bash"),
                    "proc.tty": .unsigned(34816),
                ]
            ).contains("Terminal shell in container"))
        // ssh to a public address on port 443.
        #expect(
            fired(
                "connect",
                [
                    "fd.typechar": Self.s("4"), "fd.ip": .ip(IPAddress("93.184.216.34")!),
                    "fd.net": .ip(IPAddress("93.184.216.34")!),
                    "fd.snet": .ip(IPAddress("93.184.216.34")!), "evt.rawres": .signed(0), "evt.res": Self.s("SUCCESS"),
                    "proc.exe": Self.s("/usr/bin/ssh"), "fd.l4proto": Self.s("tcp"), "fd.sport": .unsigned(443),
                ]) == ["Disallowed SSH Connection Non Standard Port"])
        // ... but not to a private network.
        #expect(
            fired(
                "connect",
                [
                    "fd.typechar": Self.s("4"), "fd.ip": .ip(IPAddress("10.0.0.5")!),
                    "fd.net": .ip(IPAddress("10.0.0.5")!),
                    "fd.snet": .ip(IPAddress("10.0.0.5")!), "evt.rawres": .signed(0),
                    "proc.exe": Self.s("/usr/bin/ssh"),
                    "fd.l4proto": Self.s("tcp"), "fd.sport": .unsigned(443),
                ]
            ).isEmpty)
        #expect(
            fired("symlinkat", ["evt.arg[target]": Self.s("/etc/shadow")]) == ["Create Symlink Over Sensitive Files"])
        #expect(fired("symlinkat", ["evt.arg[target]": Self.s("/tmp/x")]).isEmpty)
        // PTRACE_ATTACH by a known process name; a missing proc.name ("<NA>" check) does not block it either.
        #expect(
            fired("ptrace", ["evt.arg[request]": Self.s("PTRACE_ATTACH"), "proc.name": Self.s("gdb")])
                == ["PTRACE attached to process"])
        #expect(fired("ptrace", ["evt.arg[request]": Self.s("PTRACE_ATTACH")]) == ["PTRACE attached to process"])
    }
}
