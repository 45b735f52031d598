#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor in large blocks and hands out lines (split on `\n` only, never on other control bytes
/// such as the `\x1d` of ENRICHED records) without copying them first.
public struct LineReader: ~Copyable {
    private let fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false
    public private(set) var lineNumber = 0
    public private(set) var bytesRead = 0

    public init(fd: Int32, blockSize: Int = 1 << 20) {
        self.fd = fd
        self.buffer = [UInt8](repeating: 0, count: blockSize)
    }

    /// Calls `body` with each line (without its newline) until the input ends. A final line without newline counts.
    public mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        while true {
            // Scan the buffered bytes for complete lines.
            var consumed = start
            let stop = end
            try buffer.withUnsafeBufferPointer { p in
                let base = p.baseAddress!
                var s = start
                while s < stop, let hit = memchr(base + s, 10, stop - s) {
                    let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    lineNumber += 1
                    try body(UnsafeBufferPointer(start: base + s, count: i - s), lineNumber)
                    s = i + 1
                }
                consumed = s
            }
            start = consumed
            if eof {
                if start < end {
                    lineNumber += 1
                    let (s, e) = (start, end)
                    try buffer.withUnsafeBufferPointer { p in try body(UnsafeBufferPointer(rebasing: p[s..<e]), lineNumber) }
                }
                start = 0
                end = 0
                return
            }
            // Move the partial line to the front; grow when one line fills the buffer.
            if start > 0 {
                let n = end - start
                if n > 0 { buffer.withUnsafeMutableBufferPointer { p in _ = memmove(p.baseAddress!, p.baseAddress! + start, n) } }
                start = 0
                end = n
            }
            if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBufferPointer { p -> Int in
                while true {
                    let r = read(fd, p.baseAddress! + end, p.count - end)
                    if r < 0 && errno == EINTR { continue }
                    return r
                }
            }
            if n < 0 { throw ReadError(errno: errno) }
            if n == 0 { eof = true } else { end += n; bytesRead += n }
        }
    }

    public struct ReadError: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { String(cString: strerror(errno)) }
    }
}
