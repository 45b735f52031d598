import AuditStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads of the live /proc. Only the live `Enricher` holds one: a replaying enricher has no `ProcFS` at all, so no
/// code path of replay can read the replaying machine's processes (LAUREL's replay hazard).
public struct ProcFS: Sendable {
    /// Normally "/proc"; tests may point it at a directory laid out like /proc.
    public var root: String
    /// Clock ticks per second of `starttime` (sysconf(_SC_CLK_TCK)).
    let ticksPerSecond: Int64
    /// Boot time (epoch seconds) from /proc/stat `btime`.
    let bootTimeSeconds: Int64?

    public init(root: String = "/proc") {
        self.root = root
        let t = Int64(sysconf(Int32(_SC_CLK_TCK)))
        ticksPerSecond = t > 0 ? t : 100
        var btime: Int64? = nil
        if let s = SystemFile.read(root + "/stat", limit: 1 << 20) {
            for line in s.split(separator: 10) where line.starts(with: Array("btime ".utf8)) {
                btime = Number.decimal(line.dropFirst(6))
            }
        }
        bootTimeSeconds = btime
    }

    func path(_ pid: Int64, _ leaf: String) -> String { "\(root)/\(pid)/\(leaf)" }

    /// `/proc/PID/stat` fields the table needs.
    struct Stat: Sendable {
        var ppid: Int64
        var comm: [UInt8]
        var ttyNumber: UInt32
        var startTicks: UInt64
    }

    func stat(_ pid: Int64) -> Stat? {
        guard let b = SystemFile.read(path(pid, "stat"), limit: 4096) else { return nil }
        return Self.parseStat(b)
    }

    /// `pid (comm) state ppid pgrp session tty_nr … starttime(22) …`; comm may itself contain `) `, so the
    /// fields start after the *last* `)`.
    static func parseStat(_ b: [UInt8]) -> Stat? {
        guard let open = b.firstIndex(of: UInt8(ascii: "(")), let close = b.lastIndex(of: UInt8(ascii: ")")),
            open < close
        else { return nil }
        let comm = Array(b[(open + 1)..<close])
        let rest = b[(close + 1)...].split(separator: UInt8(ascii: " "))
        // rest[0] = state (field 3), rest[1] = ppid (4), rest[4] = tty_nr (7), rest[19] = starttime (22)
        guard rest.count > 19, let ppid = Number.decimal(rest[1]), let tty = Number.decimal(rest[4]),
            let start = Number.decimal(rest[19])
        else { return nil }
        return Stat(
            ppid: ppid, comm: comm, ttyNumber: UInt32(truncatingIfNeeded: tty), startTicks: UInt64(max(0, start)))
    }

    /// Epoch milliseconds of a process start (`btime` has one-second resolution, so this does too, at best).
    func startMillis(ticks: UInt64) -> Int64? {
        guard let bootTimeSeconds else { return nil }
        return bootTimeSeconds * 1000 + Int64(ticks) * 1000 / ticksPerSecond
    }

    /// argv from /proc/PID/cmdline (NUL-separated); nil for kernel threads and vanished processes.
    func cmdline(_ pid: Int64) -> [Bytes]? {
        guard let b = SystemFile.read(path(pid, "cmdline"), limit: 64 << 10), !b.isEmpty else { return nil }
        var parts = b.split(separator: 0, omittingEmptySubsequences: false).map { Bytes(Array($0)) }
        if b.last == 0 { parts.removeLast() }
        return parts
    }

    func exe(_ pid: Int64) -> [UInt8]? { SystemFile.readLink(path(pid, "exe")) }
    func cwd(_ pid: Int64) -> [UInt8]? { SystemFile.readLink(path(pid, "cwd")) }
    func cgroup(_ pid: Int64) -> [UInt8]? { SystemFile.read(path(pid, "cgroup"), limit: 64 << 10) }
    func mountinfo(_ pid: Int64) -> [UInt8]? { SystemFile.read(path(pid, "mountinfo"), limit: 4 << 20) }
    func fdLink(_ pid: Int64, _ fd: Int64) -> [UInt8]? { SystemFile.readLink(path(pid, "fd/\(fd)")) }
    func namespace(_ pid: Int64, _ ns: String) -> [UInt8]? { SystemFile.readLink(path(pid, "ns/\(ns)")) }
    /// The directory the process sees as `/` (follows the magic link).
    func rootPath(_ pid: Int64) -> String { path(pid, "root") }

    /// `/proc/PID/status` fields: capabilities and ids.
    struct Status: Sendable {
        var capEffective: UInt64?
        var capPermitted: UInt64?
        var uids: [Int64] = []
        var gids: [Int64] = []
        /// `NSpid`: the pid in each pid namespace from the host's down; the last is the process's own view.
        var nsPids: [Int64] = []
    }

    func status(_ pid: Int64) -> Status? {
        guard let b = SystemFile.read(path(pid, "status"), limit: 16 << 10) else { return nil }
        var s = Status()
        for line in b.split(separator: 10) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = line[line.startIndex..<colon]
            let value = line[(colon + 1)...].drop { $0 == 9 || $0 == 32 }
            switch String(decoding: name, as: UTF8.self) {
            case "CapEff": s.capEffective = Number.hex(value)
            case "CapPrm": s.capPermitted = Number.hex(value)
            case "Uid": s.uids = value.split { $0 == 9 || $0 == 32 }.compactMap { Number.decimal($0) }
            case "Gid": s.gids = value.split { $0 == 9 || $0 == 32 }.compactMap { Number.decimal($0) }
            case "NSpid": s.nsPids = value.split { $0 == 9 || $0 == 32 }.compactMap { Number.decimal($0) }
            default: break
            }
        }
        return s
    }

    /// Numeric entries of /proc: every process (not threads).
    func pids() -> [Int64] {
        SystemFile.list(root).compactMap { Number.decimal(Array($0.utf8)) }.filter { $0 > 0 }.sorted()
    }
}
