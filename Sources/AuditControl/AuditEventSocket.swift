import CAudit

#if canImport(Glibc)
import Glibc
#endif

/// The netlink socket Vigil reads records from, in one of the kernel's two delivery modes.
///
/// - `multicast`: a reader of `AUDIT_NLGRP_READLOG` beside a running auditd (needs CAP_AUDIT_READ). Best
///   effort — the kernel does not wait for it — and it changes nothing in the audit configuration.
/// - `unicast`: Vigil *is* the audit daemon (`audit_set_pid`). Only one process can hold this; Vigil refuses to
///   take it from another holder.
public final class AuditEventSocket {
    public enum Mode: String, Sendable {
        case multicast, unicast
    }

    public let fd: Int32
    public let mode: Mode
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    /// Datagrams the kernel could not deliver because the socket buffer was full (ENOBUFS).
    public private(set) var overruns = 0

    public init(mode: Mode, receiveBuffer: Int = 64 << 20) throws {
        self.mode = mode
        switch mode {
        case .multicast:
            let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_AUDIT)
            guard fd >= 0 else { throw AuditControlError("netlink socket", errno: errno) }
            var addr = sockaddr_nl()
            addr.nl_family = sa_family_t(AF_NETLINK)
            addr.nl_groups = 1  // AUDIT_NLGRP_READLOG
            let r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
            }
            guard r == 0 else {
                let e = errno
                close(fd)
                throw AuditControlError("bind AUDIT_NLGRP_READLOG", errno: e)
            }
            self.fd = fd
        case .unicast:
            let fd = audit_open()
            guard fd >= 0 else { throw AuditControlError("audit_open", errno: errno) }
            self.fd = fd
        }
        var size = Int32(receiveBuffer)
        // SO_RCVBUFFORCE (root) lifts the rmem_max cap; fall back to SO_RCVBUF.
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    deinit { close(fd) }

    /// Registers this process as the audit daemon. Refuses if another live process holds the pid.
    public func becomeAuditDaemon(control: AuditControlSocket) throws {
        precondition(mode == .unicast)
        let status = try control.status()
        if status.pid != 0, status.pid != UInt32(getpid()), kill(pid_t(status.pid), 0) == 0 || errno == EPERM {
            throw AuditControlError(
                "audit daemon pid is held by process \(status.pid) (auditd?); use source mode 'multicast' beside it",
                errno: EBUSY)
        }
        guard audit_set_pid(fd, UInt32(getpid()), WAIT_YES) > 0 else {
            throw AuditControlError("audit_set_pid", errno: errno)
        }
    }

    /// Gives the audit daemon role back (pid 0), as auditd does when it stops.
    public func resignAuditDaemon() {
        guard mode == .unicast else { return }
        _ = audit_set_pid(fd, 0, WAIT_NO)
    }

    /// Waits up to `timeoutMillis` for records and hands each (type, body) to `body`. Returns the number of
    /// records read (0 on timeout). Netlink control messages (replies, errors) are skipped.
    public func read(timeoutMillis: Int32, _ body: (UInt16, UnsafeRawBufferPointer) -> Void) throws -> Int {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, timeoutMillis)
        if ready < 0 {
            if errno == EINTR { return 0 }
            throw AuditControlError("poll", errno: errno)
        }
        if ready == 0 { return 0 }
        var count = 0
        // Drain what is queued without blocking, up to a bound so signals and flushes still get their turn.
        for _ in 0..<4096 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { break }
                if errno == ENOBUFS {
                    overruns += 1
                    continue
                }
                throw AuditControlError("recv", errno: errno)
            }
            buffer.withUnsafeBytes { p in
                guard n >= 16 else { return }
                // One record per datagram. The kernel's audit records do not count the netlink header in
                // nlmsg_len (go-libaudit works around the same quirk), so the body is the rest of the datagram.
                let type = p.load(fromByteOffset: 4, as: UInt16.self)
                if type >= 1100 {
                    body(type, UnsafeRawBufferPointer(rebasing: p[16..<n]))
                    count += 1
                }
            }
        }
        return count
    }
}
