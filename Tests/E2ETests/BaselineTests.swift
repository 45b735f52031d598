import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Baselines end to end: a live `vigil run` on the kernel audit stream learns a real runc container's workload,
/// survives a restart, then reports exactly what the workload never did; and the seccomp profile exported from a
/// learned baseline runs the same workload in a new container while an unlearned syscall gets EPERM.
@Suite(.serialized, .enabled(if: E2E.available, "needs root and ../shared/lab"))
struct BaselineTests {
    /// The lab's processes get this login uid, so `audit_all_fields: [auid=…]` audits every syscall of theirs only
    /// (not of a busy machine's builds).
    static let auid = 4242
    static let labDir = "/tmp/vigil-e2e-lab-baselines"

    /// container-lab.sh with the lab's login uid set (a root process may set its own loginuid; children inherit it).
    struct AuidLab {
        let lab: Lab

        init() throws {
            guard let script = E2E.labScript else { throw Lab.Failure(args: [], result: CommandResult(status: 1, stdout: "", stderr: "no lab")) }
            lab = Lab(script: script, labDir: BaselineTests.labDir)
            try FileManager.default.createDirectory(atPath: BaselineTests.labDir, withIntermediateDirectories: true)
            try lab.setup()
            lab.cleanup()
        }

        func call(_ args: [String], input: String? = nil, timeout: Int = 60) throws -> CommandResult {
            try runCommand(
                "/bin/sh", ["-c", "echo \(BaselineTests.auid) > /proc/self/loginuid && exec \"$@\"", "sh", "/usr/bin/timeout", "-k", "5", "\(timeout)", "/bin/bash", lab.script] + args,
                environment: lab.environment, input: input)
        }

        func run(_ name: String, image: String, options: [String] = [], command: [String] = ["sleep", "600"]) throws -> LabContainer {
            let args = ["run", name, "--image", image] + options + ["--"] + command
            let r = try call(args)
            let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard r.status == 0, id.count == 64 else { throw Lab.Failure(args: args, result: r) }
            return LabContainer(id: id, name: name, style: .docker)
        }

        func exec(_ c: LabContainer, _ script: String) throws -> CommandResult {
            try call(["exec", c.id, "--", "sh", "-s"], input: script, timeout: 30)
        }
    }

