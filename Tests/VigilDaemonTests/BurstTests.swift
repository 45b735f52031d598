import AuditControl
import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A burst of 100 000 audited syscalls in about a second against `vigil run` as the audit daemon (unicast):
/// while Vigil owns the stream the kernel's backlog wait is 0, so a full backlog drops and counts records instead
/// of stalling every audited syscall on the node; whatever the kernel dropped, Vigil reports to the last record;
/// and on exit the wait time is what Vigil found. (How long the burst takes with and without Vigil is a
/// benchmark figure, in docs/RELIABILITY.md, not a test.)
@Suite(.serialized)
struct BurstTests {
    @Test func burstNeverBlocksTheKernelAndLossIsReported() throws {
        try KernelAuditLock.withLock {
            let control = try AuditControlSocket()
            let before = try control.status()
            try #require(before.pid == 0, "another audit daemon (pid \(before.pid)) owns the unicast socket")
            // A non-zero wait the test sets itself (and puts back), so the test sees Vigil change and restore it.
            try control.setBacklogWaitTime(60_000)
            defer { try? control.setBacklogWaitTime(before.backlogWaitTime) }

            let dir = TemporaryDirectory("vigil-burst")
            let key = "vigil-burst-\(getpid())"
            let target = dir.path("burst-target")
            // mkdir is rare elsewhere on a node (unlike open, which every build and daemon does), so the burst is
            // the test's own; the burst runs as a python3 copy named vigil-burst so the rule counts only it.
            try """
                - rule: Burst mkdir
                  desc: test rule
                  condition: evt.type in (mkdir, mkdirat) and proc.name = vigil-burst
                  output: "burst (proc=%proc.name)"
                  priority: NOTICE
                """.write(toFile: dir.path("rules.yaml"), atomically: true, encoding: .utf8)
            let config = dir.path("vigil.yaml")
            try """
                source: {kind: unicast}
                audit: {key: \(key), status_interval_s: 0.5}
                rules: {paths: [\(dir.path("rules.yaml"))]}
                outputs:
                  aggregation: {enabled: false}
                  sinks: [{type: file, name: file, path: \(dir.path("alerts.json"))}]
                metrics: {listen: "127.0.0.1:0"}
                state_dir: \(dir.path("state"))
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let daemon = try LiveDaemonTests.RunningDaemon(config: config)
            defer {
                if daemon.process.isRunning {
                    daemon.signal(SIGKILL)
                    daemon.process.waitUntilExit()
                }
                _ = try? control.deleteRules(withKey: key)  // a killed daemon leaves its rules behind
            }
            try #require(eventually(20) { daemon.readErr().contains("running (1 rules") }, "\(daemon.errText)")
            let running = try control.status()
            #expect(running.pid == UInt32(daemon.process.processIdentifier))
            #expect(running.backlogWaitTime == 0, "a full backlog must drop, not block audited syscalls")

            // 100 000 mkdirs (and unaudited rmdirs) from one process: five records each (SYSCALL, CWD, two PATH,
            // PROCTITLE), far more than the backlog holds if Vigil falls behind.
            let python = dir.path("vigil-burst")
            try FileManager.default.copyItem(
                atPath: URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path, toPath: python)
            let burst = Process()
            burst.executableURL = URL(fileURLWithPath: python)
            burst.arguments = ["-c", """
                import os
                for _ in range(100000):
                    os.mkdir(\"\(target)\")
                    os.rmdir(\"\(target)\")
                """]
            try burst.run()
            burst.waitUntilExit()
            #expect(burst.terminationStatus == 0)

            // Vigil catches up; its loss counter must equal what the kernel says it dropped since Vigil started.
            let port = try #require(daemon.errText.split(separator: "\n").first { $0.contains("metrics at") }
                .flatMap { $0.split(separator: ":").last?.split(separator: "/").first }.flatMap { Int($0) })
            func metric(_ name: String) -> Int? {
                let status = Process()
                status.executableURL = VigilBinary.url
                status.arguments = ["status", "--raw", "--address", "127.0.0.1:\(port)"]
                let out = Pipe()
                status.standardOutput = out
                try? status.run()
                status.waitUntilExit()
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                // The value is the last word: a label value may hold spaces (`rule="Burst mkdir"`).
                return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                    .flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            }
            var kernelLost = 0
            var reported: Int? = nil
            var lastMatches = -1
            // Settled: Vigil has caught up (its match count stopped moving) and its loss counter equals the
            // kernel's lost delta since Vigil started.
            let settled = eventually(90) {
                kernelLost = Int((try? control.status().lost) ?? 0) - Int(running.lost)
                reported = metric("vigil_kernel_lost_total")
                let matches = metric("vigil_rule_matches_total{rule=\"Burst mkdir\"}") ?? 0
                defer { lastMatches = matches }
                return reported == kernelLost && matches == lastMatches && matches > 0
            }
            #expect(settled, "Vigil reports \(String(describing: reported)) lost, the kernel \(kernelLost); matches \(lastMatches)")
            let matches = metric("vigil_rule_matches_total{rule=\"Burst mkdir\"}") ?? 0
            #expect(matches > 0, "kernel lost \(kernelLost); vigil said: \(daemon.readErr())")
            #expect(matches <= 100_000)
            if kernelLost > 0 {
                #expect(daemon.readErr().contains("source_overrun") || daemon.errText.contains("kernel dropped"),
                    "loss is announced as an alert, not only counted")
            } else {
                #expect(matches == 100_000, "nothing lost, so every mkdir matched")
            }

            daemon.signal(SIGTERM)
            daemon.process.waitUntilExit()
            #expect(daemon.process.terminationStatus == 0)
            let after = try control.status()
            #expect(after.backlogWaitTime == 60_000, "Vigil puts back the wait time it found")
            #expect(try control.listRules().filter { $0.keys.contains(key) }.isEmpty)
        }
    }
}
