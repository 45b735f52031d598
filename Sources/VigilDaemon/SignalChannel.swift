import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Delivers SIGHUP, SIGTERM, SIGINT and SIGUSR1 as readable events on a file descriptor (signalfd), so the
/// daemon's single poll loop handles them between records — no async-signal-unsafe work in a handler.
public final class SignalChannel {
    public enum Signal: Sendable, Equatable {
        case reload, terminate, reopen
    }

    public let fd: Int32

    static var daemonSignals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGHUP, SIGTERM, SIGINT, SIGUSR1] { sigaddset(&set, s) }
        return set
    }

    /// Blocks the daemon's signals in the calling thread. Must run before any other thread exists (the main
    /// function does it for `vigil run`): threads inherit the mask, and a signal to a thread that does not block
    /// it would take the default action — terminate — instead of reaching the signalfd.
    public static func blockDaemonSignals() {
        var set = daemonSignals
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    public init() throws {
        var set = Self.daemonSignals
        guard pthread_sigmask(SIG_BLOCK, &set, nil) == 0 else { throw DaemonError.system("pthread_sigmask", errno) }
        let fd = signalfd(-1, &set, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        guard fd >= 0 else { throw DaemonError.system("signalfd", errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Signals received since the last call.
    public func pending() -> [Signal] {
        var out: [Signal] = []
        var info = signalfd_siginfo()
        while read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGHUP: out.append(.reload)
            case SIGTERM, SIGINT: out.append(.terminate)
            case SIGUSR1: out.append(.reopen)
            default: break
            }
        }
        return out
    }
}

public enum DaemonError: Error, CustomStringConvertible, Sendable {
    case system(String, Int32)
    case configuration(String)

    public var description: String {
        switch self {
        case .system(let what, let e): return "\(what): \(String(cString: strerror(e)))"
        case .configuration(let m): return m
        }
    }
}
