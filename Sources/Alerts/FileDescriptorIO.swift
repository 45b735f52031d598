#if canImport(Glibc)
import Glibc
#endif

/// Blocking writes for the line-oriented sinks; they run on NIO's thread pool, never on the hot path.
enum FileDescriptorIO {
    /// Writes all bytes, retrying on EINTR and short writes. Returns 0 or the errno of the failure.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], flags: Int32? = nil) -> Int32 {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                let start = raw.baseAddress! + written
                if let flags { return send(fd, start, raw.count - written, flags) }
                return write(fd, start, raw.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += n
        }
        return 0
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
