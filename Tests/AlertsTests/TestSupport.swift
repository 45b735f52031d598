import Foundation
import Logging
import Testing

@testable import Alerts

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the Alerts tests: temporary directories, free ports, child processes that are always
/// stopped, and the `alerts send` harness binary.
enum TestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "vigil.alerts.tests") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = ProcessInfo.processInfo.environment["VIGIL_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }()

    /// A new empty directory under /tmp.
    static func temporaryDirectory(_ name: String = "vigil-alerts") -> String {
        var template = Array("/tmp/\(name)-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A port nobody listens on right now (the kernel's choice for an ephemeral bind on 127.0.0.1).
    static func freePort(udp: Bool = false) -> Int {
        let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                _ = bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// True once something accepts TCP connections on 127.0.0.1:port.
    static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    @discardableResult
    static func waitUntil(
        timeout: Duration = .seconds(20), poll: Duration = .milliseconds(25), _ condition: () throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: poll)
        }
        return try condition()
    }

    static func lines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    static func jsonLines(_ path: String) -> [[String: Any]] {
        lines(path).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }

    /// The `alerts` command to run as a separate process: `$VIGIL_ALERTS_HARNESS` if set (a path to
    /// `alerts-dev`, or to `vigil`, which then gets the `alerts` subcommand), else `alerts-dev` or `vigil`
    /// next to this test binary in the build directory.
    static var harness: (executable: String, leadingArguments: [String]) {
        func command(_ path: String) -> (String, [String]) {
            URL(fileURLWithPath: path).lastPathComponent == "vigil" ? (path, ["alerts"]) : (path, [])
        }
        if let path = ProcessInfo.processInfo.environment["VIGIL_ALERTS_HARNESS"], !path.isEmpty { return command(path) }
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        // On some layouts the test binary sits inside a bundle directory.
        for _ in 0..<4 {
            for name in ["alerts-dev", "vigil"] {
                let candidate = directory.appendingPathComponent(name).path
                if FileManager.default.isExecutableFile(atPath: candidate) { return command(candidate) }
            }
            directory = directory.deletingLastPathComponent()
        }
        return ("/nonexistent/alerts-dev (set VIGIL_ALERTS_HARNESS)", [])
    }

    /// Runs a command to completion (openssl); returns its status and standard error.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A test CA, a server certificate for localhost/127.0.0.1 and a client certificate, made with openssl
    /// in `directory`: ca.pem, server.pem, server.key, client.pem, client.key.
    static func makeCertificates(in directory: String) throws {
        let openssl = try #require(which("openssl"), "openssl is needed (Debian package openssl)")
        let d = directory
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: "\(d)/server.ext", atomically: true, encoding: .utf8)
        try "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n".write(toFile: "\(d)/client.ext", atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509"] + ec + ["-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem", "-days", "2", "-subj", "/CN=Vigil test CA"],
            ["req"] + ec + ["-keyout", "\(d)/server.key", "-out", "\(d)/server.csr", "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key", "-CAcreateserial",
                "-out", "\(d)/server.pem", "-days", "2", "-extfile", "\(d)/server.ext"],
            ["req"] + ec + ["-keyout", "\(d)/client.key", "-out", "\(d)/client.csr", "-subj", "/CN=vigil-test-client"],
            ["x509", "-req", "-in", "\(d)/client.csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key", "-CAcreateserial",
                "-out", "\(d)/client.pem", "-days", "2", "-extfile", "\(d)/client.ext"],
        ]
        for step in steps {
            let result = try run(openssl, step)
            try #require(result.status == 0, "openssl \(step.prefix(2)): \(result.stderr)")
        }
    }

    static func makeAlert(
        _ index: Int, rule: String = "Test rule", priority: AlertPriority = .warning, container: String = "c0ffee",
        process: String = "sh", time: AlertTime? = nil
    ) -> Alert {
        Alert(
            time: time ?? AlertTime(seconds: 1_700_000_000 + Int64(index), nanoseconds: 123_456_789), priority: priority,
            rule: rule, message: "test alert \(index) (proc.name=\(process) container.id=\(container))",
            hostname: "test-host",
            outputFields: ["container.id": .string(container), "proc.name": .string(process), "seq": .integer(Int64(index))],
            tags: ["test"])
    }
}

/// A child process the test owns: its output goes to files in the test's directory, and `stop()` (also
/// called on deinit) ends it — SIGTERM, then SIGKILL after 5 s — and reaps it.
///
/// Spawned with `posix_spawn` and an empty signal mask rather than with Foundation's `Process`: threads of
/// the test runner block most signals, a child inherits that mask, and a child with SIGTERM blocked can
/// only be stopped with SIGKILL (which would turn a graceful stop into a crash).
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private let lock = NSLock()
    private var waitStatus: Int32?

    init(_ executable: String, _ arguments: [String], directory: String, name: String, stdinPath: String? = nil) throws {
        stdoutPath = "\(directory)/\(name).stdout"
        stderrPath = "\(directory)/\(name).stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard code == 0 else {
            throw NSError(domain: "ChildProcess", code: Int(code), userInfo: [NSLocalizedDescriptionKey: "spawn \(executable): \(code)"])
        }
        self.pid = pid
    }

    var stdout: String { String(decoding: FileManager.default.contents(atPath: stdoutPath) ?? Data(), as: UTF8.self) }
    var stderr: String { String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self) }

    /// Reaps the process if it ended (blocking only with `wait`).
    @discardableResult
    private func reap(wait: Bool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if waitStatus != nil { return true }
        var status: Int32 = 0
        let result = waitpid(pid, &status, wait ? 0 : WNOHANG)
        if result == pid {
            waitStatus = status
            return true
        }
        if result < 0 && errno == ECHILD {
            waitStatus = -1
            return true
        }
        return false
    }

    var hasExited: Bool { reap(wait: false) }
    var isRunning: Bool { !hasExited }

    /// The exit code of a process that exited normally.
    var exitCode: Int32? {
        guard hasExited, let status = lock.withLock({ waitStatus }), status >= 0, status & 0x7F == 0 else { return nil }
        return (status >> 8) & 0xFF
    }

    /// The signal that ended the process, if one did.
    var terminationSignal: Int32? {
        guard hasExited, let status = lock.withLock({ waitStatus }), status >= 0, status & 0x7F != 0 else { return nil }
        return status & 0x7F
    }

    /// Waits for the process to exit by itself; returns its exit code, or nil on timeout or signal.
    func waitForExit(timeout: Duration) async -> Int32? {
        await TestSupport.waitUntil(timeout: timeout) { hasExited }
        return exitCode
    }

    func stop() {
        guard !hasExited else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while !hasExited && Date() < deadline { usleep(10_000) }
        if !hasExited { kill(pid, SIGKILL) }
        reap(wait: true)
    }

    func killHard() {
        if !hasExited { kill(pid, SIGKILL) }
        reap(wait: true)
    }

    deinit { stop() }
}
