import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `vigil tail` against a live daemon on the real kernel audit stream (as root): a filter applied in the daemon,
/// a uid that is refused, a slow client told what it missed, and what a person sees in a terminal (tmux).
@Suite(.serialized)
struct TailTests {
    static let rules = """
        - macro: shadow_reader_under_test
          condition: proc.name = head
        - rule: Shadow file opened
          desc: test rule
          condition: evt.type in (open, openat) and fd.name = /etc/shadow
          output: "shadow opened (proc=%proc.name pid=%proc.pid file=%fd.name)"
          priority: WARNING
          tags: [test]
        """

    /// A live daemon with its control socket in a temporary directory, alerts in a file, metrics on a free port.
    final class LiveSetup {
        let dir = TemporaryDirectory("vigil-tail")
        let key = "vigil-tl-\(getpid())"
        let daemon: LiveDaemonTests.RunningDaemon
        var socket: String { dir.path("vigil.sock") }
        var alertsFile: String { dir.path("alerts.json") }

        init(queueSize: Int = 1_024) throws {
            let rulesFile = dir.path("rules.yaml")
            try TailTests.rules.write(toFile: rulesFile, atomically: true, encoding: .utf8)
            try """
                audit: {key: \(key), status_interval_s: 0.5}
                rules: {paths: [\(rulesFile)]}
                output: {stdout: false, file: \(dir.path("alerts.json"))}
                metrics: {listen: "127.0.0.1:0"}
                control: {socket: \(dir.path("vigil.sock")), group: adm, queue_size: \(queueSize)}
                state_dir: \(dir.path("state"))
                """.write(toFile: dir.path("vigil.yaml"), atomically: true, encoding: .utf8)
            daemon = try LiveDaemonTests.RunningDaemon(config: dir.path("vigil.yaml"))
            guard eventually(15, { daemon.readErr().contains("running (1 rules") }) else {
                daemon.signal(SIGKILL)
                throw SetupError(message: "daemon did not start: \(daemon.errText)")
            }
        }

        func stop() {
            daemon.signal(SIGTERM)
            daemon.process.waitUntilExit()
        }

        /// A counter of the daemon's Prometheus page.
        func metric(_ name: String) -> Double? {
            guard let port = daemon.errText.split(separator: "\n").first(where: { $0.contains("metrics at") })
                .flatMap({ $0.split(separator: ":").last?.split(separator: "/").first }).flatMap({ Int($0) })
            else { return nil }
            let p = Child(VigilBinary.url, ["status", "--raw", "--address", "127.0.0.1:\(port)"])
            p.wait()
            return p.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }

        func alerts() -> [[String: Any]] { LiveDaemonTests.alerts(alertsFile) }
    }

