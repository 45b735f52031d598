import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Serialises tests that change the machine's audit state (enabled flag, rules, the audit daemon pid) across
/// suites, test targets and processes: Swift Testing runs suites in parallel, and two tests toggling audit at
/// once would see each other's changes as tampering.
public enum KernelAuditLock {
    public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        let fd = open("/tmp/vigil-kernel-audit-tests.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot open the kernel audit test lock")
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        let before = vigilKeys()
        // A daemon a failed test SIGKILLed leaves its audit rules behind, and they would flood every later test's
        // daemon with the whole machine's events: what the body added under a vigil key is removed.
        defer {
            for key in vigilKeys().subtracting(before) { _ = auditctl(["-D", "-k", key]) }
        }
        return try body()
    }

    /// Keys of the installed audit rules that start with "vigil".
    static func vigilKeys() -> Set<String> {
        guard let text = auditctl(["-l"]) else { return [] }
        var keys = Set<String>()
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.hasPrefix("key=vigil") {
            keys.insert(String(word.dropFirst(4)))
        }
        return keys
    }

    static func auditctl(_ arguments: [String]) -> String? {
        guard let path = ["/usr/sbin/auditctl", "/sbin/auditctl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// The built `vigil` binary, for tests that run it as a user would.
public enum VigilBinary {
    public static var url: URL {
        if let env = ProcessInfo.processInfo.environment["VIGIL_BIN"] { return URL(fileURLWithPath: env) }
        let bundle = Bundle.main.bundleURL
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("vigil")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return repoRoot.appendingPathComponent(".build/debug/vigil")
    }

    public static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static let shared: URL = {
        if let env = ProcessInfo.processInfo.environment["VIGIL_SHARED"] { return URL(fileURLWithPath: env) }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()
}

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory {
    public let url: URL
    public init(_ prefix: String = "vigil-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass.
public func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(100_000)
    }
    return condition()
}
