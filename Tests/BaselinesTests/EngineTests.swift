import Foundation
import ProcessState
import Testing
import VigilTestSupport

@testable import Baselines

#if canImport(Glibc)
import Glibc
#endif

/// The engine on events from the real parser, decoder and enricher: what it learns, when it switches, what it
/// reports and what it does not.
struct EngineTests {
    static func settings(learning: Int64 = 10_000, quiet: Int64 = 5_000) -> BaselineSettings {
        var s = BaselineSettings()
        s.learningMillis = learning
        s.quietMillis = quiet
        return s
    }

    static func run(_ engine: BaselineEngine, _ events: [EnrichedEvent], at now: Int64) -> [Deviation] {
        var out: [Deviation] = []
        for e in events { engine.observe(e, nowMillis: now) { out.append($0) } }
        return out
    }

    @Test func learnsTheDimensionsOfAWorkload() throws {
        var t = TestEvents()
        let c = TestEvents.container(id: TestEvents.idA, image: "registry.local/web:1.4")
        let engine = try BaselineEngine(settings: Self.settings(), store: nil)
        #expect(Self.run(engine, t.enrich(t.workload(), container: c), at: 1_000).isEmpty)
        let p = try #require(engine.profiles[ProfileKey(kind: .image, name: "registry.local/web:1.4")])
        #expect(p.mode == .learning)
        #expect(Set(p.items[Dimension.process.index]) == ["/bin/cat <- /bin/busybox"])
        #expect(Set(p.items[Dimension.file.index]) == ["x /bin/sh", "x /bin/cat", "r /etc/app.conf", "r /proc/*/status", "w /tmp/*/out.json"])
        #expect(Set(p.items[Dimension.network.index]) == ["socket inet", "connect inet 10.0.0.5:8080"])
        #expect(Set(p.items[Dimension.syscall.index]) == ["x86_64 execve", "x86_64 openat", "x86_64 socket", "x86_64 connect"])
        #expect(p.items[Dimension.user.index] == ["uid 0"])
    }

    /// Replicas (another container of the same image) share the profile; an unknown image falls back to the id.
    @Test func profilesAreKeyedByImageThenContainer() throws {
        var t = TestEvents()
        let engine = try BaselineEngine(settings: Self.settings(), store: nil)
        _ = Self.run(engine, t.enrich(t.workload(), container: TestEvents.container(id: TestEvents.idA, image: "web:1")), at: 0)
        _ = Self.run(engine, t.enrich(t.workload(pid: 200), container: TestEvents.container(id: TestEvents.idB, image: "docker.io/library/web:1")), at: 0)
        _ = Self.run(engine, t.enrich(t.workload(pid: 300), container: TestEvents.container(id: TestEvents.idC, image: nil)), at: 0)
        _ = Self.run(engine, t.enrich(t.workload(pid: 400), container: ContainerView(identity: .host, metadata: nil)), at: 0)
        #expect(Set(engine.profiles.keys.map(\.description)) == ["web:1", "container:" + TestEvents.idC])
        #expect(engine.profiles[ProfileKey(parsing: "web:1")]?.events == 14)
    }

    /// A container's first events come before the runtime has written its metadata: what was learned under its
    /// id moves into the image's profile once the image is known.
    @Test func aContainerProfileIsAdoptedByItsImage() throws {
        var t = TestEvents()
        let engine = try BaselineEngine(settings: Self.settings(), store: nil)
        _ = Self.run(engine, t.enrich(t.workload(), container: TestEvents.container(id: TestEvents.idA, image: nil)), at: 0)
        #expect(engine.profiles.keys.map(\.description) == ["container:" + TestEvents.idA])
        _ = Self.run(engine, t.enrich(t.lines("openat", pid: 100, exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [.init(name: "/etc/late")]),
            container: TestEvents.container(id: TestEvents.idA, image: "web:1")), at: 100)
        #expect(engine.profiles.keys.map(\.description) == ["web:1"])
        let p = try #require(engine.profiles[ProfileKey(parsing: "web:1")])
        #expect(p.contains(.process, "/bin/cat <- /bin/busybox"))
        #expect(p.contains(.file, "r /etc/late"))
        #expect(p.events == 8)
    }

