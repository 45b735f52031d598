import AuditStream
import Foundation
import Testing

@testable import ProcessState

/// A recorded log replayed on this machine must not pick up this machine's processes, users or containers, even
/// when the log's pids exist here (LAUREL attaches the replaying host's PID 1 as parent).
struct ReplayTests {
    /// pids that exist on this machine right now, with names that are not the log's.
    let livePid = Int64(getpid())
    let liveParent = Int64(getppid())

    func log() -> [String] {
        var a = AuditLines(seconds: 1_492_752_522)
        var lines: [String] = []
        // The recorded host's init had pid 1 too, but was called "recinit".
        lines += a.event(
            "execve", pid: 1, ppid: 0, comm: "recinit", exe: "/sbin/recinit", argv: ["/sbin/recinit", "--log"])
        lines += a.event("fork", pid: 1, ppid: 0, comm: "recinit", exe: "/sbin/recinit", exit: livePid)
        lines += a.event(
            "execve", pid: livePid, ppid: 1, comm: "uname", exe: "/bin/uname", uid: 1001, gid: 1002, auid: 1001,
            argv: ["uname", "-a"], cwd: "/home/andrew",
            enriched:
                "ARCH=x86_64 SYSCALL=execve AUID=\"andrew\" UID=\"andrew\" GID=\"staff\" EUID=\"andrew\" SUID=\"andrew\" FSUID=\"andrew\" EGID=\"staff\" SGID=\"staff\" FSGID=\"staff\""
        )
        // A process whose parent is not in the log, whose parent pid is a live process here.
        lines += a.event(
            "openat", pid: liveParent, ppid: livePid, comm: "recorded", exe: "/usr/bin/recorded", exit: 3,
            args: [0xffff_ff9c], uid: 4242, gid: 4242, cwd: "/srv", paths: [.init(name: "data.db")])
        return lines
    }

    @Test func replayUsesOnlyTheLog() throws {
        let e = ProcessState.Enricher.replay()
        #expect(!e.isLive)
        let out = enrich(log(), with: e)
        #expect(out.count == 4)
        let uname = out[2]
        #expect(uname.process.pid == livePid)
        #expect(uname.process.cmdline.text == "uname -a")  // not this test runner's command line
        #expect(uname.ancestors.map(\.name.text) == ["recinit"])  // not this machine's pid 1
        #expect(uname.ancestors.first?.cmdline.text == "recinit --log")
        #expect(uname.container == nil)
        #expect(uname.process.capEffective == nil && uname.process.isExeUpperLayer == nil)
        // Names only from what auditd recorded on the recording host.
        #expect(uname.user.name == "andrew" && uname.group.name == "staff" && uname.user.loginName == "andrew")

        let other = out[3]
        #expect(other.process.name.text == "recorded")
        #expect(other.process.argv == nil)  // unknown: never read from /proc/\(liveParent)/cmdline
        // Its parent pid is in the log (the uname), so that is the ancestry — never this machine's process tree.
        #expect(other.ancestors.map(\.name.text) == ["uname", "recinit"])
        #expect(other.user.uid == 4242 && other.user.name == nil && other.group.name == nil)
        #expect(other.fd?.name.text == "/srv/data.db")
        #expect(
            e.statistics.readFromProc == 0 && e.statistics.containerLookups == 0
                && e.statistics.accountDatabaseLoads == 0)
    }

    /// The same log through a live enricher does read this machine: the replay assertions above can fail.
    @Test func theSameLogLiveWouldReadThisMachine() throws {
        let e = ProcessState.Enricher(mode: .live(.init(runtimes: .none, seed: false)))
        var a = AuditLines(seconds: Int64(Date().timeIntervalSince1970))
        let out = enrich(
            a.event(
                "openat", pid: livePid, ppid: liveParent, comm: "recorded", exe: "/usr/bin/recorded", exit: 3,
                args: [0xffff_ff9c], cwd: "/srv", paths: [.init(name: "data.db")]), with: e)
        let ev = try #require(out.first)
        let realParent = try String(contentsOfFile: "/proc/\(liveParent)/comm", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ev.ancestors.first?.name.text == realParent)
        #expect(ev.process.argv != nil)
        #expect(ev.container != nil)
        #expect(e.statistics.readFromProc > 0)
    }
}
