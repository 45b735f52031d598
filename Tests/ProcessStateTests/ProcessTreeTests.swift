import AuditStream
import Testing

@testable import ProcessState

/// The shadow process table driven by synthetic events (replay mode: nothing of this machine is read).
struct ProcessTreeTests {
    // pids far above any pid_max this machine uses, so that nothing here can match a real process.
    let shell: Int64 = 5_000_100
    let init1: Int64 = 5_000_001

    /// init → bash (exec'd) → fork → child exec's cat.
    func shellTree(_ a: inout AuditLines) -> [String] {
        var lines: [String] = []
        lines += a.event(
            "execve", pid: init1, ppid: 0, comm: "systemd", exe: "/usr/lib/systemd/systemd", argv: ["/sbin/init"])
        lines += a.event(
            "clone", pid: init1, ppid: 0, comm: "systemd", exe: "/usr/lib/systemd/systemd", exit: shell,
            args: [0x1200011, 0, 0, 0])
        lines += a.event(
            "execve", pid: shell, ppid: init1, comm: "bash", exe: "/usr/bin/bash", argv: ["-bash"], cwd: "/root")
        lines += a.event(
            "clone", pid: shell, ppid: init1, comm: "bash", exe: "/usr/bin/bash", exit: shell + 1,
            args: [0x1200011, 0, 0, 0])
        lines += a.event(
            "execve", pid: shell + 1, ppid: shell, comm: "cat", exe: "/usr/bin/cat", argv: ["cat", "/etc/shadow"],
            cwd: "/root",
            paths: [.init(name: "/usr/bin/cat", mode: "0100755")])
        return lines
    }