    @Test func switchesToMonitoringAfterLearningAndQuietThenReportsOnlyNewBehaviour() throws {
        var t = TestEvents()
        let c = TestEvents.container(id: TestEvents.idA, image: "web:1")
        let engine = try BaselineEngine(settings: Self.settings(learning: 10_000, quiet: 5_000), store: nil)
        _ = Self.run(engine, t.enrich(t.workload(), container: c), at: 0)
        let key = ProfileKey(parsing: "web:1")
        engine.tick(nowMillis: 9_000)  // learning time not over
        #expect(engine.profiles[key]?.mode == .learning)
        _ = Self.run(engine, t.enrich(t.lines("openat", pid: 101, ppid: 100, exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [.init(name: "/etc/hosts")]), container: c), at: 8_000)
        engine.tick(nowMillis: 12_000)  // grown at 8 s: not quiet for 5 s yet
        #expect(engine.profiles[key]?.mode == .learning)
        engine.tick(nowMillis: 13_000)
        #expect(engine.profiles[key]?.mode == .monitoring)

        // The same workload again, with other pids and another temp dir: nothing.
        #expect(Self.run(engine, t.enrich(t.workload(pid: 500, tempName: "tmp.Zz98Qq"), container: c), at: 14_000).isEmpty)

        // A new binary, a write to a new directory, a new port, a new syscall: exactly those.
        var l = t.lines("execve", pid: 600, ppid: 500, comm: "nc", exe: "/bin/busybox", argv: ["nc", "x"], paths: [.init(name: "/bin/nc")])
        l += t.lines("mkdir", pid: 600, ppid: 500, comm: "nc", exe: "/bin/busybox", paths: [.init(name: "/data/", nametype: "PARENT"), .init(name: "/data/new", nametype: "CREATE")])
        l += t.lines("connect", pid: 600, ppid: 500, comm: "nc", exe: "/bin/busybox", exit: -111, args: [5, 0, 16, 0], saddr: TestEvents.inet([10, 0, 0, 5], port: 9999))
        let deviations = Self.run(engine, t.enrich(l, container: c), at: 15_000)
        #expect(deviations.map(\.rule) == [
            "Unexpected process in container", "Unexpected syscall", "Unexpected file write", "Unexpected outbound connection",
        ])
        #expect(deviations.map(\.item) == ["/bin/nc <- /bin/busybox", "x86_64 mkdir", "w /data/new", "connect inet 10.0.0.5:9999"])
        let connect = deviations[3]
        #expect(connect.nearest.first == "connect inet 10.0.0.5:8080")
        #expect(connect.event.process.pid == 600)
        #expect(connect.acceptCommand == "vigil baseline accept web:1 network 'connect inet 10.0.0.5:9999'")
    }

    @Test func repeatsAreFoldedWithinTheWindow() throws {
        var t = TestEvents()
        let c = TestEvents.container(id: TestEvents.idA, image: "web:1")
        var s = Self.settings()
        s.repeatWindowMillis = 60_000
        let engine = try BaselineEngine(settings: s, store: nil)
        _ = Self.run(engine, t.enrich(t.workload(), container: c), at: 0)
        engine.setMode(ProfileKey(parsing: "web:1"), .monitoring, nowMillis: 0)
        func write(_ pid: Int64, _ at: Int64) -> [Deviation] {
            Self.run(engine, t.enrich(t.lines("openat", pid: pid, ppid: 100, exit: 3, args: [0xffffff9c, 0, 0o101, 0], paths: [.init(name: "/srv/x")]), container: c), at: at)
        }
        #expect(write(700, 1_000).count == 1)
        for i in 0..<50 { #expect(write(701 + Int64(i), 2_000).isEmpty) }
        #expect(engine.statistics.repeatsSuppressed == 50)
        let later = write(800, 70_000)
        #expect(later.count == 1)
        #expect(later.first?.repeats == 50)
    }

    @Test func capsStopGrowthAndAreCounted() throws {
        var t = TestEvents()
        let c = TestEvents.container(id: TestEvents.idA, image: "web:1")
        var s = Self.settings()
        s.maxItemsPerDimension = 10
        let engine = try BaselineEngine(settings: s, store: nil)
        var l: [String] = []
        for i in 0..<40 {
            l += t.lines("openat", pid: 100, exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [.init(name: "/srv/file-\(["a", "b", "c", "d", "e"][i % 5])\(String(repeating: "z", count: i / 5))")])
        }
        _ = Self.run(engine, t.enrich(l, container: c), at: 0)
        let p = try #require(engine.profiles[ProfileKey(parsing: "web:1")])
        #expect(p.items[Dimension.file.index].count == 10)
        #expect(p.dropped[Dimension.file.index] == 30)
        #expect(engine.statistics.dropped[Dimension.file.index] == 30)
        // Other dimensions still learn.
        #expect(p.items[Dimension.syscall.index] == ["x86_64 openat"])

        var few = Self.settings()
        few.maxProfiles = 1
        let one = try BaselineEngine(settings: few, store: nil)
        _ = Self.run(one, t.enrich(t.workload(), container: c), at: 0)
        _ = Self.run(one, t.enrich(t.workload(pid: 300), container: TestEvents.container(id: TestEvents.idB, image: "other:2")), at: 0)
        #expect(one.profiles.count == 1)
        #expect(one.statistics.profilesRefused == 7)
    }

    /// An engine that learned the web workload of image web:1 and now protects it with `action`.
    static func protected(_ action: ProtectAction) throws -> (BaselineEngine, TestEvents, ContainerView) {
        var t = TestEvents()
        let c = TestEvents.container(id: TestEvents.idA, image: "web:1")
        var s = Self.settings()
        s.protect["web:1"] = action
        let engine = try BaselineEngine(settings: s, store: nil)
        _ = Self.run(engine, t.enrich(t.workload(), container: c), at: 0)
        engine.setMode(ProfileKey(parsing: "web:1"), .protect, nowMillis: 0)
        return (engine, t, c)
    }

    /// The deviation the protect tests provoke: a write below /etc/cron.d, never learned.
    static func cronWrite(_ t: inout TestEvents, pid: Int64, comm: String, container: ContainerView) -> [EnrichedEvent] {
        t.enrich(t.lines("openat", pid: pid, ppid: 100, comm: comm, exit: 3, args: [0xffffff9c, 0, 0o101, 0], paths: [.init(name: "/etc/cron.d/x")]), container: container)
    }

    /// Protect mode with `kill`: the process that deviates (a real one) is killed, and the alert says so.
    @Test func protectKillsTheDeviatingProcess() throws {
        var (engine, t, c) = try Self.protected(.kill)

        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/bin/sleep")
        victim.arguments = ["30"]
        try victim.run()
        let pid = Int64(victim.processIdentifier)
        let d = Self.run(engine, Self.cronWrite(&t, pid: pid, comm: "sleep", container: c), at: 1_000)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal)
        #expect(victim.terminationStatus == SIGKILL)
        #expect(d.count == 1)
        #expect(d.first?.action == "kill pid \(pid): ok")
        #expect(engine.statistics.protectActions == 1)
    }

    /// Protect mode with `freeze`: the deviating process's cgroup is frozen — a real cgroup made for the test
    /// (the v1 freezer where this machine mounts it, else a cgroup v2 directory), with a real process in it.
    @Test func protectFreezesTheDeviatingProcessCgroup() throws {
        let name = "vigil-test-freeze-\(getpid())"
        let v1 = "/sys/fs/cgroup/freezer"
        let v2 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified"
        let useV1 = FileManager.default.fileExists(atPath: v1 + "/freezer.state") || FileManager.default.fileExists(atPath: v1 + "/tasks")
        let dir = (useV1 ? v1 : v2) + "/" + name
        try #require(mkdir(dir, 0o755) == 0 || errno == EEXIST, "cannot make \(dir): \(String(cString: strerror(errno)))")
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/bin/sleep")
        victim.arguments = ["30"]
        try victim.run()
        let pid = victim.processIdentifier
        defer {
            // Thaw, end the process, remove the cgroup (it must be empty to go).
            try? (useV1 ? "THAWED" : "0").write(toFile: dir + (useV1 ? "/freezer.state" : "/cgroup.freeze"), atomically: false, encoding: .utf8)
            kill(pid, SIGKILL)
            victim.waitUntilExit()
            rmdir(dir)
        }
        try "\(pid)".write(toFile: dir + "/cgroup.procs", atomically: false, encoding: .utf8)

        var (engine, t, c) = try Self.protected(.freeze)
        let d = Self.run(engine, Self.cronWrite(&t, pid: Int64(pid), comm: "sleep", container: c), at: 1_000)
        #expect(d.count == 1)
        #expect(d.first?.action == "freeze \(dir)/\(useV1 ? "freezer.state" : "cgroup.freeze"): ok", "\(d.first?.action ?? "no action")")
        let frozen = eventually(5) {
            if useV1 { return (try? String(contentsOfFile: dir + "/freezer.state", encoding: .utf8))?.hasPrefix("FROZEN") == true }
            return (try? String(contentsOfFile: dir + "/cgroup.events", encoding: .utf8))?.contains("frozen 1") == true
        }
        #expect(frozen, "the cgroup froze")
        #expect(victim.isRunning, "frozen, not killed")
        #expect(engine.statistics.protectActions == 1)
    }

    /// Protect mode with `command`: the operator's program runs with the deviation in its environment.
    @Test func protectRunsTheCommandWithTheDeviation() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-protect-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { unlink(out) }
        var (engine, t, c) = try Self.protected(.command(["/bin/sh", "-c", "echo \"$VIGIL_PID|$VIGIL_BASELINE_DIMENSION|$VIGIL_BASELINE_ITEM|$VIGIL_CONTAINER_ID|$VIGIL_BASELINE_PROFILE\" > \(out)"]))
        let d = Self.run(engine, Self.cronWrite(&t, pid: 4321, comm: "sh", container: c), at: 1_000)
        #expect(d.first?.action == "command /bin/sh: started")
        #expect(eventually(10) { FileManager.default.fileExists(atPath: out) && ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").hasSuffix("\n") })
        let line = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(fields.count == 5, "\(line)")
        #expect(fields.first == "4321")
        #expect(fields.dropFirst().first == d.first?.dimension.rawValue)
        #expect(fields.count == 5 && fields[2] == d.first?.item && fields[3] == TestEvents.idA && fields[4] == "web:1", "\(line)")
    }

    /// runc's own init in the container (before it execs the workload) is the runtime, not the workload.
    @Test func theRuntimesInitIsNotTheWorkload() throws {
        var t = TestEvents()
        let engine = try BaselineEngine(settings: Self.settings(), store: nil)
        let c = TestEvents.container(id: TestEvents.idA, image: "web:1")
        let runc = t.enrich(t.lines("setuid", pid: 77, comm: "runc:[2:INIT]", exe: "/usr/sbin/runc")
            + t.lines("openat", pid: 77, comm: "runc:[2:INIT]", exe: "/usr/sbin/runc", exit: 3, args: [0xffffff9c, 0, 0o101, 0], paths: [.init(name: "/proc/self/attr/x")]), container: c)
        _ = Self.run(engine, runc, at: 0)
        let p = try #require(engine.profiles[ProfileKey(parsing: "web:1")])
        // Only its syscalls are learned (for seccomp export)…
        #expect(p.items[Dimension.syscall.index] == ["x86_64 setuid", "x86_64 openat"])
        #expect(p.itemCount == 2)
        #expect(engine.statistics.runtimeEvents == 2)
        // …and in monitoring it never alerts.
        engine.setMode(p.key, .monitoring, nowMillis: 0)
        let later = t.enrich(t.lines("ptrace", pid: 78, comm: "runc:[1:CHILD]", exe: "/usr/sbin/runc"), container: c)
        #expect(Self.run(engine, later, at: 1).isEmpty)
    }

    /// A real host process in a real cgroup named like a systemd unit (this machine's pid 1 is not systemd, so the
    /// cgroup is made by the test where systemd would make it: the named systemd hierarchy, else the v2 tree).
    @Test func hostProcessInAServiceCgroupIsProfiledAsItsUnit() throws {
        let unit = "vigil-test-\(getpid()).service"
        let v1 = "/sys/fs/cgroup/systemd"
        let base = FileManager.default.fileExists(atPath: v1 + "/cgroup.procs") ? v1
            : FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified"
        let dir = base + "/" + unit
        try #require(mkdir(dir, 0o755) == 0 || errno == EEXIST, "cannot make \(dir): \(String(cString: strerror(errno)))")
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/bin/sleep")
        daemon.arguments = ["30"]
        try daemon.run()
        let pid = Int64(daemon.processIdentifier)
        defer {
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            rmdir(dir)
        }
        try "\(pid)".write(toFile: dir + "/cgroup.procs", atomically: false, encoding: .utf8)

        var t = TestEvents()
        var s = Self.settings()
        s.hostUnits = true
        let engine = try BaselineEngine(settings: s, store: nil)
        let host = ContainerView(identity: .host, metadata: nil)
        _ = Self.run(engine, t.enrich(t.lines("openat", pid: pid, ppid: 1, comm: "sleep", exe: "/usr/bin/sleep", exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [.init(name: "/etc/app.conf")]), container: host), at: 0)
        let profile = try #require(engine.profiles[ProfileKey(kind: .unit, name: unit)], "\(engine.profiles.keys)")
        #expect(profile.items[Dimension.file.index].contains { $0.hasSuffix("/etc/app.conf") })
        // Host processes outside any service (this test runner) are not profiled.
        _ = Self.run(engine, t.enrich(t.lines("openat", pid: Int64(getpid()), ppid: 1, comm: "xctest", exe: "/usr/bin/xctest", exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [.init(name: "/etc/other.conf")]), container: host), at: 0)
        #expect(engine.profiles.count == 1)
    }

    @Test func unitOfAHostProcessComesFromItsSystemdCgroup() {
        #expect(UnitResolver.unit(inCgroupFile: "12:pids:/system.slice/nginx.service\n1:name=systemd:/system.slice/nginx.service\n0::/system.slice/nginx.service\n") == "nginx.service")
        #expect(UnitResolver.unit(inCgroupFile: "0::/system.slice/cron.service\n") == "cron.service")
        #expect(UnitResolver.unit(inCgroupFile: "0::/user.slice/user-0.slice/session-3.scope\n") == nil)
    }
}
