import AuditStream
import Foundation
import Testing

@testable import ProcessState

/// Real containers (../shared/lab): the live enricher reads the real /proc, cgroups and the runtimes' state files
/// for pids started inside them. Audit lines are synthesised for those real pids (the kernel audit stream is not
/// needed to exercise /proc); they go through the real parser, assembler and decoder.
@Suite(.serialized, .enabled(if: ContainerLab.shared != nil, "needs root and ../shared/lab"))
struct ContainerAttributionTests {
    let lab = ContainerLab.shared!

    func liveEnricher() -> ProcessState.Enricher {
        let r = lab.runtimeRoots
        return ProcessState.Enricher(
            mode: .live(
                .init(
                    runtimes: ContainerRuntimeRoots(
                        docker: r.docker, containerd: r.containerd, crio: [r.crio], podman: r.podman))))
    }

    static let styles: [(style: String, type: String, kubernetes: Bool)] = [
        ("docker", "docker", false), ("docker-cgroupfs", "docker", false), ("containerd", "containerd", true),
        ("containerd-cgroupfs", "containerd", true), ("crio", "cri-o", true), ("podman", "podman", false),
        ("podman-cgroupfs", "podman", false),
    ]

    @Test(arguments: styles)
    func shellRunsCatInAContainer(style: String, type: String, kubernetes: Bool) throws {
        let name = "vps-\(style)-\(UUID().uuidString.prefix(6).lowercased())"
        let image = "registry.local/team/app-\(style):1.\(style.count)"
        let id = try lab("run", name, "--style", style, "--image", image, "--", "sleep", "600")
        defer { _ = try? lab("rm", id) }
        #expect(id.count == 64)

        // sh → cat /etc/shadow (cat stays alive reading the pipe, so its /proc can be read).
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("vps-\(id.prefix(12)).pid").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        try lab("exec", "-d", "--pid-file", pidFile, id, "--", "sh", "-c", "sleep 600 | cat /etc/shadow -")
        let sh = try #require(Int64(LiveProcess.read(pidFile) ?? ""))
        let cat = try #require(LiveProcess.wait { LiveProcess.children(sh).first { LiveProcess.comm($0) == "cat" } })
        let catExe = try #require(LiveProcess.exe(cat))

        let e = liveEnricher()
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        var lines = a.event(
            "execve", pid: cat, ppid: sh, comm: "cat", exe: catExe, argv: ["cat", "/etc/shadow", "-"], cwd: "/",
            paths: [.init(name: "/usr/bin/cat", mode: "0100755")])
        lines += a.event(
            "openat", pid: cat, ppid: sh, comm: "cat", exe: catExe, exit: 3, args: [0xffff_ff9c, 0, 0], cwd: "/",
            paths: [.init(name: "/etc/shadow", mode: "0100640")])
        // A child of the cat that is already gone from /proc: it inherits the container.
        let ghost = LiveProcess.impossiblePid
        lines += a.event(
            "openat", pid: ghost, ppid: cat, comm: "cat", exe: catExe, exit: -2, args: [0xffff_ff9c], cwd: "/",
            paths: [.init(name: "/nonexistent")])
        let out = enrich(lines, with: e)
        try #require(out.count == 3)
        let open = out[1]

        let c = try #require(open.container)
        #expect(c.fullID == id)
        #expect(c.id == String(id.prefix(12)))
        #expect(!c.isHost)
        #expect(c.type == type)
        #expect(c.name == name)
        #expect(c.image == image)
        #expect(c.imageRepository == "registry.local/team/app-\(style)")
        #expect(c.imageTag == "1.\(style.count)")
        #expect(c.privileged == false)
        if kubernetes {
            #expect(c.podName == name)
            #expect(c.podNamespace == "default")
            let cgroup = LiveProcess.read("/proc/\(cat)/cgroup") ?? ""
            #expect(
                c.podUID.map { cgroup.contains($0) || cgroup.contains($0.replacingOccurrences(of: "-", with: "_")) }
                    == true)
        } else {
            #expect(c.podName == nil)
        }

