#if canImport(Glibc)
import Glibc
#endif

/// The systemd unit of a host process (`nginx.service`), from the systemd hierarchy line of /proc/PID/cgroup
/// (`1:name=systemd:/system.slice/nginx.service` or `0::/system.slice/nginx.service`), cached per pid.
struct UnitResolver {
    private var cache: [Int64: String?] = [:]
    let procRoot: String

    init(procRoot: String = "/proc") { self.procRoot = procRoot }

    mutating func unit(pid: Int64) -> String? {
        if let hit = cache[pid] { return hit }
        if cache.count >= 16_384 { cache.removeAll(keepingCapacity: true) }
        let u = read(pid).flatMap(Self.unit(inCgroupFile:))
        cache[pid] = u
        return u
    }

    func read(_ pid: Int64) -> String? {
        let fd = open("\(procRoot)/\(pid)/cgroup", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 16_384)
        let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buf[..<n], as: UTF8.self)
    }

    /// The last `.service` component of the systemd (or unified) hierarchy's path.
    static func unit(inCgroupFile text: String) -> String? {
        var unified: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let service = parts[2].split(separator: "/").last { $0.hasSuffix(".service") }.map(String.init)
            if parts[1] == "name=systemd" { return service }
            if parts[0] == "0" { unified = service }
        }
        return unified
    }
}
