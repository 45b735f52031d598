#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to a file descriptor: one `write(2)` per 64 KiB instead of one per line.
final class OutputBuffer {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var failed = false

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func append(_ s: String) { append(Array(s.utf8)) }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = write(fd, p.baseAddress! + off, p.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    return
                }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// One-off writes to standard error from commands.
enum FileHandleOut {
    static func stderr(_ s: String) {
        _ = s.withCString { write(2, $0, strlen($0)) }
    }
}