    @Test func execForkAndAncestry() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        let out = enrich(shellTree(&a), with: e)
        let cat = try #require(out.last)
        #expect(cat.process.pid == shell + 1)
        #expect(cat.process.name.text == "cat")
        #expect(cat.process.exe.text == "cat")
        #expect(cat.process.exePath.text == "/usr/bin/cat")
        #expect(cat.process.args.text == "/etc/shadow")
        #expect(cat.process.cmdline.text == "cat /etc/shadow")
        #expect(cat.process.cwd.text == "/root")
        #expect(cat.ancestors.map(\.name.text) == ["bash", "systemd"])
        #expect(cat.ancestors.map(\.pid) == [shell, init1])
        #expect(cat.ancestor(1)?.cmdline.text == "bash")  // Falco: proc.pcmdline = pname + args
        #expect(cat.ancestor(1)?.exe.text == "-bash")
        #expect(cat.ancestor(2)?.exePath.text == "/usr/lib/systemd/systemd")
        #expect(cat.ancestor(0)?.name.text == "cat")
        #expect(cat.ancestor(3) == nil)
        // Start time from the clone that made the child; duration up to the exec.
        #expect(cat.process.startMillis == out[3].timeMillis)
        #expect(cat.process.durationNanos == 1_000_000)
        #expect(cat.container == nil)  // replay: unknown, not "host"
        #expect(cat.process.capEffective == nil)
        #expect(cat.user.uid == 0 && cat.user.name == nil && cat.user.loginUID == -1)
        #expect(e.statistics.processes == 3)
    }

    /// busybox httpd: the server forks a per-connection child, which forks the CGI and exits. The child never
    /// makes an audited call of its own; the CGI's exec names it as parent. The CGI and the shell it starts still
    /// descend from the server (what "Run shell untrusted" looks for in proc.aname).
    @Test func aForkedChildSeenOnlyAsAParentLinksToWhoForkedIt() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        let server = shell + 10, connection = shell + 11, cgi = shell + 12, sh = shell + 13
        var lines = a.event("execve", pid: server, ppid: init1, comm: "httpd", exe: "/bin/busybox", argv: ["httpd", "-p", "8080"])
        lines += a.event("clone", pid: server, ppid: init1, comm: "httpd", exe: "/bin/busybox", exit: connection, args: [0x1200011, 0, 0, 0])
        lines += a.event("execve", pid: cgi, ppid: connection, comm: "lab.cgi", exe: "/bin/busybox", argv: ["/bin/sh", "/www/cgi-bin/lab.cgi"])
        lines += a.event("clone", pid: cgi, ppid: connection, comm: "lab.cgi", exe: "/bin/busybox", exit: sh, args: [0x1200011, 0, 0, 0])
        lines += a.event("execve", pid: sh, ppid: cgi, comm: "sh", exe: "/bin/busybox", argv: ["sh", "-c", "id"])
        let out = enrich(lines, with: e)
        let shell = try #require(out.last)
        #expect(shell.ancestors.map(\.name.text) == ["lab.cgi", "httpd", "httpd"])
        #expect(shell.ancestors.map(\.pid) == [cgi, connection, server])
    }

    /// vfork: the child execs before the parent's vfork returns, so the parent's event comes after the child's
    /// exec. The late fork must not turn the exec'd child back into a copy of its parent.
    @Test func aForkReportedAfterTheChildsExecKeepsTheChild() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        let server = shell + 20, cgi = shell + 21, sh = shell + 22
        var lines = a.event("execve", pid: server, ppid: init1, comm: "httpd", exe: "/bin/busybox", argv: ["httpd"])
        lines += a.event("execve", pid: cgi, ppid: server, comm: "lab.cgi", exe: "/bin/busybox", argv: ["/bin/sh", "/www/cgi-bin/lab.cgi"])
        lines += a.event("vfork", pid: server, ppid: init1, comm: "httpd", exe: "/bin/busybox", exit: cgi)
        lines += a.event("clone", pid: cgi, ppid: server, comm: "lab.cgi", exe: "/bin/busybox", exit: sh, args: [0x1200011, 0, 0, 0])
        lines += a.event("execve", pid: sh, ppid: cgi, comm: "sh", exe: "/bin/busybox", argv: ["sh", "-c", "id"])
        let out = enrich(lines, with: e)
        let shell = try #require(out.last)
        #expect(shell.ancestors.map(\.name.text) == ["lab.cgi", "httpd"])
        #expect(shell.ancestor(1)?.cmdline.text == "lab.cgi /www/cgi-bin/lab.cgi")
    }

    /// The capabilities an exec gave come from the kernel's BPRM_FCAPS record (also in a recorded log, and live
    /// when the process is gone before /proc is read); an exec without one leaves them unknown, not stale.
    @Test func execCapabilitiesComeFromBprmFcaps() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        var lines = shellTree(&a)
        lines += a.event(
            "execve", pid: shell + 1, ppid: shell, comm: "insmod", exe: "/usr/sbin/insmod", argv: ["insmod", "/tmp/x.ko"],
            extra: ["BPRM_FCAPS fver=0 fp=0 fi=0 fe=0 old_pp=0000000000000000 old_pi=0 old_pe=0000000000000000 old_pa=0 pp=000001ffffffffff pi=0 pe=00000000a80425fb pa=0 frootid=0"])
        lines += a.event("finit_module", pid: shell + 1, ppid: shell, comm: "insmod", exe: "/usr/sbin/insmod", exit: -38, success: false)
        lines += a.event("execve", pid: shell + 1, ppid: shell, comm: "true", exe: "/usr/bin/true", argv: ["true"])
        let out = enrich(lines, with: e)
        let load = out[out.count - 2]
        #expect(load.process.capEffective == 0xa80425fb)
        #expect(load.process.capEffectiveText?.contains("CAP_SYS_CHROOT") == true, "\(load.process.capEffectiveText ?? "nil")")
        #expect(load.process.capEffectiveText?.contains("CAP_SYS_MODULE") == false)
        #expect(out.last?.process.capEffective == nil, "a later exec without BPRM_FCAPS: unknown")
    }

    @Test func aChildKeepsTheAncestryItHadAfterItsParentExits() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        var lines = shellTree(&a)
        lines += a.event("exit_group", pid: shell, ppid: init1, comm: "bash", exe: "/usr/bin/bash")
        _ = enrich(lines, with: e)
        // Long after the grace period, the orphan (reparented to init1… or a subreaper) still shows bash.
        a.seconds += 3600
        let later = enrich(
            a.event(
                "openat", pid: shell + 1, ppid: 1, comm: "cat", exe: "/usr/bin/cat", exit: 3, args: [0xffff_ff9c],
                cwd: "/root", paths: [.init(name: "/etc/shadow")]), with: e)
        let ev = try #require(later.first)
        #expect(ev.process.ppid == 1)
        #expect(ev.ancestors.map(\.name.text) == ["bash", "systemd"])
        #expect(ev.process.cmdline.text == "cat /etc/shadow")
        #expect(e.statistics.expired == 1)  // bash left the table…
        #expect(e.statistics.processes == 2)  // …but its child still knows it.
    }

    @Test func aReusedPidIsANewProcessAndOldAncestryIsUntouched() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        _ = enrich(shellTree(&a), with: e)
        // bash dies unseen (signal); its pid is reused by an unrelated process of another parent.
        let other: Int64 = 5_000_500
        var lines = a.event("execve", pid: other, ppid: init1, comm: "cron", exe: "/usr/sbin/cron", argv: ["cron"])
        lines += a.event(
            "clone", pid: other, ppid: init1, comm: "cron", exe: "/usr/sbin/cron", exit: shell, args: [0x1200011])
        lines += a.event(
            "execve", pid: shell, ppid: other, comm: "python3", exe: "/usr/bin/python3.11", argv: ["python3", "job.py"])
        lines += a.event("read", pid: shell + 1, ppid: shell, comm: "cat", exe: "/usr/bin/cat", args: [3])
        let out = enrich(lines, with: e)
        #expect(out[2].process.cmdline.text == "python3 job.py")
        #expect(out[2].ancestors.map(\.name.text) == ["cron", "systemd"])
        // The cat's parent is still the bash it was forked from.
        #expect(out[3].ancestors.map(\.name.text) == ["bash", "systemd"])
        #expect(e.statistics.pidReuses == 1)
    }

    @Test func anEventAfterExitGroupIsAnotherProcess() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        var lines = shellTree(&a)
        lines += a.event("exit_group", pid: shell + 1, ppid: shell, comm: "cat", exe: "/usr/bin/cat")
        // Within the grace period, the pid is taken by a new process of the same parent (no fork seen).
        lines += a.event("execve", pid: shell + 1, ppid: shell, comm: "id", exe: "/usr/bin/id", argv: ["id", "-u"])
        a.seconds += 10
        lines += a.event("read", pid: shell + 1, ppid: shell, comm: "id", exe: "/usr/bin/id", args: [0])
        let out = enrich(lines, with: e)
        #expect(e.statistics.pidReuses == 1)
        #expect(out.last?.process.cmdline.text == "id -u")  // not expired with the cat it replaced
        #expect(out.last?.ancestors.first?.name.text == "bash")
    }

    @Test func threadClonesMakeNoProcessAndForkedChildrenInheritTheImage() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        var lines = shellTree(&a)
        // CLONE_THREAD | CLONE_VM …: a thread, never a process.
        lines += a.event(
            "clone", pid: shell, ppid: init1, comm: "bash", exe: "/usr/bin/bash", exit: shell + 7, args: [0x3d0f00])
        // A plain fork whose child does something before exec: it runs bash's image.
        lines += a.event("fork", pid: shell, ppid: init1, comm: "bash", exe: "/usr/bin/bash", exit: shell + 8)
        lines += a.event("setuid", pid: shell + 8, ppid: shell, comm: "bash", exe: "/usr/bin/bash", args: [1000])
        let out = enrich(lines, with: e)
        #expect(e.statistics.pendingForks == 0)
        let child = try #require(out.last)
        #expect(child.process.cmdline.text == "bash")
        #expect(child.process.cwd.text == "/root")
        #expect(child.ancestors.map(\.pid) == [shell, init1])
        #expect(e.statistics.processes == 4)
    }

    @Test func anUnknownProcessIsBuiltFromTheEventOnly() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        let out = enrich(
            a.event(
                "openat", pid: 5_000_900, ppid: 5_000_899, comm: "nc", exe: "/usr/bin/nc.openbsd",
                exit: -13, args: [0xffff_ff9c], cwd: "/tmp", paths: [.init(name: "x")]), with: e)
        let ev = try #require(out.first)
        #expect(ev.process.name.text == "nc")
        #expect(ev.process.exePath.text == "/usr/bin/nc.openbsd")
        #expect(ev.process.argv == nil)
        #expect(ev.process.cmdline.text == "nc")
        #expect(ev.process.startMillis == nil)
        #expect(ev.ancestors.isEmpty)
        #expect(ev.fd?.number == -1)
        #expect(ev.fd?.name.text == "/tmp/x")
    }

    @Test func memfdExecutablesAreFlagged() throws {
        var a = AuditLines()
        let e = ProcessState.Enricher.replay()
        let out = enrich(
            a.event("execve", pid: 5_000_300, ppid: 5_000_299, comm: "3", exe: "/memfd:payload (deleted)", argv: ["x"])
                + a.event("execve", pid: 5_000_301, ppid: 5_000_299, comm: "ls", exe: "/usr/bin/ls", argv: ["ls"]),
            with: e)
        #expect(out[0].process.isExeFromMemfd == true)
        #expect(out[1].process.isExeFromMemfd == false)
        #expect(out[0].process.isExeUpperLayer == nil)
    }
}
