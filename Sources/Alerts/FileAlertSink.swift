#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// Alerts appended to a file, one per line (JSON by default), like Falco's `file_output` with
/// `keep_alive: true`, plus an fsync policy and optional size rotation (`path` → `path.1` → … `path.N`).
/// `reopen()` closes and reopens the path: logrotate moves the file, then the daemon gets SIGUSR1.
public final class FileAlertSink: AlertSink {
    public let path: String
    public let format: AlertLineFormat
    public let fsync: FsyncPolicy
    /// Rotate before a write would take the file past this size; 0 disables rotation.
    public let maximumBytes: Int64
    /// Rotated files kept (`path.1` is the newest).
    public let maximumFiles: Int
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State: Sendable {
        var fd: Int32 = -1
        var size: Int64 = 0
        var lastSync = ContinuousClock.now
        var unsynced = false
    }

    public init(
        path: String, format: AlertLineFormat = .json, fsync: FsyncPolicy = .interval(milliseconds: 1000),
        maximumBytes: Int64 = 0, maximumFiles: Int = 5, logger: Logger
    ) {
        self.path = path
        self.format = format
        self.fsync = fsync
        self.maximumBytes = maximumBytes
        self.maximumFiles = max(1, maximumFiles)
        self.logger = logger
    }

    public func deliver(_ alerts: [Alert]) async throws(AlertDeliveryError) {
        let lines = alerts.map(format.line)
        let outcome: String?
        do {
            outcome = try await NIOThreadPool.singleton.runIfActive { [self] in
                state.withLockedValue { state in write(lines, &state) }
            }
        } catch {
            throw AlertDeliveryError(retryable: true, reason: "file \(path): \(error)")
        }
        if let outcome { throw AlertDeliveryError(retryable: true, reason: outcome) }
    }

    /// Returns an error description, or nil.
    private func write(_ lines: [[UInt8]], _ state: inout State) -> String? {
        if state.fd < 0, let error = open(&state) { return error }
        let bytes = Array(lines.joined())
        if maximumBytes > 0, state.size > 0, state.size + Int64(bytes.count) > maximumBytes {
            rotate(&state)
            if state.fd < 0, let error = open(&state) { return error }
        }
        let before = lseek(state.fd, 0, SEEK_END)
        let code = FileDescriptorIO.writeAll(state.fd, bytes)
        if code != 0 {
            // A full disk takes part of a batch: cut the torn tail off, so the retry writes whole lines and a
            // reader never sees half an alert glued to the next one.
            if before >= 0 { _ = ftruncate(state.fd, before) }
            // Start over with a fresh descriptor on the next attempt (the disk may have been remounted).
            Glibc.close(state.fd)
            state.fd = -1
            return "file \(path): write: \(FileDescriptorIO.describe(code))"
        }
        state.size += Int64(bytes.count)
        state.unsynced = true
        switch fsync {
        case .never: break
        case .always: sync(&state)
        case .interval(let milliseconds):
            if ContinuousClock.now - state.lastSync >= .milliseconds(milliseconds) { sync(&state) }
        }
        return nil
    }

    private func sync(_ state: inout State) {
        guard state.unsynced, state.fd >= 0 else { return }
        _ = Glibc.fsync(state.fd)
        state.unsynced = false
        state.lastSync = .now
    }

    private func open(_ state: inout State) -> String? {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return "file \(path): open: \(FileDescriptorIO.describe(errno))" }
        var info = stat()
        state.size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
        state.fd = fd
        return nil
    }

    private func rotate(_ state: inout State) {
        sync(&state)
        Glibc.close(state.fd)
        state.fd = -1
        unlink("\(path).\(maximumFiles)")
        for index in stride(from: maximumFiles - 1, through: 1, by: -1) {
            rename("\(path).\(index)", "\(path).\(index + 1)")
        }
        if rename(path, "\(path).1") != 0 {
            logger.error("cannot rotate alert file", metadata: ["path": "\(path)", "error": "\(FileDescriptorIO.describe(errno))"])
        }
    }

    public func reopen() async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [self] in
            state.withLockedValue { state in
                sync(&state)
                if state.fd >= 0 { Glibc.close(state.fd) }
                state.fd = -1
                if let error = open(&state) { logger.error("cannot reopen alert file", metadata: ["error": "\(error)"]) }
            }
        }
    }

    /// JSON lines only (the text format carries no uuid): the newest `bytes` of the file, and of `path.1`
    /// when the file is shorter (a rotation inside the window).
    public func deliveredUUIDs(scanning bytes: Int) -> Set<String>? {
        guard format == .json else { return nil }
        var result = Set<String>()
        var budget = bytes
        for candidate in [path, "\(path).1"] where budget > 0 {
            guard let tail = DeliveredAlerts.tail(of: candidate, limit: budget) else { break }
            DeliveredAlerts.uuids(inJSONLines: tail, into: &result)
            budget -= max(tail.count, 1)
        }
        return result
    }

    public func close() async {
        state.withLockedValue { state in
            sync(&state)
            if state.fd >= 0 { Glibc.close(state.fd) }
            state.fd = -1
        }
    }
}
