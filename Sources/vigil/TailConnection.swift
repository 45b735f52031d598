import ControlSocket
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The client end of the control socket: connects, subscribes, and reads the daemon's lines.
final class TailConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32
    let path: String
    private var buffer: [UInt8] = []

    /// Connects and sends the subscribe request. A refusal or a filter that does not compile arrives later, as
    /// the daemon's first line (see ``forEachMessage(_:flush:)``).
    init(path: String, request: TailRequest) throws(Failure) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw Failure(description: "socket path \(path) is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            switch e {
            case EACCES, EPERM:
                throw Failure(description: "permission denied connecting to \(path): the control socket is for root and members of the group set as control.group (uid \(getuid()) is neither)")
            case ENOENT, ECONNREFUSED:
                throw Failure(description: "no Vigil daemon is listening at \(path) (is `vigil run` running, with control.socket set to this path?)")
            default:
                throw Failure(description: "cannot connect to \(path): \(String(cString: strerror(e)))")
            }
        }
        self.fd = fd
        let line = request.line
        var off = 0
        while off < line.count {
            let n = line[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                break  // the daemon may have refused us already: its line says why
            }
            off += n
        }
    }

    deinit { close(fd) }

    /// Calls `body` for each item until the daemon closes; `flush` after each read. The daemon's refusal or
    /// error is thrown with its message; a connection closed after subscribing ends quietly with a note.
    func forEachMessage(_ body: (TailMessage) throws -> Void, flush: () throws -> Void) throws {
        var subscribed = false
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw TailProtocolError(message: "reading from \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                if !subscribed { throw TailProtocolError(message: "the daemon closed the connection without answering") }
                throw TailProtocolError(message: "the daemon closed the connection (stopped or restarted)")
            }
            buffer.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                let message = try TailMessage(line: buffer[start..<newline])
                start = newline + 1
                switch message {
                case .error(let text): throw TailProtocolError(message: text)
                case .subscribed:
                    subscribed = true
                    try body(message)
                default: try body(message)
                }
            }
            buffer.removeFirst(start)
            try flush()
        }
    }
}
