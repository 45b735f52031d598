import AuditControl
import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `vigil run` on the real kernel audit stream, as root: alerts from real commands, a broken reload that
/// keeps the old rules running, and a SIGTERM that removes exactly Vigil's audit rules and restores what it found.
@Suite(.serialized)
struct LiveDaemonTests {
    static let rules = """
        - rule: Shadow file opened
          desc: test rule
          condition: evt.type in (open, openat) and fd.name = /etc/shadow
          output: "shadow opened (proc=%proc.name pid=%proc.pid file=%fd.name)"
          priority: WARNING
          tags: [test]
        """

    final class RunningDaemon: @unchecked Sendable {
        let process = Process()
        let stderr = Pipe()
        private let lock = NSLock()
        private var collected = ""
        /// What `readErr()` returned last.
        var errText = ""
        init(config: String) throws {
            process.executableURL = VigilBinary.url
            process.arguments = ["run", "--config", config]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = stderr
            try process.run()
            // Drained all the time: a daemon whose stderr pipe fills up blocks in write(2), as it would on any
            // unread pipe, and a test that reads only now and then would see a wedged daemon.
            let handle = stderr.fileHandleForReading
            Thread.detachNewThread { [self] in
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    lock.lock()
                    collected += String(decoding: data, as: UTF8.self)
                    lock.unlock()
                }
            }
        }
        /// Everything the daemon wrote to stderr so far; never waits for more.
        func readErr() -> String {
            lock.lock()
            errText = collected
            lock.unlock()
            return errText
        }
        func signal(_ s: Int32) { kill(process.processIdentifier, s) }
    }

    static func trigger() -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/cat")
        p.arguments = ["/etc/shadow"]
        p.standardOutput = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    static func alerts(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func alertsReloadAndCleanShutdown() throws {
        try KernelAuditLock.withLock {
            let dir = TemporaryDirectory("vigil-live")
            let key = "vigil-it-\(getpid())"
            let rulesFile = dir.path("rules.yaml")
            try Self.rules.write(toFile: rulesFile, atomically: true, encoding: .utf8)
            let alertsFile = dir.path("alerts.json")
            let config = dir.path("vigil.yaml")
            try """
                audit:
                  key: \(key)
                  status_interval_s: 0.5
                rules:
                  paths: [\(rulesFile)]
                output:
                  stdout: false
                  file: \(alertsFile)
                metrics:
                  listen: 127.0.0.1:0
                state_dir: \(dir.path("state"))
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let control = try AuditControlSocket()
            let before = try control.status()
            let otherRules = try control.listRules().count

            let daemon = try RunningDaemon(config: config)
            defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
            #expect(eventually(15) { daemon.readErr().contains("running (1 rules") }, "daemon did not start: \(daemon.errText)")
            #expect(daemon.errText.contains("self seccomp filter applied"))
            #expect(try control.listRules().filter { $0.keys.contains(key) }.count == 2)

            let pid = Self.trigger()
            #expect(eventually(10) {
                Self.alerts(alertsFile).contains { ($0["output_fields"] as? [String: Any])?["proc.pid"] as? Int == Int(pid) }
            }, "no alert for the cat of /etc/shadow (pid \(pid))")
            // Metrics: the same counters through `vigil status` as an operator reads them.
            let port = try #require(daemon.errText.split(separator: "\n").first { $0.contains("metrics at") }
                .flatMap { $0.split(separator: ":").last?.split(separator: "/").first }.flatMap { Int($0) })
            let status = Process()
            status.executableURL = VigilBinary.url
            status.arguments = ["status", "--raw", "--address", "127.0.0.1:\(port)"]
            let out = Pipe()
            status.standardOutput = out
            try status.run()
            status.waitUntilExit()
            let metrics = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(status.terminationStatus == 0)
            #expect(metrics.contains("vigil_rule_matches_total{rule=\"Shadow file opened\"}"))
            #expect(metrics.contains("vigil_kernel_lost_total 0"))
            let events = metrics.split(separator: "\n").first { $0.hasPrefix("vigil_events_total ") }
                .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            #expect(events > 0)
            // The running daemon's own confinement, as the kernel reports it.
            let procStatus = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/status", encoding: .utf8)
            func field(_ name: String) -> String? {
                procStatus.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                    .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
            }
            #expect(field("Seccomp") == "2", "seccomp filter mode")
            #expect(Int(field("Seccomp_filters") ?? "0") ?? 0 >= 1)
            #expect(field("NoNewPrivs") == "1")
            // CAP_DAC_OVERRIDE, DAC_READ_SEARCH, KILL, SYS_PTRACE, AUDIT_CONTROL, AUDIT_READ and nothing else.
            let kept: UInt64 = (1 << 1) | (1 << 2) | (1 << 5) | (1 << 19) | (1 << 30) | (1 << 37)
            #expect(field("CapEff").flatMap { UInt64($0, radix: 16) } == kept)
            #expect(field("CapPrm").flatMap { UInt64($0, radix: 16) } == kept)
            #expect(field("CapBnd").flatMap { UInt64($0, radix: 16) } == kept)
            #expect(field("CapInh").flatMap { UInt64($0, radix: 16) } == 0)
            var info = stat()
            #expect(stat(dir.path("state"), &info) == 0 && info.st_mode & 0o777 == 0o700, "state_dir is 0700")

            let first = try #require(Self.alerts(alertsFile).first)
            #expect(first["rule"] as? String == "Shadow file opened")
            #expect(first["priority"] as? String == "Warning")
            #expect((first["output_fields"] as? [String: Any])?["fd.name"] as? String == "/etc/shadow")

            // A broken rules file on SIGHUP: the error is reported with its location, the old rules keep alerting.
            try "- rule: broken\n  condition: evt.type = (\n".write(toFile: rulesFile, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            #expect(eventually(10) { daemon.readErr().contains("reload failed") }, "\(daemon.errText)")
            #expect(daemon.errText.contains("rules.yaml"))
            let pid2 = Self.trigger()
            #expect(eventually(10) {
                Self.alerts(alertsFile).contains { ($0["output_fields"] as? [String: Any])?["proc.pid"] as? Int == Int(pid2) }
            }, "the old rules stopped alerting after a failed reload")

            // SIGUSR1 (logrotate): the old file is renamed away, the daemon reopens the path, new alerts go there.
            let rotated = dir.path("alerts.json.1")
            try FileManager.default.moveItem(atPath: alertsFile, toPath: rotated)
            daemon.signal(SIGUSR1)
            usleep(300_000)
            let pid3 = Self.trigger()
            #expect(eventually(10) {
                Self.alerts(alertsFile).contains { ($0["output_fields"] as? [String: Any])?["proc.pid"] as? Int == Int(pid3) }
            }, "no alert in the reopened file after SIGUSR1")
            #expect(!Self.alerts(rotated).contains { ($0["output_fields"] as? [String: Any])?["proc.pid"] as? Int == Int(pid3) })

            daemon.signal(SIGTERM)
            daemon.process.waitUntilExit()
            #expect(daemon.process.terminationStatus == 0)
            let after = try control.status()
            #expect(try control.listRules().filter { $0.keys.contains(key) }.isEmpty)
            #expect(try control.listRules().count == otherRules)
            #expect(after.enabled == before.enabled)
            #expect(after.pid == 0 || after.pid == before.pid)
        }
    }

    @Test func tamperingIsDetectedAndRepaired() throws {
        try KernelAuditLock.withLock {
            let dir = TemporaryDirectory("vigil-tamper")
            let key = "vigil-tp-\(getpid())"
            let rulesFile = dir.path("rules.yaml")
            try Self.rules.write(toFile: rulesFile, atomically: true, encoding: .utf8)
            let config = dir.path("vigil.yaml")
            try """
                audit: {key: \(key), status_interval_s: 0.3}
                rules: {paths: [\(rulesFile)]}
                output: {stdout: false}
                state_dir: \(dir.path("state"))
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let control = try AuditControlSocket()
            let daemon = try RunningDaemon(config: config)
            defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
            #expect(eventually(15) { daemon.readErr().contains("running (") })
            #expect(try control.deleteRules(withKey: key) == 2)
            #expect(eventually(10) { daemon.readErr().contains("rules_removed") }, "\(daemon.errText)")
            #expect(eventually(5) { (try? control.listRules().filter { $0.keys.contains(key) }.count) == 2 })
            daemon.signal(SIGTERM)
            daemon.process.waitUntilExit()
            #expect(try control.listRules().filter { $0.keys.contains(key) }.isEmpty)
        }
    }

    /// Vigil as an auditd plugin: records on stdin (here a recorded log), alerts out, exit at end of input.
    @Test func pluginStdinSource() throws {
        let dir = TemporaryDirectory("vigil-stdin")
        let rulesFile = dir.path("rules.yaml")
        try """
            - rule: uname run
              desc: test
              condition: evt.type = execve and proc.name = uname
              output: "uname (cmdline=%proc.cmdline cwd=%proc.cwd)"
              priority: NOTICE
            """.write(toFile: rulesFile, atomically: true, encoding: .utf8)
        let config = dir.path("vigil.yaml")
        try "audit: {manage_rules: false}\nmetrics: {listen: ''}\noutput: {stdout: true}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = VigilBinary.url
        p.arguments = ["run", "--source", "stdin", "--config", config, "--rules", rulesFile]
        p.standardInput = try FileHandle(forReadingFrom: VigilBinary.shared.appendingPathComponent("corpus/audit/go-libaudit__ubuntu-16.10-linux-4.8.0.yaml.log"))
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("uname (cmdline=uname -a cwd=/home/andrew_kroh/)") == true)
    }

    /// The daemon's own filter refuses exec and mount (EPERM) and still lets it read files. The live tests above
    /// run `vigil run` with the same filter on (the default), which is what shows the allow-list is enough.
    @Test func selfSeccompRefusesForbiddenSyscalls() throws {
        let p = Process()
        p.executableURL = VigilBinary.url
        p.arguments = ["seccomp-probe"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("execve /bin/true: refused (EPERM)"))
        #expect(text.contains("mount: refused (EPERM)"))
        #expect(text.contains("open /proc/self/status: allowed"))
    }

    /// The shipped unit passes `systemd-analyze verify` (with ExecStart pointed at the built binary).
    @Test func systemdUnitVerifies() throws {
        let dir = TemporaryDirectory("vigil-unit")
        var unit = try String(contentsOf: VigilBinary.repoRoot.appendingPathComponent("systemd/vigil.service"), encoding: .utf8)
        unit = unit.replacingOccurrences(of: "/usr/local/bin/vigil", with: VigilBinary.url.path)
        try unit.write(toFile: dir.path("vigil.service"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        p.arguments = ["verify", dir.path("vigil.service")]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(!text.contains("vigil.service:"), "\(text)")
    }

    static func dryRun(_ yaml: String) throws -> (Int32, String) {
        let dir = TemporaryDirectory("vigil-dry")
        let config = dir.path("vigil.yaml")
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir.path("none.d"), withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = VigilBinary.url
        p.arguments = ["run", "--dry-run", "--config", config, "--rules", dir.path("none.d")]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test func dryRunValidatesAndBadConfigIsLocated() throws {
        let (bad, badText) = try Self.dryRun("audit:\n  backlog_limit: lots\n")
        #expect(bad == 2)
        #expect(badText.contains("vigil.yaml:2:"))
        #expect(badText.contains("'audit.backlog_limit' must be a number"))
        let (ok, okText) = try Self.dryRun("surprise: 1\nsource: {kind: multicast}\n")
        #expect(ok == 0, "\(okText)")
        #expect(okText.contains("vigil.yaml:1:1: unknown key 'surprise' (ignored)"))
        #expect(okText.contains("valid"))
    }
}

/// The followed-file source across SIGKILL: every event alerts exactly once — the open ones are completed after
/// the restart, the ones already emitted are not repeated, nothing written while Vigil was down is skipped.
struct FileSourceResumeTests {
    static func event(_ i: Int, eoe: Bool) -> String {
        let stamp = "1795700000.\(String(format: "%03d", i)):\(5000 + i)"
        var s = "type=SYSCALL msg=audit(\(stamp)): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=\(7000 + i) auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"true\" exe=\"/usr/bin/true\" key=\"vigil\"\n"
        s += "type=EXECVE msg=audit(\(stamp)): argc=2 a0=\"true\" a1=\"n\(i)\"\n"
        s += "type=CWD msg=audit(\(stamp)): cwd=\"/\"\n"
        if eoe { s += "type=EOE msg=audit(\(stamp)): \n" }
        return s
    }

    static func append(_ text: String, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        h.write(Data(text.utf8))
        try h.close()
    }

    /// A daemon following `audit.log` in a fresh directory with one rule on `true` runs; alerts in a file.
    final class Resume {
        let dir: TemporaryDirectory
        let log: String
        let alerts: String
        let config: String
        let rules: String

        init(_ prefix: String) throws {
            dir = TemporaryDirectory(prefix)
            log = dir.path("audit.log")
            alerts = dir.path("alerts.json")
            config = dir.path("vigil.yaml")
            rules = dir.path("rules.yaml")
            FileManager.default.createFile(atPath: log, contents: Data())
            try """
                - rule: true run
                  desc: test
                  condition: evt.type = execve and proc.name = true
                  output: "true (args=%proc.args)"
                  priority: NOTICE
                """.write(toFile: rules, atomically: true, encoding: .utf8)
            try """
                source: {kind: file, path: \(log)}
                audit: {manage_rules: false}
                output: {stdout: false, file: \(alerts)}
                metrics: {listen: ""}
                state_dir: \(dir.path("state"))
                """.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func start() throws -> Process {
            let p = Process()
            p.executableURL = VigilBinary.url
            p.arguments = ["run", "--config", config, "--rules", rules]
            // Each run appends its log to one file (a file, not a pipe: nobody must drain it).
            let logPath = dir.path("vigil.err")
            if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: Data()) }
            let err = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            try err.seekToEnd()
            p.standardError = err
            try p.run()
            try err.close()
            return p
        }

        /// What the daemon runs so far wrote to stderr.
        func daemonLog() -> String { (try? String(contentsOfFile: dir.path("vigil.err"), encoding: .utf8)) ?? "" }

        /// `proc.args` of every alert in the file, in order.
        func args() -> [String] {
            LiveDaemonTests.alerts(alerts).compactMap { ($0["output_fields"] as? [String: Any])?["proc.args"] as? String }
        }
    }

    @Test func sigkillAndRestartNeitherRepeatsNorSkips() throws {
        let r = try Resume("vigil-resume")
        let log = r.log
        func start() throws -> Process { try r.start() }
        func args() -> [String] { r.args() }
        var first = try start()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        usleep(800_000)
        // Events 1–10; event 5 has no EOE, so it stays open while 6–10 complete after it.
        try Self.append((1...10).map { Self.event($0, eoe: $0 != 5) }.joined(), to: log)
        #expect(eventually(10) { Set(args()).isSuperset(of: (1...10).filter { $0 != 5 }.map { "n\($0)" }) }, "\(args())")
        usleep(500_000)  // the state is saved within 200 ms of emitting
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(!args().contains("n5"), "event 5 was still open at the kill")

        // Written while Vigil was down.
        try Self.append((11...15).map { Self.event($0, eoe: true) }.joined(), to: log)
        first = try start()
        #expect(eventually(10) { args().contains("n15") && args().contains("n5") }, "\(args())")
        try Self.append((16...20).map { Self.event($0, eoe: true) }.joined(), to: log)
        #expect(eventually(10) { args().contains("n20") })
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        let seen = args()
        #expect(seen.sorted() == (1...20).map { "n\($0)" }.sorted(), "each event exactly once: \(seen)")
    }

    /// The same during a burst: 20 000 events land at once and Vigil is SIGKILLed while it is working through
    /// them. After the restart nothing is skipped (a position is persisted only once the alerts behind it are
    /// written), and nothing is repeated: what the kill caught between a write and the next persisted position is
    /// raised again with the same uuid, and the alert file, read back at the restart, already holds it.
    @Test func sigkillDuringABurstNeitherSkipsNorRepeats() throws {
        let r = try Resume("vigil-resume-burst")
        let log = r.log
        let alerts = r.alerts
        func start() throws -> Process { try r.start() }
        func args() -> [String] { r.args() }
        let total = 20_000
        var text = ""
        for i in 1...total {
            let stamp = "\(1795800000 + i / 1000).\(String(format: "%03d", i % 1000)):\(9000 + i)"
            text += "type=SYSCALL msg=audit(\(stamp)): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=\(70000 + i % 20000) auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"true\" exe=\"/usr/bin/true\" key=\"vigil\"\n"
            text += "type=EXECVE msg=audit(\(stamp)): argc=2 a0=\"true\" a1=\"n\(i)\"\ntype=EOE msg=audit(\(stamp)): \n"
        }
        var vigil = try start()
        defer { if vigil.isRunning { kill(vigil.processIdentifier, SIGKILL) } }
        usleep(800_000)
        try Self.append(text, to: log)
        #expect(eventually(60) { args().count >= 2_000 }, "\(args().count) alerts")
        kill(vigil.processIdentifier, SIGKILL)
        vigil.waitUntilExit()
        let atKill = args().count
        #expect(atKill < total, "the kill landed during the burst (\(atKill) of \(total) alerted)")

        vigil = try start()
        #expect(eventually(120) { args().count >= total }, "\(args().count) alerts after the restart")
        usleep(500_000)
        kill(vigil.processIdentifier, SIGTERM)
        vigil.waitUntilExit()
        let all = LiveDaemonTests.alerts(alerts)
        let seen = args()
        let unique = Set(seen)
        #expect(unique.count == total, "skipped: \(total - unique.count)")
        #expect(seen.count == unique.count, "repeated: \(seen.count - unique.count)")
        #expect(r.daemonLog().contains("holds"), "the restart read the alert file back: \(r.daemonLog())")
        var uuidOf: [String: String] = [:]
        var mismatched = 0
        for alert in all {
            guard let a = (alert["output_fields"] as? [String: Any])?["proc.args"] as? String, let u = alert["uuid"] as? String
            else { continue }
            if let first = uuidOf[a], first != u { mismatched += 1 }
            uuidOf[a] = uuidOf[a] ?? u
        }
        #expect(mismatched == 0, "a repeated alert carries its first copy's uuid")
        #expect(Set(uuidOf.values).count == total, "one uuid per event")
    }
}
