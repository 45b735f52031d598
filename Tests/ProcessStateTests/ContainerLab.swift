import Foundation

/// Thin wrapper over ../shared/lab/container-lab.sh (real runc containers with docker/containerd/CRI-O/podman-style
/// cgroups and runtime state files). Its state lives in `labDir`: `VIGIL_LAB_DIR`, else a fixed directory under
/// /tmp so the rootfs is built once; never inside the read-only shared/.
struct ContainerLab {
    struct Failure: Error, CustomStringConvertible {
        let args: [String]
        let status: Int32
        let stderr: String
        var description: String { "container-lab \(args.joined(separator: " ")) -> \(status): \(stderr)" }
    }

    let script: String
    let labDir: String

    /// nil when the lab cannot run here (not root, or the script is missing).
    static let shared: ContainerLab? = {
        guard getuid() == 0 else { return nil }
        let env = ProcessInfo.processInfo.environment
        let script =
            env["CONTAINER_LAB"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "shared/lab/container-lab.sh"
            ).path
        guard FileManager.default.fileExists(atPath: script) else { return nil }
        let lab = ContainerLab(script: script, labDir: env["VIGIL_LAB_DIR"] ?? "/tmp/vigil-processstate-lab")
        do { try lab("setup") } catch { return nil }
        return lab
    }()

    @discardableResult
    func callAsFunction(_ args: String...) throws -> String { try call(args) }

    func call(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script] + args
        var env = ProcessInfo.processInfo.environment
        env["LAB_DIR"] = labDir
        env["LAB_QUIET"] = "1"
        p.environment = env
        // stdout and stderr to files, read after exit: a detached `exec -d` process inherits the lab's stdout, and
        // a pipe would not reach EOF until that process ends.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out")
        let errURL = base.appendingPathExtension("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        p.standardOutput = outHandle
        p.standardError = errHandle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let text = ((try? String(contentsOf: outURL, encoding: .utf8)) ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0 else {
            throw Failure(
                args: args, status: p.terminationStatus,
                stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
        }
        return text
    }

    /// The lab's copies of the runtimes' state directories (what a daemon's readers are pointed at).
    var runtimeRoots: (docker: String, containerd: String, crio: String, podman: String) {
        (
            "\(labDir)/runtime/docker", "\(labDir)/runtime/containerd", "\(labDir)/runtime/crio",
            "\(labDir)/runtime/podman"
        )
    }
}

/// Small /proc helpers for the tests (what the test itself observes, independently of the code under test).
enum LiveProcess {
    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func comm(_ pid: Int64) -> String? { read("/proc/\(pid)/comm") }
    static func exe(_ pid: Int64) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    static func children(_ pid: Int64) -> [Int64] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap {
            (read("/proc/\(pid)/task/\($0)/children") ?? "").split(separator: " ").compactMap { Int64($0) }
        }
    }

    /// Polls until `condition` holds (or `seconds` pass).
    static func wait<T>(seconds: Double = 5, _ condition: () -> T?) -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let v = condition() { return v }
            usleep(20_000)
        }
        return nil
    }

    /// A pid above pid_max: never a process.
    static var impossiblePid: Int64 { (Int64(read("/proc/sys/kernel/pid_max") ?? "") ?? 4_194_304) + 1_000 }
}