    struct SetupError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func run(_ path: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    static func pidOf(_ alert: [String: Any]) -> Int? {
        (alert["output_fields"] as? [String: Any])?["proc.pid"] as? Int
    }

    @Test func tailReceivesFilteredAlertsFromLiveDaemon() throws {
        try KernelAuditLock.withLock {
            let live = try LiveSetup()
            defer { if live.daemon.process.isRunning { live.daemon.signal(SIGKILL) } }
            #expect(live.daemon.errText.contains("control socket at \(live.socket)"))

            // A filter that does not compile is refused at subscribe time, with the engine's message.
            let bad = Child(VigilBinary.url, ["tail", "--config", "/nonexistent", "--socket", live.socket, "--filter", "evt.type = = x"])
            bad.wait()
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("filter does not compile"), "\(bad.stderr)")

            // The filter uses a macro of the daemon's loaded rules.
            let tail = Child(VigilBinary.url, [
                "tail", "--json", "--config", "/nonexistent", "--socket", live.socket,
                "--filter", "shadow_reader_under_test and evt.type in (open, openat)",
            ])
            defer { tail.kill() }
            #expect(eventually(10) { tail.stderr.contains("vigil tail: watching alerts") }, "\(tail.stderr)")

            let cat = Self.run("/bin/cat", ["/etc/shadow"])
            #expect(eventually(10) { live.alerts().contains { Self.pidOf($0) == Int(cat) } }, "no alert for cat in the file sink")
            let head = Self.run("/usr/bin/head", ["-c1", "/etc/shadow"])
            #expect(eventually(10) { tail.stdout.contains("\"proc.pid\":\(head)") }, "tail did not show head's alert: \(tail.stdout)")
            #expect(live.alerts().contains { Self.pidOf($0) == Int(head) })

            let all = tail.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            // The monitor's own notices (kernel loss on a loaded machine) pass every filter by design; everything
            // else must be what the filter admits.
            let notices = all.filter { $0["source"] as? String == "internal" }
            #expect(notices.allSatisfy { ($0["rule"] as? String)?.hasPrefix("Vigil monitor: ") == true }, "\(notices)")
            let lines = all.filter { $0["source"] as? String != "internal" }
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { $0["rule"] as? String == "Shadow file opened" && $0["priority"] as? String == "Warning" }, "\(lines)")
            #expect(lines.allSatisfy { ($0["output_fields"] as? [String: Any])?["proc.name"] as? String == "head" }, "\(lines)")
            #expect(!lines.contains { Self.pidOf($0) == Int(cat) }, "the filter let cat's alert through")
            #expect((live.metric("vigil_control_clients") ?? 0) >= 1)

            // --since: the alerts of the last minutes from the file sink first (both rules' matches, unfiltered).
            let since = Child(VigilBinary.url, ["tail", "--json", "--since", "10m", "--alerts-file", live.alertsFile, "--config", "/nonexistent", "--socket", live.socket])
            defer { since.kill() }
            #expect(eventually(10) { since.stdout.contains("\"proc.pid\":\(cat)") && since.stdout.contains("\"proc.pid\":\(head)") }, "\(since.stdout) \(since.stderr)")
            since.kill()

            tail.kill()
            live.stop()
            #expect(live.daemon.process.terminationStatus == 0)
            #expect(access(live.socket, F_OK) != 0, "the socket file was left behind")
        }
    }

    /// The `control:` section is checked like the other keys: wrong values are errors with their line.
    @Test func controlConfigurationErrorsAreLocated() throws {
        let (bad, text) = try LiveDaemonTests.dryRun("control:\n  queue_size: 0\n")
        #expect(bad == 2)
        #expect(text.contains("vigil.yaml:2:"), "\(text)")
        #expect(text.contains("control.queue_size must be a whole number between 1 and 1000000"), "\(text)")
        let (relative, relativeText) = try LiveDaemonTests.dryRun("control: {socket: run/vigil.sock}\n")
        #expect(relative == 2)
        #expect(relativeText.contains("control.socket must be an absolute path"), "\(relativeText)")
        let (ok, okText) = try LiveDaemonTests.dryRun("control: {socket: '', group: adm, queue_size: 64, max_clients: 4}\n")
        #expect(ok == 0, "\(okText)")
    }

    @Test func nonPermittedUidIsRefused() throws {
        try KernelAuditLock.withLock {
            let live = try LiveSetup()
            defer { if live.daemon.process.isRunning { live.daemon.signal(SIGKILL) } }
            var st = stat()
            #expect(stat(live.socket, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o660)
            #expect(st.st_uid == 0)
            #expect(st.st_gid == 4)  // adm

            let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", VigilBinary.url.path, "tail", "--config", "/nonexistent", "--socket", live.socket]
            // The socket's mode keeps nobody out at connect: the client says why.
            let refused = Child(URL(fileURLWithPath: "/usr/bin/setpriv"), asNobody)
            refused.wait()
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("permission denied connecting to \(live.socket)"), "\(refused.stderr)")

            // With the mode opened up by mistake, the daemon's own credential check (SO_PEERCRED) refuses.
            #expect(chmod(live.socket, 0o666) == 0)
            let checked = Child(URL(fileURLWithPath: "/usr/bin/setpriv"), asNobody)
            checked.wait()
            #expect(checked.status == 1)
            #expect(checked.stderr.contains("vigil tail: permission denied: uid 65534 (gid 65534) may not use the Vigil control socket; only root and members of group 'adm' (gid 4) may"), "\(checked.stderr)")
            #expect((live.metric("vigil_control_refused_total") ?? 0) >= 1)
            #expect(chmod(live.socket, 0o660) == 0)

            // A member of the group (supplementary) is let in.
            let member = Child(URL(fileURLWithPath: "/usr/bin/setpriv"), ["--reuid=65534", "--regid=65534", "--groups=4", VigilBinary.url.path, "tail", "--config", "/nonexistent", "--socket", live.socket])
            defer { member.kill() }
            #expect(eventually(10) { member.stderr.contains("vigil tail: watching alerts") }, "\(member.stderr)")
            member.kill()
            live.stop()
        }
    }

    @Test func slowClientIsToldWhatItMissedAndDaemonKeepsUp() throws {
        try KernelAuditLock.withLock {
            let live = try LiveSetup(queueSize: 8)
            defer { if live.daemon.process.isRunning { live.daemon.signal(SIGKILL) } }
            // Events are plentiful; this client's standard output is a pipe nobody reads, so it stops reading too.
            let slow = Child(VigilBinary.url, ["tail", "--json", "--events", "--config", "/nonexistent", "--socket", live.socket], readStdout: false)
            defer { slow.kill() }
            // The same in the human format.
            let human = Child(VigilBinary.url, ["tail", "--events", "--config", "/nonexistent", "--socket", live.socket], readStdout: false)
            defer { human.kill() }
            #expect(eventually(10) { slow.stderr.contains("vigil tail: watching alerts and events") }, "\(slow.stderr)")
            #expect(eventually(10) { human.stderr.contains("vigil tail: watching alerts and events") }, "\(human.stderr)")
            let before = live.alerts().count
            let storm = Child(URL(fileURLWithPath: "/bin/sh"), ["-c", "for i in $(seq 150); do cat /etc/shadow; done"])
            storm.wait()
            // The daemon went on alerting to its file sink while the client was stalled.
            // (All 150 unless the kernel itself dropped records on a loaded machine, which the daemon counts.)
            #expect(eventually(20) {
                let n = live.alerts().count - before
                return n >= 150 || (n > 0 && (live.metric("vigil_kernel_lost_total") ?? 0) > 0)
            }, "daemon fell behind: \(live.alerts().count - before) of 150 alerts")
            #expect(eventually(10) { (live.metric("vigil_control_missed_total") ?? 0) > 0 })
            let events = live.metric("vigil_events_total") ?? 0
            _ = Self.run("/bin/cat", ["/etc/shadow"])
            #expect(eventually(10) { (live.metric("vigil_events_total") ?? 0) > events }, "the daemon stopped counting events")

            // The client resumes reading and sees the marker.
            slow.startReadingStdout()
            var missed = 0
            #expect(eventually(15) {
                for line in slow.stdout.split(separator: "\n") where line.hasPrefix("{\"missed\":") {
                    if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let n = obj["missed"] as? Int {
                        missed = max(missed, n)
                    }
                }
                return missed > 0
            }, "no missed marker in \(slow.stdout.count) bytes of output")
            #expect(missed > 0)
            human.startReadingStdout()
            #expect(eventually(15) {
                human.stdout.range(of: #"(?m)^--- missed [1-9][0-9]* items?: this client read too slowly and the daemon dropped the oldest ---$"#, options: .regularExpression) != nil
            }, "no missed line in \(human.stdout.count) bytes of output")
            human.kill()
            slow.kill()
            live.stop()
            #expect(live.daemon.process.terminationStatus == 0)
        }
    }

    // MARK: - What a person sees (tmux)

    final class Tmux {
        let server = "vigil-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        init(command: String) {
            _ = Self.tmux(["-L", server, "new-session", "-d", "-s", "tail", "-x", "200", "-y", "50", command])
        }
        deinit { _ = Self.tmux(["-L", server, "kill-server"]) }
        func capture(escapes: Bool = false) -> String {
            Self.tmux(["-L", server, "capture-pane", "-p", "-J", "-S", "-", "-t", "tail"] + (escapes ? ["-e"] : []))
        }
        func paneTitle() -> String { Self.tmux(["-L", server, "display-message", "-p", "-t", "tail", "#{pane_title}"]) }
        /// tmux's server keeps every descriptor its first client had, so Foundation's Process (which sees an exit
        /// through a descriptor closing) would wait for the server: spawn, `waitpid`, and read a file instead.
        @discardableResult
        static func tmux(_ args: [String]) -> String {
            let dir = TemporaryDirectory("vigil-tmux")
            let outPath = dir.path("out")
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            // The pane's programs get a clean signal mask, not the test runner's.
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
            let argv = (["tmux"] + args).map { strdup($0) } + [nil]
            defer { for a in argv { free(a) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, "/usr/bin/tmux", &actions, &attributes, argv, environ) == 0 else { return "" }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        }
    }

    @Test func terminalShowsLiveAlertWithTree() throws {
        try KernelAuditLock.withLock {
            let live = try LiveSetup()
            defer { if live.daemon.process.isRunning { live.daemon.signal(SIGKILL) } }
            let screen = Tmux(command: "env -u NO_COLOR \(VigilBinary.url.path) tail --tree --filter 'proc.name = sh' --config /nonexistent --socket \(live.socket); sleep 30")
            #expect(eventually(10) { screen.capture().contains("vigil tail: watching alerts") }, "\(screen.capture())")
            // The shell opens /etc/shadow itself, half a second after its exec: a process whose open follows its
            // exec within a millisecond may be alerted on before its exec event is enriched (no command line).
            let script = "sleep 0.5; exec 3</etc/shadow; echo $$"
            let shell = Child(URL(fileURLWithPath: "/bin/sh"), ["-c", script])
            shell.wait()
            let shellPid = shell.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(eventually(10) { screen.capture().contains("proc=sh[\(shellPid)]") }, "\(screen.capture())")
            let text = screen.capture()
            let line = try #require(text.split(separator: "\n").first { $0.contains("proc=sh[\(shellPid)]") }, "\(text)")
            // time, priority, rule, container, process
            #expect(line.range(of: #"^\d\d:\d\d:\d\d\.\d{3} WARNING +Shadow file opened container=host proc=sh\[\d+\]"#, options: .regularExpression) != nil, "\(line)")
            #expect(line.contains("file=/etc/shadow"))
            // --tree: the test runner (this process) started the shell.
            #expect(text.contains("[\(getpid())] "), "\(text)")
            #expect(text.contains("└─ sh[\(shellPid)]"), "\(text)")
            // The command line comes from the shell's exec event. When the kernel dropped records meanwhile (a
            // loaded machine), the exec may be among them: then the monitor's own notice must be on the screen
            // instead (notices pass every filter), and the command line cannot be asked for.
            // (The loss is reported at the next status poll, 0.5 s here: wait that long for one or the other.)
            let withCommandLine = "proc=sh[\(shellPid)] sh -c \(script) "
            #expect(eventually(3) {
                let t = screen.capture()
                return t.contains(withCommandLine) || t.contains("Vigil monitor: kernel_lost")
            }, "\(screen.capture())")
            let settled = screen.capture()
            if !settled.contains(withCommandLine), settled.contains("Vigil monitor: kernel_lost") {
                #expect(settled.contains("CRITICAL Vigil monitor: kernel_lost the kernel dropped"), "\(settled)")
            } else {
                #expect(line.contains(withCommandLine), "\(line)")
                #expect(settled.contains("└─ sh[\(shellPid)] sh -c \(script)\n"), "\(settled)")
            }
            // Coloured on a terminal: the priority in yellow.
            #expect(screen.capture(escapes: true).contains("\u{1B}[33mWARNING"), "\(screen.capture(escapes: true).debugDescription)")
            live.stop()
        }
    }

    /// Selection offline (`--file`, the same `TailSubscription` the daemon runs per client): priority, rule,
    /// filter, container, events; plain text on a pipe (no colour, no raw ESC).
    @Test func offlineSelection() throws {
        let dir = TemporaryDirectory("vigil-tail-sel")
        try """
            - rule: Evil program run
              desc: test rule
              condition: evt.type = execve and proc.pid = 4242
              output: "evil program (cmdline=%proc.cmdline)"
              priority: CRITICAL
            - rule: Any exec
              desc: test rule
              condition: evt.type = execve
              output: "exec (proc=%proc.name)"
              priority: NOTICE
            """.write(toFile: dir.path("rules.yaml"), atomically: true, encoding: .utf8)
        let now = Int(Date().timeIntervalSince1970)
        func event(_ serial: Int, pid: Int, comm: String, args: [String]) -> String {
            let stamp = "audit(\(now).\(serial):\(serial))"
            let argv = args.enumerated().map { "a\($0.offset)=\"\($0.element)\"" }.joined(separator: " ")
            return """
                type=SYSCALL msg=\(stamp): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=100 pid=\(pid) auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="\(comm)" exe="/usr/bin/\(comm)" key="vigil"
                type=EXECVE msg=\(stamp): argc=\(args.count) \(argv)
                type=CWD msg=\(stamp): cwd="/tmp"
                type=PATH msg=\(stamp): item=0 name="/usr/bin/\(comm)" inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL
                type=EOE msg=\(stamp):

                """
        }
        let script = String(repeating: "x", count: 5000)
        try (event(501, pid: 4242, comm: "evil", args: ["evil", "\u{1B}[2J"]) + event(502, pid: 4343, comm: "ls", args: ["ls", "-l"])
            + event(503, pid: 4444, comm: "bash", args: ["bash", "-c", script]))
            .write(toFile: dir.path("audit.log"), atomically: true, encoding: .utf8)
        func tail(_ extra: [String]) -> [Substring] {
            let p = Child(VigilBinary.url, ["tail", "--file", dir.path("audit.log"), "--rules", dir.path("rules.yaml")] + extra)
            p.wait()
            #expect(p.status == 0, "\(extra): \(p.stderr)")
            #expect(!p.stdout.contains("\u{1B}"), "\(extra): raw ESC in \(p.stdout.debugDescription)")
            return p.stdout.split(separator: "\n")
        }
        let all = tail([])
        #expect(all.count == 4, "\(all)")
        #expect(all.filter { $0.contains(" CRITICAL Evil program run container=host proc=evil[4242] evil \\x1b[2J") }.count == 1, "\(all)")
        #expect(all.filter { $0.contains(" NOTICE   Any exec container=host proc=") }.count == 3, "\(all)")
        // A whole script as an argument is cut on the terminal (it would push the alert off the screen).
        let long = all.first { $0.contains("proc=bash[4444]") } ?? ""
        #expect(long.contains("… (+4768 chars) file=/usr/bin/bash") && long.count < 500, "\(long)")
        let whole = Child(VigilBinary.url, ["tail", "--json", "--events", "--no-alerts", "--file", dir.path("audit.log"), "--rules", dir.path("rules.yaml")])
        whole.wait()
        #expect(whole.stdout.contains(script), "--json keeps the whole command line")
        #expect(tail(["--priority", "error"]).map { $0.contains("Evil program run") } == [true])
        #expect(tail(["--rule", "Any*"]).allSatisfy { $0.contains("Any exec") })
        let filtered = tail(["--filter", "proc.pid = 4343 and evt.type = execve"])
        #expect(filtered.count == 1 && filtered[0].contains("Any exec container=host proc=ls[4343] ls -l"), "\(filtered)")
        #expect(tail(["--container", "web"]).isEmpty)
        let events = tail(["--events", "--no-alerts"])
        #expect(events.count == 3 && events.allSatisfy { $0.contains(" event    execve res=SUCCESS container=host proc=") }, "\(events)")
    }

    /// A recorded log whose command line and executable carry terminal escape sequences (clear screen, set the
    /// window title): offline `--file --follow` mode, without colour (NO_COLOR).
    @Test func terminalNeverReceivesEscapesFromEvents() throws {
        let dir = TemporaryDirectory("vigil-tail-esc")
        try """
            - rule: Evil program run
              desc: test rule
              condition: evt.type = execve and proc.pid = 4242
              output: "evil program (cmdline=%proc.cmdline exe=%proc.exepath)"
              priority: CRITICAL
            """.write(toFile: dir.path("rules.yaml"), atomically: true, encoding: .utf8)
        func hex(_ s: String) -> String { s.utf8.map { String(format: "%02X", $0) }.joined() }
        let clear = "\u{1B}[2J\u{1B}[H"
        let title = "\u{1B}]2;pwned\u{07}"
        let now = Int(Date().timeIntervalSince1970)
        let stamp = "audit(\(now).100:501)"
        let log = """
            type=SYSCALL msg=\(stamp): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=100 pid=4242 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\(hex("evil" + clear)) exe=\(hex("/tmp/evil" + title)) key="vigil"
            type=EXECVE msg=\(stamp): argc=3 a0="evil" a1=\(hex(clear)) a2=\(hex(title))
            type=CWD msg=\(stamp): cwd="/tmp"
            type=PATH msg=\(stamp): item=0 name=\(hex("/tmp/evil" + title)) inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL
            type=EOE msg=\(stamp):

            """
        try log.write(toFile: dir.path("audit.log"), atomically: true, encoding: .utf8)
        let screen = Tmux(command: "NO_COLOR=1 \(VigilBinary.url.path) tail --tree --file \(dir.path("audit.log")) --rules \(dir.path("rules.yaml")) --follow; sleep 30")
        #expect(eventually(10) { screen.capture().contains("Evil program run") }, "\(screen.capture())")
        let text = screen.capture()
        let line = try #require(text.split(separator: "\n").first { $0.contains("Evil program run") })
        // proc.cmdline is proc.name (the comm) and the arguments, as in Falco.
        #expect(line.contains(#"CRITICAL Evil program run container=host proc=evil\x1b[2J\x1b[H[4242] evil\x1b[2J\x1b[H \x1b[2J\x1b[H \x1b]2;pwned\x07 "#), "\(line)")
        #expect(line.hasSuffix(#" file=/tmp/evil\x1b]2;pwned\x07"#), "\(line)")
        // Nothing reached the terminal as a control: no colour (NO_COLOR), no cleared screen, no new title.
        let raw = screen.capture(escapes: true)
        #expect(!raw.contains("\u{1B}"), "\(raw.debugDescription)")
        #expect(!screen.paneTitle().contains("pwned"))
    }
}

