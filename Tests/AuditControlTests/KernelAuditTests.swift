import AuditControl
import AuditStream
import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Against the real kernel audit subsystem (CI runs as root with audit available). Each test uses its own rule
/// key, and the suite restores the audit state it found. Serialized: audit state is global to the machine.
@Suite(.serialized)
struct KernelAuditTests {
    static let key = "vigil-test-\(getpid())"

    /// Runs `body` with audit enabled and restores enabled/backlog/pid and deletes the test's rules afterwards.
    static func withAudit(_ body: (AuditControlSocket) throws -> Void) throws {
        try KernelAuditLock.withLock { try withAuditLocked(body) }
    }

    static func withAuditLocked(_ body: (AuditControlSocket) throws -> Void) throws {
        let control = try AuditControlSocket()
        let before = try control.status()
        defer {
            _ = try? control.deleteRules(withKey: key)
            _ = try? control.deleteRules(withKey: key + "-other")
            if before.enabled != 2 { _ = try? control.setEnabled(before.enabled == 1) }
        }
        if before.enabled == 0 { try control.setEnabled(true) }
        try body(control)
    }

    @Test func statusReadsTheKernelsCounters() throws {
        let control = try AuditControlSocket()
        let s = try control.status()
        #expect(s.enabled <= 2)
        #expect(s.backlogLimit > 0)
    }

    @Test func rulesAreInstalledListedAndOnlyOursRemoved() throws {
        try Self.withAudit { control in
            let plan = AuditRulePlan(key: Self.key, extra: ["procexit", "container"], arches: [.b64, .b32])
            for rule in plan.rules { try control.add(rule) }
            try control.add(AuditRule(arch: .b64, syscalls: ["getpid"], key: Self.key + "-other"))
            let listed = try control.listRules()
            #expect(listed.filter { $0.keys.contains(Self.key) }.count == 2)
            #expect(listed.contains { $0.keys.contains(Self.key + "-other") })
            #expect(try control.deleteRules(withKey: Self.key) == 2)
            let after = try control.listRules()
            #expect(!after.contains { $0.keys.contains(Self.key) })
            #expect(after.contains { $0.keys.contains(Self.key + "-other") })
        }
    }

    @Test func auditctlLinesNameArchSyscallsAndKey() {
        let plan = AuditRulePlan(key: "vigil", extra: ["ptrace"], arches: [.b64, .b32])
        #expect(plan.auditctlLines.count == 2)
        #expect(plan.auditctlLines[0].hasPrefix("-a always,exit -F arch=b64 -S execve,execveat,"))
        #expect(plan.auditctlLines[1].contains("-F arch=b32"))
        #expect(plan.auditctlLines.allSatisfy { $0.hasSuffix("-k vigil") })
        #expect(plan.syscalls.filter { $0 == "ptrace" }.count == 1)
    }

    /// A real execve, read from the multicast group, reassembled and decoded by the same pipeline as replay.
    @Test func multicastReaderSeesARealExecve() throws {
        try Self.withAudit { control in
            try control.add(AuditRule(arch: .b64, syscalls: ["execve"], key: Self.key))
            let socket = try AuditEventSocket(mode: .multicast)
            let pipeline = AuditStreamPipeline()
            let marker = "vigil-marker-\(getpid())"
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/echo")
            child.arguments = [marker]
            child.standardOutput = FileHandle.nullDevice
            try child.run()
            child.waitUntilExit()
            var found: DecodedEvent? = nil
            let deadline = Date().addingTimeInterval(10)
            while found == nil, Date() < deadline {
                _ = try socket.read(timeoutMillis: 200) { type, body in
                    pipeline.push(netlinkType: type, body: body, now: DispatchTime.now().uptimeNanoseconds) { out in
                        guard case .event(let e) = out else { return }
                        // The record carries the key of the first rule that matched, which may be another
                        // tool's: the marker argument identifies the event.
                        let d = EventDecoder.decode(e)
                        if d.argv?.contains(where: { String(decoding: $0, as: UTF8.self) == marker }) == true {
                            found = d
                        }
                    }
                }
                pipeline.flush(now: DispatchTime.now().uptimeNanoseconds + 3_000_000_000) { out in
                    if case .event(let e) = out {
                        let d = EventDecoder.decode(e)
                        if d.argv?.contains(where: { String(decoding: $0, as: UTF8.self) == marker }) == true { found = d }
                    }
                }
            }
            let d = try #require(found, "no execve event with the marker arrived within 10 s")
            #expect(d.syscall?.name == "execve")
            #expect(d.process.pid == Int64(child.processIdentifier))
            #expect(d.process.ppid == Int64(getpid()))
            #expect(d.process.exe.map { String(decoding: $0, as: UTF8.self) } == "/usr/bin/echo")
            #expect(pipeline.statistics.malformed == 0)
        }
    }
}

/// The operator's extra rules file: the auditctl subset Vigil takes, under Vigil's key, and located errors.
struct AuditRulesFileTests {
    @Test func syscallRulesBecomeVigilRules() throws {
        let rules = try AuditRulesFile.parse(
            "# comment\n\n-a always,exit -F arch=b64 -S chdir,fchdir -S getcwd -k mine\n-a always,exit -S bpf\n",
            key: "vigil", excludedPid: 42)
        #expect(rules.count == 3)
        #expect(rules[0].auditctlLine == "-a always,exit -F arch=b64 -S chdir,fchdir,getcwd -F pid!=42 -k vigil")
        #expect(rules[1].arch == .b64 && rules[2].arch == .b32)
    }

    @Test func unsupportedLinesAreLocatedErrors() {
        #expect(throws: AuditRulesFile.Problem.self) { try AuditRulesFile.parse("-w /etc/passwd -p wa\n", key: "vigil", excludedPid: nil) }
        do {
            _ = try AuditRulesFile.parse("-a always,exit -S open\n-a never,task\n", key: "vigil", excludedPid: nil)
            Issue.record("accepted a never,task rule")
        } catch let p as AuditRulesFile.Problem {
            #expect(p.line == 2)
        } catch {
            Issue.record("\(error)")
        }
    }
}
