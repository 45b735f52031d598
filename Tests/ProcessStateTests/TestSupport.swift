import AuditStream
import Foundation

@testable import ProcessState

/// Builds audit text lines the way the kernel writes them (x86_64), for events of chosen pids.
struct AuditLines {
    static let syscallNumbers: [String: Int] = [
        "read": 0, "write": 1, "open": 2, "close": 3, "dup": 32, "dup2": 33, "socket": 41, "connect": 42,
        "accept": 43, "sendto": 44, "bind": 49, "listen": 50, "clone": 56, "fork": 57, "vfork": 58, "execve": 59,
        "exit": 60, "fcntl": 72, "chdir": 80, "fchdir": 81, "setuid": 105, "exit_group": 231, "openat": 257,
        "dup3": 292, "finit_module": 313, "execveat": 322, "clone3": 435,
    ]

    var seconds: Int64
    var milliseconds = 0
    var serial: UInt32 = 100

    init(seconds: Int64 = 1_700_000_000) { self.seconds = seconds }

    struct Path {
        var name: String
        var mode: String = "0100644"
        var nametype = "NORMAL"
        var inode = 1234
        var dev = "fd:01"
    }

    /// One event's lines (SYSCALL, EXECVE, CWD, PATH…, SOCKADDR, PROCTITLE, EOE).
    mutating func event(
        _ syscall: String, pid: Int64, ppid: Int64, comm: String, exe: String, exit: Int64 = 0, success: Bool? = nil,
        args: [UInt64] = [0, 0, 0, 0], uid: Int64 = 0, gid: Int64 = 0, auid: Int64 = 4_294_967_295,
        tty: String = "(none)",
        argv: [String]? = nil, cwd: String? = nil, paths: [Path] = [], saddr: String? = nil, enriched: String? = nil,
        extra: [String] = []
    ) -> [String] {
        milliseconds += 1
        if milliseconds >= 1000 {
            milliseconds = 0
            seconds += 1
        }
        serial &+= 1
        let ms = String(milliseconds)
        let stamp = "audit(\(seconds).\(String(repeating: "0", count: 3 - ms.count))\(ms):\(serial))"
        let ok = success ?? (exit >= 0)
        let a = (args + [0, 0, 0, 0]).prefix(4).map { String($0, radix: 16) }
        var syscallLine =
            "type=SYSCALL msg=\(stamp): arch=c000003e syscall=\(Self.syscallNumbers[syscall]!) success=\(ok ? "yes" : "no") exit=\(exit) a0=\(a[0]) a1=\(a[1]) a2=\(a[2]) a3=\(a[3]) items=\(paths.count) ppid=\(ppid) pid=\(pid) auid=\(auid) uid=\(uid) gid=\(gid) euid=\(uid) suid=\(uid) fsuid=\(uid) egid=\(gid) sgid=\(gid) fsgid=\(gid) tty=\(tty) ses=4294967295 comm=\(Self.quote(comm)) exe=\(Self.quote(exe)) key=(null)"
        if let enriched { syscallLine += "\u{1d}" + enriched }
        var lines = [syscallLine]
        if let argv {
            lines.append(
                "type=EXECVE msg=\(stamp): argc=\(argv.count) "
                    + argv.enumerated().map { "a\($0.offset)=\(Self.quote($0.element))" }.joined(separator: " "))
        }
        if let cwd { lines.append("type=CWD msg=\(stamp): cwd=\(Self.quote(cwd))") }
        for (i, p) in paths.enumerated() {
            lines.append(
                "type=PATH msg=\(stamp): item=\(i) name=\(Self.quote(p.name)) inode=\(p.inode) dev=\(p.dev) mode=\(p.mode) ouid=0 ogid=0 rdev=00:00 nametype=\(p.nametype) cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"
            )
        }
        if let saddr { lines.append("type=SOCKADDR msg=\(stamp): saddr=\(saddr)") }
        // Other records of the event, given as `TYPE body` (e.g. "BPRM_FCAPS fver=0 …").
        for record in extra {
            let (type, body) = (record.prefix { $0 != " " }, record.drop { $0 != " " }.dropFirst())
            lines.append("type=\(type) msg=\(stamp): \(body)")
        }
        let title = (argv ?? [comm]).joined(separator: "\0")
        lines.append("type=PROCTITLE msg=\(stamp): proctitle=\(Self.hex(title))")
        lines.append("type=EOE msg=\(stamp): ")
        return lines
    }

    /// Quoted when clean, hex otherwise (as audit_log_untrustedstring does).
    static func quote(_ s: String) -> String {
        let clean = s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") }
        return clean ? "\"\(s)\"" : hex(s)
    }

    static func hex(_ s: String) -> String { s.utf8.map { String(format: "%02X", $0) }.joined() }

    /// `saddr=` of an AF_INET address.
    static func inet(_ a: [UInt8], port: UInt16) -> String {
        let bytes: [UInt8] = [2, 0, UInt8(port >> 8), UInt8(port & 0xff)] + a + [0, 0, 0, 0, 0, 0, 0, 0]
        return bytes.map { String(format: "%02X", $0) }.joined()
    }

    /// `saddr=` of an AF_INET6 address.
    static func inet6(_ a: [UInt8], port: UInt16) -> String {
        let bytes: [UInt8] = [10, 0, UInt8(port >> 8), UInt8(port & 0xff), 0, 0, 0, 0] + a + [0, 0, 0, 0]
        return bytes.map { String(format: "%02X", $0) }.joined()
    }
}

/// Runs lines through the real parser, assembler and decoder, then the enricher.
func enrich(_ lines: [String], with enricher: Enricher) -> [EnrichedEvent] {
    let pipeline = AuditStreamPipeline()
    var out: [EnrichedEvent] = []
    let sink: (AuditStreamPipeline.Output) -> Void = {
        if case .event(let e) = $0 { out.append(enricher.enrich(e, EventDecoder.decode(e))) }
    }
    for (i, l) in lines.enumerated() { pipeline.push(line: Array(l.utf8), number: i + 1, emit: sink) }
    pipeline.finish(emit: sink)
    return out
}

extension Optional where Wrapped == ArraySlice<UInt8> {
    var text: String? { self.map { String(decoding: $0, as: UTF8.self) } }
}

extension ArraySlice where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// A temporary directory removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ prefix: String = "vigil-ps") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
