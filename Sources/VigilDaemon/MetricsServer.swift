import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Serves one text page (the Prometheus exposition) over HTTP/1.0 on a local address, from the daemon's own
/// poll loop: accept, answer, close — no thread, nothing that can stall the event path for long.
public final class MetricsServer {
    public let fd: Int32
    public let port: UInt16

    /// `listen`: `HOST:PORT` with an IPv4 host (use 127.0.0.1 for local scraping; port 0 picks a free one).
    public init(listen: String) throws {
        guard let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) else {
            throw DaemonError.configuration("metrics.listen '\(listen)' is not HOST:PORT")
        }
        let host = String(listen[..<colon])
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            throw DaemonError.configuration("metrics.listen host '\(host)' is not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw DaemonError.system("metrics socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            let e = errno
            close(fd)
            throw DaemonError.system("metrics listen on \(listen)", e)
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    deinit { close(fd) }

    /// Answers every pending connection with `body()`.
    public func serve(_ body: () -> [UInt8]) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { return }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var request = [UInt8](repeating: 0, count: 2048)
            let n = recv(client, &request, request.count, 0)
            let firstLine = n > 0 ? String(decoding: request[0..<n].prefix { $0 != 13 && $0 != 10 }, as: UTF8.self) : ""
            let ok = firstLine.hasPrefix("GET /metrics") || firstLine.hasPrefix("GET / ")
            let content = ok ? body() : Array("not found: GET /metrics\n".utf8)
            let header = "HTTP/1.0 \(ok ? "200 OK" : "404 Not Found")\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: \(content.count)\r\nConnection: close\r\n\r\n"
            let bytes = Array(header.utf8) + content
            var off = 0
            while off < bytes.count {
                let w = bytes[off...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if w <= 0 { break }
                off += w
            }
            close(client)
        }
    }
}