        #expect(open.process.pid == cat)
        #expect(open.process.cmdline.text == "cat /etc/shadow -")
        #expect(open.ancestors.first?.name.text == "sh")  // proc.pname
        #expect(open.ancestors.first?.pid == sh)
        #expect(open.ancestors.first?.cmdline.text == "sh -c sleep 600 | cat /etc/shadow -")
        #expect(open.fd?.name.text == "/etc/shadow")
        #expect(open.user.name == "root" && open.group.name == "root")  // the container's /etc/passwd
        let caps = try #require(open.process.capEffectiveText)
        #expect(caps.contains("CAP_NET_RAW") && !caps.contains("CAP_SYS_ADMIN"))  // docker's default set
        #expect(open.process.isExeUpperLayer == false)
        #expect(open.process.startMillis != nil)
        // proc.vpid/pvpid: the pids the container's own namespace gives cat and sh (its init is 1, so neither).
        func ownPid(_ pid: Int64) -> Int64? {
            let status = LiveProcess.read("/proc/\(pid)/status") ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("NSpid:") }
            return line?.split(whereSeparator: { $0 == "\t" || $0 == " " }).last.flatMap { Int64($0) }
        }
        let catVpid = try #require(ownPid(cat))
        #expect(catVpid != cat && catVpid > 1)
        #expect(open.process.vpid == catVpid)
        #expect(open.ancestors.first?.vpid == ownPid(sh))

        let ghostEvent = out[2]
        #expect(ghostEvent.container?.fullID == id)
        #expect(ghostEvent.ancestors.prefix(2).map(\.name.text) == ["cat", "sh"])
        // The host-side parents of sh are the lab's runc processes, still ancestors (host pids).
        #expect(ghostEvent.ancestors.count > 2)
    }

    /// A container running before the daemon started, whose processes made no event yet: a `runc exec` into it
    /// that is gone before its event is handled is still placed by its executable's device (red-team run: such
    /// execs 3-7 s after start were reported as `host`). The ghost's parent is the host's runc, also gone.
    @Test func shortLivedExecIntoAContainerThatPredatesTheDaemon() throws {
        let name = "vps-pre-\(UUID().uuidString.prefix(6).lowercased())"
        let id = try lab("run", name, "--style", "docker", "--", "sleep", "600")
        defer { _ = try? lab("rm", id) }
        let initPid = try #require(Int64(lab("pid", id)))
        var st = stat()
        try #require(stat("/proc/\(initPid)/root", &st) == 0)
        let dev = UInt64(st.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        let auditDev = String(format: "%02x:%02x", major, minor)

        let e = liveEnricher()  // seeds from /proc: the container's sleep is in the table, never used
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        let ghost = LiveProcess.impossiblePid
        let out = enrich(
            a.event(
                "execve", pid: ghost, ppid: ghost + 1, comm: "cat", exe: "/bin/busybox", argv: ["cat", "/etc/shadow"],
                cwd: "/", paths: [.init(name: "/bin/cat", mode: "0100755", dev: auditDev)]), with: e)
        try #require(out.count == 1)
        #expect(out[0].container?.fullID == id)
    }

    @Test func privilegedContainerAndAnUpperLayerBinary() throws {
        let name = "vps-priv-\(UUID().uuidString.prefix(6).lowercased())"
        let id = try lab(
            "run", name, "--style", "docker", "--privileged", "--image", "lab.local/busybox:1.35.0-glibc", "--",
            "sleep", "600")
        defer { _ = try? lab("rm", id) }
        let initPid = try #require(Int64(lab("pid", id)))
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("vps-\(id.prefix(12)).pid").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // A binary written inside the container (the overlay's upper layer), then exec'd.
        try lab(
            "exec", "-d", "--pid-file", pidFile, id, "--", "sh", "-c",
            "cp /bin/busybox /tmp/sleep && exec /tmp/sleep 600")
        let dropped = try #require(Int64(LiveProcess.read(pidFile) ?? ""))
        let exe = try #require(
            LiveProcess.wait { LiveProcess.exe(dropped).flatMap { $0.hasSuffix("/tmp/sleep") ? $0 : nil } })

        let e = liveEnricher()
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        let initExe = try #require(LiveProcess.exe(initPid))
        let out = enrich(
            a.event(
                "execve", pid: dropped,
                ppid: try #require(Int64(LiveProcess.read("/proc/\(dropped)/stat")?.split(separator: " ")[3] ?? "")),
                comm: "sleep", exe: exe, argv: ["/tmp/sleep", "600"], cwd: "/")
                + a.event("read", pid: initPid, ppid: 1, comm: "sleep", exe: initExe, args: [0]), with: e)
        try #require(out.count == 2)
        #expect(out[0].container?.fullID == id)
        #expect(out[0].container?.privileged == true)
        #expect(out[0].process.isExeUpperLayer == true)
        #expect(out[0].process.capEffectiveText?.contains("CAP_SYS_ADMIN") == true)
        #expect(out[1].container?.fullID == id)
        #expect(out[1].process.isExeUpperLayer == false)  // the image's own sleep
        #expect(out[1].process.cmdline.text == "sleep 600")
    }
}