    /// `vigil run` with baselines on, alerts to a file; the database in `dir` survives a restart.
    final class Daemon {
        let process = Process()
        let logFile: String
        let alertsFile: String
        init(dir: TemporaryDirectory, baselines: String, name: String) throws {
            let rules = dir.path("rules.yaml")
            // One rule that never fires: the alerts are the baselines' only.
            try """
                - rule: Never
                  desc: placeholder
                  condition: evt.type = execve and proc.name = vigil-never-xyz
                  output: never
                  priority: DEBUG
                """.write(toFile: rules, atomically: true, encoding: .utf8)
            logFile = dir.path("\(name).log")
            alertsFile = dir.path("alerts.json")
            let config = dir.path("vigil.yaml")
            try """
                audit:
                  key: vigil-bl-\(getpid() % 100_000)
                  status_interval_s: 0.5
                  backlog_limit: 65536
                  # Only the lab's processes (their login uid): the test must not depend on how busy the machine is.
                  rule_fields: [auid=\(BaselineTests.auid)]
                rules:
                  paths: [\(rules)]
                output:
                  stdout: false
                  file: \(alertsFile)
                metrics:
                  listen: ""
                state_dir: \(dir.path("state"))
                containers:
                  docker_root: \(BaselineTests.labDir)/runtime/docker
                baselines:
                \(baselines)
                """.write(toFile: config, atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            process.executableURL = VigilBinary.url
            process.arguments = ["run", "--config", config]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
            try process.run()
            guard eventually(30, { self.log.contains("running (") || !self.process.isRunning }), process.isRunning else {
                _ = stop()
                throw LiveVigil.DaemonFailure(log: log)
            }
        }

        var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
        /// Records lost so far, as the daemon reports them (kernel backlog overflow, socket overrun).
        var lossReports: Int { log.split(separator: "\n").filter { $0.contains("kernel_lost") || $0.contains("source_overrun") }.count }

        /// Baseline alerts: (rule, item, container.id).
        func deviations() -> [(rule: String, item: String, container: String)] {
            guard let text = try? String(contentsOfFile: alertsFile, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { line in
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["source"] as? String == "baseline",
                    let f = o["output_fields"] as? [String: Any]
                else { return nil }
                return (o["rule"] as? String ?? "", f["baseline.item"] as? String ?? "", f["container.id"] as? String ?? "")
            }
        }

        func stop() -> Int32 {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                if !eventually(20, { !self.process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
            }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static func vigil(_ args: [String]) throws -> CommandResult { try runCommand(VigilBinary.url.path, args) }

    /// A small service loop: reads its config, lists, writes its output under a work directory, asks a backend
    /// on port 8080 (nothing listens: the attempt is what is learned; busybox nc, as the lab's wget crashes). The shell stays a second so that the
    /// daemon reads its /proc entry (container attribution) even when it lags behind a busy machine.
    static let workload = """
        cat /etc/hostname > /dev/null
        ls / > /dev/null
        mkdir -p /tmp/work
        echo ok > /tmp/work/out.txt
        nc -w 1 127.0.0.1 8080 < /dev/null 2> /dev/null
        sleep 1
        """

    @Test func learnRestartThenOnlyNewBehaviourAlerts() throws {
        try KernelAuditLock.withLock {
            let lab = try AuidLab()
            defer { lab.lab.cleanup() }
            let dir = TemporaryDirectory("vigil-e2e-baselines")
            let image = "lab.local/vigil-bl/web:1"
            let settings = """
                  enabled: true
                  learning_seconds: 8
                  quiet_seconds: 4
                  repeat_window_seconds: 600
                  flush_ms: 200
                """
            let c = try lab.run("bl-web", image: image)
            var daemon = try Daemon(dir: dir, baselines: settings, name: "learn")
            defer { _ = daemon.stop() }
            usleep(1_000_000)  // start-up work (the /proc seed) done before the workload
            let db = dir.path("state/baselines.sqlite")
            // On a shared, busy machine the daemon can lag and attribute a short-lived process to the host: run
            // the workload until the profile holds what it does (the connection attempt), then twice more.
            var learned = false
            for _ in 0..<8 where !learned {
                let r = try lab.exec(c, Self.workload)
                #expect(r.status == 0, "\(r.stderr)")
                learned = eventually(2) {
                    let shown = (try? Self.vigil(["baseline", "show", image, "--db", db]))?.stdout ?? ""
                    return shown.contains("connect inet 127.0.0.1:8080")
                }
            }
            #expect(learned, "the workload was not learned: \(daemon.log)")
            for _ in 0..<2 { _ = try lab.exec(c, Self.workload) }
            // The profile switches by itself: learning time over and nothing new for the quiet period.
            let switched = eventually(30) {
                (try? Self.vigil(["baseline", "list", "--db", db]))?.stdout.split(separator: "\n").contains {
                    $0.hasPrefix(image + "\t") && $0.contains("\tmonitoring\t")
                } ?? false
            }
            #expect(switched, "profile did not reach monitoring: \((try? Self.vigil(["baseline", "list", "--db", db]))?.stdout ?? "")\n\(daemon.log)")
            #expect(daemon.deviations().isEmpty, "alerts while learning: \(daemon.deviations())")
            #expect(daemon.stop() == 0)

            // A new daemon on the same database: the profile survives and monitors.
            daemon = try Daemon(dir: dir, baselines: settings, name: "monitor")
            #expect(daemon.log.contains("baselines: "))
            let shown = try Self.vigil(["baseline", "show", image, "--db", db])
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("monitoring"))
            #expect(shown.stdout.contains("connect inet 127.0.0.1:8080"))

            // The learned workload, twice: nothing.
            for _ in 0..<2 { _ = try lab.exec(c, Self.workload) }
            // A new binary, a write to a new directory, a connection to a new port (again if events went missing:
            // a repeat of a deviation already alerted is folded, not alerted twice).
            let expected: Set<String> = ["Unexpected process in container", "Unexpected file write", "Unexpected outbound connection"]
            var complete = false
            for _ in 0..<5 where !complete {
                let r = try lab.exec(c, """
                    uname -a > /dev/null
                    mkdir -p /data/new
                    echo y > /data/new/f
                    nc -w 1 127.0.0.1 9999 < /dev/null 2> /dev/null
                    sleep 1
                    """)
                #expect(r.status == 0)
                complete = eventually(15) { Set(daemon.deviations().map(\.rule)).isSuperset(of: expected) }
            }
            #expect(complete, "\(daemon.deviations())\n\(daemon.log.suffix(1_500))")
            usleep(1_500_000)  // anything else would have come by now
            let found = daemon.deviations()
            #expect(Set(found.map(\.rule)) == expected, "unexpected deviations: \(found)")
            #expect(found.allSatisfy { $0.container == String(c.id.prefix(12)) })
            let processes = found.filter { $0.rule == "Unexpected process in container" }.map(\.item)
            #expect(processes.count == 1 && processes[0].contains("/uname <- "), "\(processes)")
            let writes = found.filter { $0.rule == "Unexpected file write" }.map(\.item)
            #expect(!writes.isEmpty && writes.allSatisfy { $0.hasPrefix("w /data") }, "\(writes)")
            #expect(found.filter { $0.rule == "Unexpected outbound connection" }.map(\.item) == ["connect inet 127.0.0.1:9999"])

            // Accepting the connection makes it part of the profile (the daemon reloads it within a flush).
            let accepted = try Self.vigil(["baseline", "accept", image, "network", "connect inet 127.0.0.1:9999", "--db", db])
            #expect(accepted.status == 0, "\(accepted.stderr)")
            #expect(try Self.vigil(["baseline", "show", image, "--db", db]).stdout.contains("connect inet 127.0.0.1:9999"))
            #expect(daemon.stop() == 0)
        }
    }

    @Test func seccompProfileFromABaselineRunsTheWorkloadAndDeniesTheRest() throws {
        try KernelAuditLock.withLock {
            let lab = try AuidLab()
            defer { lab.lab.cleanup() }
            let dir = TemporaryDirectory("vigil-e2e-seccomp")
            let image = "lab.local/vigil-bl/sc:1"
            let daemon = try Daemon(dir: dir, baselines: """
                  enabled: true
                  learning_seconds: 3600
                  flush_ms: 200
                  audit_all_syscalls: true
                  audit_all_fields: [auid=\(Self.auid)]
                """, name: "seccomp")
            defer { _ = daemon.stop() }
            // Output that does not depend on the container (its hostname, its pids).
            let work = "head -1 /etc/passwd; ls /usr/local/bin; /usr/local/bin/labtool pid > /dev/null && echo labtool-ok; sleep 1\n"
            // Learned with no-new-privileges, as it will run: runc then applies the filter right before execve.
            // The init's own calls must return while learning to be seen: a loop of short sleeps, not one long one.
            let loop = ["sh", "-c", "while :; do sleep 1; done"]
            let a = try lab.run("bl-sc-a", image: image, options: ["--no-new-privileges"], command: loop)
            var expectedOut = ""
            usleep(2_500_000)  // a few rounds of the init's loop
            let db = dir.path("state/baselines.sqlite")
            func syscalls() -> Int {
                let line = (try? Self.vigil(["baseline", "list", "--db", db]))?.stdout.split(separator: "\n").first { $0.hasPrefix(image + "\t") }
                return line.flatMap { Int($0.split(separator: "\t")[5]) } ?? 0
            }
            // Until the syscall set stops growing over three rounds in which the kernel lost no record: a busy
            // machine's daemon may miss a short-lived process's calls.
            var counts: [Int] = []
            for _ in 0..<15 {
                let lostBefore = daemon.lossReports
                let r = try lab.exec(a, work)
                #expect(r.status == 0, "\(r.stderr)")
                expectedOut = r.stdout
                usleep(1_500_000)
                if daemon.lossReports != lostBefore {
                    counts = []
                    continue
                }
                counts.append(syscalls())
                if counts.count >= 3, counts.suffix(3).allSatisfy({ $0 == counts.last! && $0 > 0 }) { break }
            }
            #expect(counts.last ?? 0 > 0, "nothing learned: \(daemon.log)")
            #expect(daemon.stop() == 0)

            let profile = dir.path("seccomp.json")
            let export = try Self.vigil(["seccomp", "export", image, "--check", "-o", profile, "--db", db])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stderr.contains("BPF program"), "\(export.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: profile))) as? [String: Any])
            #expect(json["defaultAction"] as? String == "SCMP_ACT_ERRNO")
            let names = (json["syscalls"] as? [[String: Any]])?.first?["names"] as? [String] ?? []
            #expect(names.contains("execve") && !names.contains("userfaultfd"), "\(names)")

            // The same workload in a new container under the profile succeeds…
            let b = try lab.run("bl-sc-b", image: image, options: ["--no-new-privileges", "--seccomp", profile], command: loop)
            usleep(2_500_000)
            #expect(lab.lab.metadata(b)["status"] as? String == "running", "\(lab.lab.metadata(b))")
            let same = try lab.exec(b, work)
            #expect(same.status == 0, "under the learned profile: \(same.stderr)")
            #expect(same.stdout == expectedOut)
            // …and a syscall it never made is refused.
            let denied = try lab.exec(b, "/usr/local/bin/labtool userfaultfd\n")
            #expect(denied.stdout.contains("errno=Operation not permitted"), "\(denied.stdout) \(denied.stderr)")
            // Without the profile the same call is allowed: the EPERM is the profile's.
            let c = try lab.run("bl-sc-c", image: image, options: ["--no-new-privileges"], command: loop)
            let allowed = try lab.exec(c, "/usr/local/bin/labtool userfaultfd\n")
            #expect(allowed.stdout.hasPrefix("userfaultfd(UFFD_USER_MODE_ONLY) = ") && !allowed.stdout.contains("errno="), "\(allowed.stdout)")
        }
    }
}
