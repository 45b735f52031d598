import AuditStream
import Foundation

@testable import ProcessState

/// Audit lines as the kernel writes them (x86_64), run through the real parser, assembler, decoder and a replay
/// enricher. A replay has no containers, so the events are then attributed to a container the test names (what
/// the live enricher reads from /proc/PID/cgroup and the runtime's metadata).
struct TestEvents {
    static let numbers: [String: Int] = [
        "read": 0, "write": 1, "open": 2, "close": 3, "socket": 41, "connect": 42, "sendto": 44, "bind": 49,
        "clone": 56, "execve": 59, "mkdir": 83, "unlink": 87, "setuid": 105, "openat": 257, "ptrace": 101,
    ]

    var seconds: Int64 = 1_700_000_000
    var milliseconds = 0
    var serial: UInt32 = 100
    let enricher = Enricher.replay()

    struct Path {
        var name: String
        var nametype = "NORMAL"
    }

    /// The lines of one event.
    mutating func lines(
        _ syscall: String, pid: Int64, ppid: Int64 = 1, comm: String = "app", exe: String = "/usr/bin/app",
        exit: Int64 = 0, args: [UInt64] = [0, 0, 0, 0], uid: Int64 = 0, argv: [String]? = nil, cwd: String = "/",
        paths: [Path] = [], saddr: String? = nil
    ) -> [String] {
        milliseconds += 1
        if milliseconds >= 1000 {
            milliseconds = 0
            seconds += 1
        }
        serial &+= 1
        let stamp = "audit(\(seconds).\(String(format: "%03d", milliseconds)):\(serial))"
        let a = (args + [0, 0, 0, 0]).prefix(4).map { String($0, radix: 16) }
        var out = [
            "type=SYSCALL msg=\(stamp): arch=c000003e syscall=\(Self.numbers[syscall]!) success=\(exit >= 0 ? "yes" : "no") exit=\(exit) a0=\(a[0]) a1=\(a[1]) a2=\(a[2]) a3=\(a[3]) items=\(paths.count) ppid=\(ppid) pid=\(pid) auid=4294967295 uid=\(uid) gid=0 euid=\(uid) suid=\(uid) fsuid=\(uid) egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"\(comm)\" exe=\"\(exe)\" key=(null)"
        ]
        if let argv {
            out.append("type=EXECVE msg=\(stamp): argc=\(argv.count) " + argv.enumerated().map { "a\($0.offset)=\"\($0.element)\"" }.joined(separator: " "))
        }
        out.append("type=CWD msg=\(stamp): cwd=\"\(cwd)\"")
        for (i, p) in paths.enumerated() {
            out.append("type=PATH msg=\(stamp): item=\(i) name=\(Self.quote(p.name)) inode=\(1000 + i) dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=\(p.nametype) cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0")
        }
        if let saddr { out.append("type=SOCKADDR msg=\(stamp): saddr=\(saddr)") }
        out.append("type=EOE msg=\(stamp): ")
        return out
    }

    static func quote(_ s: String) -> String {
        let clean = s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") }
        return clean ? "\"\(s)\"" : s.utf8.map { String(format: "%02X", $0) }.joined()
    }

    static func inet(_ a: [UInt8], port: UInt16) -> String {
        ([2, 0, UInt8(port >> 8), UInt8(port & 0xff)] + a + [0, 0, 0, 0, 0, 0, 0, 0]).map { String(format: "%02X", $0) }.joined()
    }

    /// Enriches lines and attributes every event to `container` (nil: the host).
    func enrich(_ lines: [String], container: ContainerView?) -> [EnrichedEvent] {
        let pipeline = AuditStreamPipeline()
        var out: [EnrichedEvent] = []
        let sink: (AuditStreamPipeline.Output) -> Void = {
            if case .event(let e) = $0 {
                out.append(enricher.enrich(e, EventDecoder.decode(e)).attributed(to: container))
            }
        }
        for (i, l) in lines.enumerated() { pipeline.push(line: Array(l.utf8), number: i + 1, emit: sink) }
        pipeline.finish(emit: sink)
        return out
    }

    static func container(id: String, image: String?) -> ContainerView {
        var m = ContainerMetadata(runtime: .docker)
        m.image = image
        m.name = "c-" + id.prefix(6)
        return ContainerView(identity: ContainerIdentity(runtime: .docker, fullID: id), metadata: image == nil ? nil : m)
    }

    static let idA = String(repeating: "a1", count: 32)
    static let idB = String(repeating: "b2", count: 32)
    static let idC = String(repeating: "c3", count: 32)

    /// A small web workload: a shell (pid 100, parent 50 = the runtime) runs cat and wget, reads its config,
    /// writes a temp file, connects to its backend.
    mutating func workload(pid: Int64 = 100, tempName: String = "tmp.Ab12Cd") -> [String] {
        var l: [String] = []
        l += lines("execve", pid: pid, ppid: 50, comm: "sh", exe: "/bin/busybox", argv: ["sh", "-c", "run"], paths: [Path(name: "/bin/sh")])
        l += lines("execve", pid: pid + 1, ppid: pid, comm: "cat", exe: "/bin/busybox", argv: ["cat", "/etc/app.conf"], paths: [Path(name: "/bin/cat")])
        l += lines("openat", pid: pid + 1, ppid: pid, comm: "cat", exe: "/bin/busybox", exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [Path(name: "/etc/app.conf")])
        l += lines("openat", pid: pid + 1, ppid: pid, comm: "cat", exe: "/bin/busybox", exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [Path(name: "/proc/\(pid + 1)/status")])
        l += lines("openat", pid: pid, ppid: 50, comm: "sh", exe: "/bin/busybox", exit: 4, args: [0xffffff9c, 0, 0o1101, 0], paths: [Path(name: "/tmp/\(tempName)/out.json", nametype: "CREATE")])
        l += lines("socket", pid: pid, ppid: 50, comm: "sh", exe: "/bin/busybox", exit: 5, args: [2, 1, 0, 0])
        l += lines("connect", pid: pid, ppid: 50, comm: "sh", exe: "/bin/busybox", exit: -111, args: [5, 0, 16, 0], saddr: Self.inet([10, 0, 0, 5], port: 8080))
        return l
    }
}