/// The live enricher on host processes (no container lab needed).
struct LiveHostTests {
    /// A process whose parent exited before its event is handled: /proc already shows the reaper it was handed to;
    /// the event's ppid (the parent when the call was made) wins, and the reaper is not made its parent.
    @Test func theEventsParentWinsOverTheReaperInProc() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-reaper-\(getpid())").path
        defer { unlink(pidFile) }
        // posix_spawn and waitpid, not Foundation's Process: it sees an exit through a descriptor closing, and the
        // background sleep would hold that descriptor for its 30 s.
        let words: [String] = ["/bin/sh", "-c", "sleep 30 </dev/null >/dev/null 2>&1 & echo $! > \(pidFile)"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var shPidRaw: pid_t = 0
        try #require(posix_spawn(&shPidRaw, "/bin/sh", nil, nil, argv, environ) == 0)
        var status: Int32 = 0
        while waitpid(shPidRaw, &status, 0) < 0 && errno == EINTR {}
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let child = try #require(Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(pid_t(child), SIGKILL) }
        let shPid = Int64(shPidRaw)
        // The background child has forked; wait for it to have exec'd sleep.
        for _ in 0..<200 where ProcFS().cmdline(child)?.first.map({ Array($0) }) != Array("sleep".utf8) { usleep(10_000) }
        let reaper = try #require(ProcFS().stat(child)?.ppid)
        #expect(reaper != shPid, "the child was handed to a reaper")
        let e = ProcessState.Enricher(mode: .live(.init(runtimes: .none, seed: false)))
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        let ev = try #require(enrich(a.event("read", pid: child, ppid: shPid, comm: "sleep", exe: "/usr/bin/sleep", exit: 0, args: [0]), with: e).first)
        #expect(ev.process.ppid == shPid)
        #expect(!ev.ancestors.contains { $0.pid == reaper }, "\(ev.ancestors.map(\.pid))")
        #expect(ev.process.argv?.map(\.text) == ["sleep", "30"])
    }

    /// fds are learned from audited syscalls only (pipe and close are not), so a number can still hold a socket
    /// that is gone. A dup of it is checked against /proc while the process lives: here the table says fd 3 is an
    /// IPv4 socket, /proc says the process's fd 1 (the dup's result) is /dev/null — /proc wins. A process already
    /// gone keeps the table's answer.
    @Test func aDupIsCheckedAgainstProcNotAStaleSocket() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sleep")
        p.arguments = ["30"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let pid = Int64(p.processIdentifier)
        let ghost = LiveProcess.impossiblePid
        let e = ProcessState.Enricher(mode: .live(.init(runtimes: .none, seed: false)))
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        var lines: [String] = []
        for who in [pid, ghost] {
            // socket(AF_INET, SOCK_STREAM, 0) = 3, then dup2(3, 1) = 1.
            lines += a.event("socket", pid: who, ppid: Int64(getpid()), comm: "sleep", exe: "/usr/bin/sleep", exit: 3, args: [2, 1, 0])
            lines += a.event("dup2", pid: who, ppid: Int64(getpid()), comm: "sleep", exe: "/usr/bin/sleep", exit: 1, args: [3, 1])
        }
        let out = enrich(lines, with: e)
        try #require(out.count == 4)
        #expect(out[0].fd?.type == .ipv4)
        #expect(out[1].fd?.type == .file && out[1].fd?.name?.text == "/dev/null", "\(String(describing: out[1].fd))")
        #expect(out[3].fd?.type == .ipv4)
    }

