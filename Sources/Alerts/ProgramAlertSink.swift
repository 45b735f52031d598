#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// Pipes each alert, one line, to a long-running command's standard input (Falco's `program_output` with
/// `keep_alive: true`), run by `/bin/sh -c`. If the program dies it is started again and the alert that
/// failed is retried, so a crashing forwarder loses nothing. `reopen()` restarts it (Falco does on SIGUSR1).
///
/// The program's stdin is one end of a Unix socket pair rather than a pipe: writes use `MSG_NOSIGNAL`, so a
/// dead reader yields EPIPE instead of a SIGPIPE that would kill the daemon, without touching the
/// process-wide signal disposition; and `SO_SNDTIMEO` bounds a write to a program that stopped reading.
public final class ProgramAlertSink: AlertSink {
    public let command: String
    public let format: AlertLineFormat
    private let writeTimeoutSeconds: Int
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State: Sendable {
        var pid: pid_t = 0
        var fd: Int32 = -1
        var starts = 0
    }

    public init(command: String, format: AlertLineFormat = .json, writeTimeoutSeconds: Int = 10, logger: Logger) {
        self.command = command
        self.format = format
        self.writeTimeoutSeconds = max(1, writeTimeoutSeconds)
        self.logger = logger
    }

    /// How many times the program was started (1 + restarts).
    public var startCount: Int { state.withLockedValue { $0.starts } }

    /// The running program's pid, or nil.
    public var processID: pid_t? { state.withLockedValue { $0.pid > 0 ? $0.pid : nil } }

    public func deliver(_ alerts: [Alert]) async throws(AlertDeliveryError) {
        let lines = alerts.map(format.line)
        let result: (delivered: Int, error: String?)
        do {
            result = try await NIOThreadPool.singleton.runIfActive { [self] in
                state.withLockedValue { state in write(lines, &state) }
            }
        } catch {
            throw AlertDeliveryError(retryable: true, reason: "program: \(error)")
        }
        if let error = result.error {
            throw AlertDeliveryError(delivered: result.delivered, retryable: true, reason: error)
        }
    }

    private func write(_ lines: [[UInt8]], _ state: inout State) -> (Int, String?) {
        for (index, line) in lines.enumerated() {
            var tries = 0
            while true {
                if reapIfExited(&state) {
                    logger.warning("alert program exited; starting it again", metadata: ["command": "\(command)"])
                }
                if state.fd < 0, let error = start(&state) { return (index, error) }
                let code = FileDescriptorIO.writeAll(state.fd, line, flags: Int32(MSG_NOSIGNAL))
                if code == 0 { break }
                // EPIPE / ECONNRESET: the program died (maybe mid-line); EAGAIN: it stopped reading.
                stop(&state, graceful: false)
                tries += 1
                if tries >= 2 { return (index, "program '\(command)': write: \(FileDescriptorIO.describe(code))") }
                logger.warning(
                    "alert program is gone; starting it again",
                    metadata: ["command": "\(command)", "error": "\(FileDescriptorIO.describe(code))"])
            }
        }
        return (lines.count, nil)
    }

    private func start(_ state: inout State) -> String? {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            return "program: socketpair: \(FileDescriptorIO.describe(errno))"
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        Glibc.close(pair[1])
        guard code == 0 else {
            Glibc.close(pair[0])
            return "program '\(command)': spawn: \(FileDescriptorIO.describe(code))"
        }
        shutdown(pair[0], Int32(SHUT_RD))
        var timeout = timeval(tv_sec: writeTimeoutSeconds, tv_usec: 0)
        setsockopt(pair[0], SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        state.pid = pid
        state.fd = pair[0]
        state.starts += 1
        logger.info("alert program started", metadata: ["command": "\(command)", "pid": "\(pid)"])
        return nil
    }

    /// True if the program had exited (and was reaped).
    private func reapIfExited(_ state: inout State) -> Bool {
        guard state.pid > 0 else { return false }
        var status: Int32 = 0
        guard waitpid(state.pid, &status, WNOHANG) == state.pid else { return false }
        state.pid = 0
        if state.fd >= 0 { Glibc.close(state.fd) }
        state.fd = -1
        return true
    }

    /// Closes the program's stdin; a graceful stop lets it finish for up to 2 s before SIGTERM, then SIGKILL.
    private func stop(_ state: inout State, graceful: Bool) {
        if state.fd >= 0 { Glibc.close(state.fd) }
        state.fd = -1
        guard state.pid > 0 else { return }
        let pid = state.pid
        state.pid = 0
        var status: Int32 = 0
        if graceful {
            for _ in 0..<200 {
                if waitpid(pid, &status, WNOHANG) == pid { return }
                usleep(10_000)
            }
        }
        kill(pid, SIGTERM)
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    public func reopen() async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [self] in
            state.withLockedValue { state in stop(&state, graceful: true) }
        }
    }

    public func close() async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [self] in
            state.withLockedValue { state in stop(&state, graceful: true) }
        }
    }
}
