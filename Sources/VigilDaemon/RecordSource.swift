import AuditControl
import AuditStream

#if canImport(Glibc)
import Glibc
#endif

/// Where records come from: the kernel (netlink), an auditd plugin's stdin, or a followed log file. Every
/// source feeds the same pipeline; the daemon's loop polls `pollDescriptor` (or wakes on a timer) and drains.
public protocol RecordSource: AnyObject {
    /// A descriptor to poll for input, nil for sources that are read on a timer (files).
    var pollDescriptor: Int32? { get }
    /// Reads what is available into the pipeline. Returns records read; throws on a fatal source error.
    func drain(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void) throws -> Int
    /// True once a finite source (stdin) has ended.
    var finished: Bool { get }
    /// True when the source stopped reading at a budget with input left: the loop should come back at once.
    var hasMore: Bool { get }
    /// Records the source knows it lost (netlink overruns).
    var lost: Int { get }
    var name: String { get }
    /// Wall-clock flush of quiet events, through the source (a file source tracks what it emitted).
    func flush(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void)
    /// End of the run: everything still open is emitted, and the source records where it stopped.
    func finish(into pipeline: AuditStreamPipeline, emit: (AuditStreamPipeline.Output) -> Void)
}

extension RecordSource {
    public var hasMore: Bool { false }
    public func flush(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void) {
        pipeline.flush(now: now, emit: emit)
    }

    public func finish(into pipeline: AuditStreamPipeline, emit: (AuditStreamPipeline.Output) -> Void) {
        pipeline.finish(emit: emit)
    }
}

/// The kernel's audit netlink socket.
public final class NetlinkRecordSource: RecordSource {
    public let socket: AuditEventSocket
    public init(socket: AuditEventSocket) { self.socket = socket }
    public var pollDescriptor: Int32? { socket.fd }
    public var finished: Bool { false }
    public var lost: Int { socket.overruns }
    public var name: String { "netlink-\(socket.mode.rawValue)" }

    public func drain(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void) throws -> Int {
        try socket.read(timeoutMillis: 0) { type, body in
            pipeline.push(netlinkType: type, body: body, now: now, emit: emit)
        }
    }
}

/// Text records from a descriptor that is read as it grows: an auditd plugin's stdin.
public final class StreamRecordSource: RecordSource {
    private let fd: Int32
    private var splitter = LineSplitter()
    public private(set) var finished = false
    public var lost: Int { 0 }
    public var name: String { "stdin" }

    public init(fd: Int32) {
        self.fd = fd
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    public var pollDescriptor: Int32? { finished ? nil : fd }

    public func drain(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void) throws -> Int {
        var count = 0
        while true {
            let n = splitter.fill(from: fd)
            if n == 0 {
                finished = true
                count += splitter.finish { line, number in pipeline.push(line: line, number: number, now: now, emit: emit) }
                return count
            }
            if n < 0 { return count }  // EAGAIN
            count += splitter.lines { line, number in pipeline.push(line: line, number: number, now: now, emit: emit) }
        }
    }
}

/// Splits bytes read incrementally into lines, keeping a partial line for the next read.
struct LineSplitter {
    private var buffer: [UInt8] = []
    private(set) var lineNumber = 0

    /// Reads once; returns bytes read, 0 at end of input, -1 when nothing is available now.
    mutating func fill(from fd: Int32) -> Int {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            buffer += chunk[0..<n]
            return n
        }
    }

    mutating func lines(_ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) -> Int {
        var count = 0
        var start = 0
        buffer.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                if p[i] == 10 {
                    lineNumber += 1
                    body(UnsafeBufferPointer(rebasing: p[start..<i]), lineNumber)
                    count += 1
                    start = i + 1
                }
                i += 1
            }
        }
        buffer.removeFirst(start)
        // A runaway line without newline is cut at the parser's limit rather than growing without bound.
        if buffer.count > RecordParser.maxLineLength * 2 {
            lineNumber += 1
            buffer.withUnsafeBufferPointer { body($0, lineNumber) }
            buffer.removeAll()
            count += 1
        }
        return count
    }

    mutating func finish(_ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) -> Int {
        var count = lines(body)
        if !buffer.isEmpty {
            lineNumber += 1
            buffer.withUnsafeBufferPointer { body($0, lineNumber) }
            buffer.removeAll()
            count += 1
        }
        return count
    }

    /// Bytes consumed as complete lines so far is tracked by the caller; this is the partial tail.
    var pendingBytes: Int { buffer.count }
}
