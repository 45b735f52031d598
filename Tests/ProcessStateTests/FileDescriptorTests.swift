import AuditStream
import Testing

@testable import ProcessState

/// The fd view from PATH, CWD, dirfds, SOCKADDR and the fd table (replay mode).
struct FileDescriptorTests {
    let pid: Int64 = 5_100_000
    let ppid: Int64 = 5_099_999

    func run(_ build: (inout AuditLines) -> [String]) -> [EnrichedEvent] {
        var a = AuditLines()
        return enrich(build(&a), with: ProcessState.Enricher.replay())
    }

    @Test func openatRelativeToTheCWD() throws {
        let out = run { a in
            a.event(
                "openat", pid: pid, ppid: ppid, comm: "cat", exe: "/usr/bin/cat", exit: 3,
                args: [0xffff_ff9c, 0x7ffd, 0],
                cwd: "/root", paths: [.init(name: "../etc/./shadow", inode: 786, dev: "fd:01")])
        }
        let fd = try #require(out.first?.fd)
        #expect(fd.number == 3)
        #expect(fd.typechar == "f")
        #expect(fd.name.text == "/etc/shadow")
        #expect(fd.nameRaw.text == "../etc/./shadow")
        #expect(fd.directory.text == "/etc")
        #expect(fd.filename.text == "shadow")
        #expect(fd.inode == 786)
        #expect(fd.dev == UInt32(0xfd << 20 | 1))
        #expect(out.first?.paths.first?.name.text == "/etc/shadow")
    }

    @Test func openatRelativeToARealDirfd() throws {
        let out = run { a in
            a.event(
                "openat", pid: pid, ppid: ppid, comm: "find", exe: "/usr/bin/find", exit: 5,
                args: [0xffff_ff9c, 0, 0x10000],
                cwd: "/", paths: [.init(name: "/var/lib", mode: "040755")])
                + a.event(
                    "openat", pid: pid, ppid: ppid, comm: "find", exe: "/usr/bin/find", exit: 6, args: [5, 0, 0],
                    cwd: "/", paths: [.init(name: "dpkg/status")])
                + a.event(
                    "openat", pid: pid, ppid: ppid, comm: "find", exe: "/usr/bin/find", exit: 7, args: [9, 0, 0],
                    cwd: "/", paths: [.init(name: "unknown/dirfd")])
        }
        #expect(out[0].fd?.typechar == "d")
        #expect(out[1].fd?.name.text == "/var/lib/dpkg/status")
        // fd 9 was never seen: the name stays missing, not resolved against the CWD.
        #expect(out[2].fd?.name == nil)
        #expect(out[2].fd?.nameRaw.text == "unknown/dirfd")
    }

    @Test func socketThenConnectThenDupToStdin() throws {
        let out = run { a in
            a.event("socket", pid: pid, ppid: ppid, comm: "bash", exe: "/usr/bin/bash", exit: 3, args: [2, 1, 6])
                + a.event(
                    "connect", pid: pid, ppid: ppid, comm: "bash", exe: "/usr/bin/bash", exit: 0, args: [3],
                    saddr: AuditLines.inet([10, 0, 0, 9], port: 4444))
                + a.event("dup2", pid: pid, ppid: ppid, comm: "bash", exe: "/usr/bin/bash", exit: 0, args: [3, 0])
                + a.event("read", pid: pid, ppid: ppid, comm: "bash", exe: "/usr/bin/bash", exit: 10, args: [0])
                + a.event("close", pid: pid, ppid: ppid, comm: "bash", exe: "/usr/bin/bash", exit: 0, args: [3])
                + a.event("read", pid: pid, ppid: ppid, comm: "bash", exe: "/usr/bin/bash", exit: 10, args: [3])
        }
        #expect(out[0].fd?.typechar == "4" && out[0].fd?.l4proto == "tcp" && out[0].fd?.number == 3)
        let c = try #require(out[1].fd)
        #expect(c.sip == "10.0.0.9" && c.sport == 4444 && c.rip == "10.0.0.9" && c.rport == 4444)
        #expect(c.l4proto == "tcp" && c.typechar == "4" && c.isServer == false)
        #expect(c.name == nil)  // the local end is not in audit
        let dup = try #require(out[2].fd)  // dup*: the *old* fd
        #expect(dup.number == 3 && dup.type == .ipv4 && dup.rip == "10.0.0.9")
        #expect(out[3].fd?.type == .ipv4)  // fd 0 is now the socket
        #expect(out[4].fd?.type == .ipv4)
        #expect(out[5].fd == nil)  // closed
    }

    @Test func bindAcceptAndUnixConnect() throws {
        let loopback6: [UInt8] = Array(repeating: 0, count: 15) + [1]
        let unix = ([1, 0] + Array("/run/docker.sock".utf8) + [0, 0]).map { String(format: "%02X", $0) }.joined()
        let out = run { a in
            a.event("socket", pid: pid, ppid: ppid, comm: "srv", exe: "/srv", exit: 4, args: [10, 0x80001, 0])
                + a.event(
                    "bind", pid: pid, ppid: ppid, comm: "srv", exe: "/srv", exit: 0, args: [4],
                    saddr: AuditLines.inet6(loopback6, port: 8080))
                + a.event(
                    "accept", pid: pid, ppid: ppid, comm: "srv", exe: "/srv", exit: 5, args: [4],
                    saddr: AuditLines.inet6(loopback6, port: 54321))
                + a.event("connect", pid: pid, ppid: ppid, comm: "srv", exe: "/srv", exit: 0, args: [6], saddr: unix)
        }
        #expect(out[0].fd?.typechar == "6")
        #expect(out[1].fd?.sip == "::1" && out[1].fd?.sport == 8080 && out[1].fd?.isServer == true)
        let acc = try #require(out[2].fd)
        #expect(acc.number == 5)
        #expect(acc.sport == 8080 && acc.cip == "::1" && acc.cport == 54321)
        #expect(acc.name.text == "[::1]:54321->[::1]:8080")
        #expect(out[3].fd?.typechar == "u" && out[3].fd?.name.text == "/run/docker.sock")
    }

    @Test func chdirMovesTheCwdOfLaterEvents() throws {
        let out = run { a in
            a.event(
                "chdir", pid: pid, ppid: ppid, comm: "sh", exe: "/bin/sh", exit: 0, cwd: "/",
                paths: [.init(name: "tmp", mode: "041777")])
                + a.event("read", pid: pid, ppid: ppid, comm: "sh", exe: "/bin/sh", exit: 0, args: [0])
        }
        #expect(out[1].process.cwd.text == "/tmp")
    }
}
