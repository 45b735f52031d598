import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Carries out `protect` mode's response to a deviation. Kill and freeze are done at once on the event thread
/// (one syscall, a few file writes); a command runs on a background queue so a slow one never stalls monitoring.
final class Responder {
    let queue = DispatchQueue(label: "vigil.baselines.protect")
    let cgroupRoot: String

    init(cgroupRoot: String = "/sys/fs/cgroup") { self.cgroupRoot = cgroupRoot }

    /// Returns what was done, for the alert (`kill pid 42: ok`, `freeze …: no freezer found`).
    func respond(_ action: ProtectAction, to d: Deviation) -> String {
        switch action {
        case .none:
            return "none"
        case .kill:
            guard let pid = d.event.process.pid, pid > 1 else { return "kill: pid unknown" }
            return Glibc.kill(pid_t(pid), SIGKILL) == 0 ? "kill pid \(pid): ok" : "kill pid \(pid): \(String(cString: strerror(errno)))"
        case .freeze:
            guard let pid = d.event.process.pid else { return "freeze: pid unknown" }
            return freeze(pid: pid)
        case .command(let argv):
            guard let exe = argv.first else { return "command: empty" }
            var env = ProcessInfo.processInfo.environment
            env["VIGIL_BASELINE_PROFILE"] = d.profile.description
            env["VIGIL_BASELINE_RULE"] = d.rule
            env["VIGIL_BASELINE_DIMENSION"] = d.dimension.rawValue
            env["VIGIL_BASELINE_ITEM"] = d.item
            env["VIGIL_PID"] = d.event.process.pid.map(String.init) ?? ""
            env["VIGIL_CONTAINER_ID"] = d.event.container?.fullID ?? ""
            let environment = env
            queue.async {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: exe)
                p.arguments = Array(argv.dropFirst())
                p.environment = environment
                p.standardInput = FileHandle.nullDevice
                do {
                    try p.run()
                    p.waitUntilExit()
                } catch {}
            }
            return "command \(exe): started"
        }
    }

    /// Freezes the cgroup the process is in: cgroup v2 `cgroup.freeze`, else the v1 freezer's `freezer.state`.
    func freeze(pid: Int64) -> String {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else {
            return "freeze pid \(pid): process gone"
        }
        var attempts: [(String, String)] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let path = String(parts[2])
            if parts[1].split(separator: ",").contains("freezer") {
                attempts.append(("\(cgroupRoot)/freezer\(path)/freezer.state", "FROZEN"))
            } else if parts[0] == "0" {
                attempts.append(("\(cgroupRoot)\(path)/cgroup.freeze", "1"))
                attempts.append(("\(cgroupRoot)/unified\(path)/cgroup.freeze", "1"))
            }
        }
        for (file, value) in attempts {
            let fd = open(file, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let n = value.withCString { Glibc.write(fd, $0, strlen($0)) }
            close(fd)
            if n > 0 { return "freeze \(file): ok" }
        }
        return "freeze pid \(pid): no writable freezer (\(attempts.map(\.0).joined(separator: ", ")))"
    }
}
