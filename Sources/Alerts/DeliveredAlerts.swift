#if canImport(Glibc)
import Glibc
#endif

/// The uuids of alerts a sink already holds from before this start, read back from the sink's own durable
/// record (an alert file, a spool). A daemon that resumes reading a log from a saved position re-reads the events
/// a SIGKILL caught between a sink's write and the next saved position; their alerts come again with the same
/// stable uuid (`Alert.stableUUID`), and the router skips, per sink, exactly the ones that sink holds — so neither
/// a repeat nor a gap is left in that sink.
enum DeliveredAlerts {
    static let key = Array(#""uuid":""#.utf8)

    /// The uuid of every JSON alert line in `bytes` (the key is Vigil's last one; lines without it are ignored).
    static func uuids(inJSONLines bytes: [UInt8], into result: inout Set<String>) {
        var lineEnd = bytes.count
        while lineEnd > 0 {
            var lineStart = lineEnd - 1
            while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
            if let uuid = uuid(in: bytes, lineStart..<lineEnd) { result.insert(uuid) }
            lineEnd = lineStart > 0 ? lineStart - 1 : 0
        }
    }

    /// The value of the last `"uuid":"…"` in `range`.
    static func uuid(in bytes: [UInt8], _ range: Range<Int>) -> String? {
        guard range.count > key.count else { return nil }
        var at = range.upperBound - key.count
        while at >= range.lowerBound {
            if bytes[at] == key[0], bytes[at..<at + key.count].elementsEqual(key) {
                let start = at + key.count
                var end = start
                while end < range.upperBound, bytes[end] != UInt8(ascii: "\"") { end += 1 }
                guard end < range.upperBound, end > start, end - start <= 64 else { return nil }
                return String(decoding: bytes[start..<end], as: UTF8.self)
            }
            at -= 1
        }
        return nil
    }

    /// The last `limit` bytes of `path`, starting at a line boundary; nil when it cannot be read.
    static func tail(of path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        let start = max(0, size - limit)
        var bytes = [UInt8](repeating: 0, count: size - start)
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw in pread(fd, raw.baseAddress! + got, raw.count - got, off_t(start + got)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        bytes.removeLast(bytes.count - got)
        if start > 0, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) { bytes.removeFirst(newline + 1) }
        return bytes
    }
}