    @Test func aHostChildOfThisTestRunner() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sleep")
        p.arguments = ["30"]
        try p.run()
        defer {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let pid = Int64(p.processIdentifier)
        let e = ProcessState.Enricher.live(runtimes: .none)
        #expect(e.isLive && e.statistics.seeded > 0)
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        let out = enrich(
            a.event("read", pid: pid, ppid: Int64(getpid()), comm: "sleep", exe: "/usr/bin/sleep", exit: 0, args: [0]),
            with: e)
        let ev = try #require(out.first)
        #expect(ev.process.argv?.map(\.text) == ["/bin/sleep", "30"])
        #expect(ev.ancestors.first?.pid == Int64(getpid()))
        #expect(ev.container?.isHost == true && ev.container?.id == "host" && ev.container?.name == "host")
        // In the pid namespace this runner sees (its own NSpid has one entry when that is the initial one), the
        // namespace's pid is the pid itself.
        let nsPids = (LiveProcess.read("/proc/\(pid)/status") ?? "").split(separator: "\n").first { $0.hasPrefix("NSpid:") }?
            .split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().compactMap { Int64($0) }
        #expect(ev.process.vpid == nsPids?.last)
        #expect(ev.process.vpid != nil)
        let me = try #require(getpwuid(geteuid()))
        #expect(ev.user.name == String(cString: me.pointee.pw_name))
        #expect(ev.user.homedir == String(cString: me.pointee.pw_dir))
        #expect(ev.process.capEffective != nil)
        #expect(ev.process.startMillis.map { abs($0 - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000 } == true)
        #expect(ev.process.isExeUpperLayer == false)

        // The process dies without an audited exit: a sweep drops it.
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        a.seconds += 60
        _ = enrich(
            a.event("read", pid: Int64(getpid()), ppid: Int64(getppid()), comm: "x", exe: "/x", args: [0]), with: e)
        #expect(e.statistics.vanished >= 1)
    }
}

/// user.name / group.name come from the container's own /etc/passwd and /etc/group, not the host's.
@Suite(.serialized, .enabled(if: ContainerLab.shared != nil, "needs root and ../shared/lab"))
struct ContainerAccountTests {
    let lab = ContainerLab.shared!

    @Test func aUserOnlyTheContainerKnows() throws {
        let uid: Int64 = 43_210
        #expect(getpwuid(uid_t(uid)) == nil, "the host must not know uid \(uid) for this test to mean anything")
        let id = try lab(
            "run", "vps-users-\(UUID().uuidString.prefix(6).lowercased())", "--style", "containerd", "--", "sleep",
            "600")
        defer { _ = try? lab("rm", id) }
        try lab(
            "exec", id, "--", "sh", "-c",
            "echo 'vigiltest:x:\(uid):\(uid)::/home/vt:/bin/sh' >> /etc/passwd; echo 'vigilgrp:x:\(uid):' >> /etc/group"
        )
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("vps-\(id.prefix(12)).pid").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        try lab("exec", "-d", "-u", "\(uid):\(uid)", "--pid-file", pidFile, id, "--", "sleep", "600")
        let pid = try #require(Int64(LiveProcess.read(pidFile) ?? ""))
        let e = ProcessState.Enricher.live(runtimes: .none)
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        let ppid = try #require(Int64(LiveProcess.read("/proc/\(pid)/stat")?.split(separator: " ")[3] ?? ""))
        let out = enrich(
            a.event(
                "read", pid: pid, ppid: ppid, comm: "sleep", exe: try #require(LiveProcess.exe(pid)), args: [0],
                uid: uid, gid: uid),
            with: e)
        let ev = try #require(out.first)
        #expect(ev.container?.fullID == id)
        #expect(ev.container?.name == nil)  // no runtime state configured: missing, not guessed
        #expect(ev.user.uid == uid)
        #expect(ev.user.name == "vigiltest")
        #expect(ev.user.homedir == "/home/vt")
        #expect(ev.group.name == "vigilgrp")
        #expect(ev.process.capEffective == 0)  // a non-root user without ambient capabilities
    }
}