/// A child process whose output the test reads without blocking.
final class Child {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private var outData = Data()
    private var errData = Data()
    private var readingStdout: Bool

    init(_ executable: URL, _ args: [String], readStdout: Bool = true) {
        process.executableURL = executable
        process.arguments = args
        process.standardOutput = out
        process.standardError = err
        readingStdout = readStdout
        do { try process.run() } catch { errData += Data("cannot run \(executable.path): \(error)".utf8) }
    }

    private func drain(_ fd: Int32, into data: inout Data) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            // Only what is there now: never block the test on a quiet child.
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&p, 1, 0) == 1, p.revents & Int16(POLLIN | POLLHUP) != 0 else { return }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    func poll() {
        if readingStdout { drain(out.fileHandleForReading.fileDescriptor, into: &outData) }
        drain(err.fileHandleForReading.fileDescriptor, into: &errData)
    }

    func startReadingStdout() { readingStdout = true }

    var stdout: String {
        poll()
        return String(decoding: outData, as: UTF8.self)
    }

    var stderr: String {
        poll()
        return String(decoding: errData, as: UTF8.self)
    }

    var status: Int32 { process.terminationStatus }

    func wait() {
        while process.isRunning {
            poll()
            usleep(10_000)
        }
        poll()
    }

    func kill() {
        guard process.isRunning else { return }
        process.terminate()
        if !eventually(3, { !process.isRunning }) { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
