#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers

/// A durable FIFO of alerts on disk, for one sink: what is appended survives a crash or SIGKILL of Vigil
/// and is delivered, in order, after a restart (at least once: a batch delivered just before a crash, whose
/// cursor was not yet saved, is sent again; receivers deduplicate by `uuid`).
///
/// Layout: append-only segment files `<20-digit sequence>.seg`, each record `[length u32 BE][crc32 u32 BE]
/// [payload]`, and a `cursor` file (`segment offset index`) replaced atomically by rename after each
/// delivered batch. Fully delivered segments are unlinked. The total size is bounded: when it is exceeded
/// the oldest segment is unlinked, its undelivered alerts are counted as dropped and logged.
///
/// Why segment files and not SQLite/GRDB: the access pattern is a pure queue (append at the tail, read and
/// discard at the head, never update or search), which files do with one `write(2)` per batch; a torn tail
/// after power loss is detected by the length and CRC and cut off; dropping the oldest alerts is one
/// `unlink(2)` with no vacuum; and the daemon takes on no SQL engine for it.
public final class AlertSpool: Sendable {
    /// A place in the spool: just after some record.
    public struct Position: Sendable, Hashable, Comparable {
        public var segment: UInt64
        public var offset: Int64
        /// Records before `offset` in that segment.
        public var index: Int

        public static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
        }
    }

    public struct Record: Sendable {
        public var payload: [UInt8]
        /// Commit this to consume the record and all before it.
        public var end: Position
    }

    struct Segment: Sendable {
        var sequence: UInt64
        var bytes: Int64
        var records: Int
    }

    struct State: Sendable {
        var segments: [Segment] = []
        var writeFD: Int32 = -1
        var cursor = Position(segment: 0, offset: 0, index: 0)
        var lastSync = ContinuousClock.now
        var unsynced = false
        var closed = false
    }

    public let directory: String
    public let maximumBytes: Int64
    public let segmentBytes: Int64
    public let fsync: FsyncPolicy
    private let logger: Logger
    private let lockFD: Int32
    private let state: NIOLockedValueBox<State>

    static let headerSize = 8

    /// Opens (creating if needed) the spool in `directory`, recovering what a previous run left.
    /// Only one process may use a spool directory at a time (an exclusive `flock` on `directory/lock`).
    public init(
        directory: String, maximumBytes: Int64 = 256 << 20, segmentBytes: Int64? = nil, fsync: FsyncPolicy = .always,
        logger: Logger
    ) throws(AlertSpoolError) {
        self.directory = directory
        self.maximumBytes = max(maximumBytes, 4096)
        self.segmentBytes = max(segmentBytes ?? min(self.maximumBytes / 8, 8 << 20), 1024)
        self.fsync = fsync
        self.logger = logger
        try makeDirectories(directory)
        let lockFD = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw AlertSpoolError(path: directory + "/lock", operation: "open", errno: errno) }
        // A just-stopped Vigil (or a child forked by another thread that has not reached exec yet and so still
        // shares the lock's open file) lets go within moments; another live Vigil never does. Wait up to 2 s.
        var locked = flock(lockFD, LOCK_EX | LOCK_NB) == 0
        var attempts = 0
        while !locked, errno == EWOULDBLOCK || errno == EINTR, attempts < 40 {
            usleep(50_000)
            attempts += 1
            locked = flock(lockFD, LOCK_EX | LOCK_NB) == 0
        }
        guard locked else {
            let code = errno
            Glibc.close(lockFD)
            throw AlertSpoolError(path: directory, operation: "lock (is another Vigil using this spool?)", errno: code)
        }
        self.lockFD = lockFD
        var initial = State()
        do {
            try AlertSpool.recover(directory: directory, into: &initial, logger: logger)
        } catch {
            Glibc.close(lockFD)
            throw error
        }
        state = NIOLockedValueBox(initial)
    }

    deinit { close() }

    // MARK: Writing

    /// Appends `payloads` in order. Returns how many of the oldest undelivered alerts were dropped to stay
    /// within `maximumBytes` (also logged).
    @discardableResult
    public func append(_ payloads: [[UInt8]]) throws(AlertSpoolError) -> Int {
        guard !payloads.isEmpty else { return 0 }
        let result: Result<Int, AlertSpoolError> = state.withLockedValue { state in
            guard !state.closed else {
                return .failure(AlertSpoolError(path: directory, operation: "append to closed spool", errno: EBADF))
            }
            do {
                var buffer: [UInt8] = []
                var count = 0
                for payload in payloads {
                    if let last = state.segments.last, last.bytes + Int64(buffer.count) >= segmentBytes,
                        last.records + count > 0
                    {
                        try flush(&buffer, records: &count, state: &state)
                        try roll(&state)
                    }
                    if state.writeFD < 0 { try roll(&state) }
                    appendRecord(payload, to: &buffer)
                    count += 1
                }
                try flush(&buffer, records: &count, state: &state)
                syncIfDue(&state, force: false)
                return .success(enforceBound(&state))
            } catch let error as AlertSpoolError {
                return .failure(error)
            } catch {
                return .failure(AlertSpoolError(path: directory, operation: "append", errno: EIO))
            }
        }
        return try result.get()
    }

    private func appendRecord(_ payload: [UInt8], to buffer: inout [UInt8]) {
        let length = UInt32(payload.count)
        let crc = CRC32.checksum(payload)
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8((length >> UInt32(shift)) & 0xFF)) }
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
        buffer.append(contentsOf: payload)
    }

    private func flush(_ buffer: inout [UInt8], records: inout Int, state: inout State) throws(AlertSpoolError) {
        guard !buffer.isEmpty, var segment = state.segments.last else { return }
        let path = segmentPath(segment.sequence)
        var written = 0
        while written < buffer.count {
            let n = buffer.withUnsafeBytes { raw in
                Glibc.write(state.writeFD, raw.baseAddress! + written, raw.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                // Cut off the partial record so the segment stays parseable.
                _ = ftruncate(state.writeFD, off_t(segment.bytes))
                throw AlertSpoolError(path: path, operation: "write", errno: code)
            }
            written += n
        }
        segment.bytes += Int64(buffer.count)
        segment.records += records
        state.segments[state.segments.count - 1] = segment
        state.unsynced = true
        buffer.removeAll(keepingCapacity: true)
        records = 0
    }

    private func roll(_ state: inout State) throws(AlertSpoolError) {
        if state.writeFD >= 0 {
            if fsync != .never { _ = Glibc.fsync(state.writeFD) }
            Glibc.close(state.writeFD)
            state.writeFD = -1
        }
        let sequence = (state.segments.last?.sequence ?? state.cursor.segment) + 1
        let path = segmentPath(sequence)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AlertSpoolError(path: path, operation: "create", errno: errno) }
        state.writeFD = fd
        state.segments.append(Segment(sequence: sequence, bytes: 0, records: 0))
        if fsync != .never { syncDirectory() }
    }

    private func syncIfDue(_ state: inout State, force: Bool) {
        guard state.unsynced, state.writeFD >= 0 else { return }
        switch fsync {
        case .never: return
        case .always: break
        case .interval(let milliseconds):
            if !force && ContinuousClock.now - state.lastSync < .milliseconds(milliseconds) { return }
        }
        _ = Glibc.fsync(state.writeFD)
        state.lastSync = .now
        state.unsynced = false
    }

    /// Flushes pending writes to disk (for the `interval` policy when the sink goes idle).
    public func sync() {
        state.withLockedValue { syncIfDue(&$0, force: true) }
    }

    private func enforceBound(_ state: inout State) -> Int {
        var dropped = 0
        var total = state.segments.reduce(Int64(0)) { $0 + $1.bytes }
        while total > maximumBytes, state.segments.count > 1 {
            let oldest = state.segments.removeFirst()
            total -= oldest.bytes
            unlink(segmentPath(oldest.sequence))
            if oldest.sequence > state.cursor.segment {
                dropped += oldest.records
            } else if oldest.sequence == state.cursor.segment {
                dropped += oldest.records - state.cursor.index
            }
            if state.cursor.segment <= oldest.sequence, let next = state.segments.first {
                state.cursor = Position(segment: next.sequence, offset: 0, index: 0)
                writeCursor(state.cursor)
            }
        }
        if dropped > 0 {
            logger.error(
                "alert spool full: dropped the oldest undelivered alerts",
                metadata: ["spool": "\(directory)", "dropped": "\(dropped)", "max_bytes": "\(maximumBytes)"])
        }
        return dropped
    }

    // MARK: Reading

    /// Up to `maximum` records from the head, oldest first, without consuming them.
    public func read(maximum: Int) throws(AlertSpoolError) -> [Record] {
        let result: Result<[Record], AlertSpoolError> = state.withLockedValue { state in
            var records: [Record] = []
            var position = state.cursor
            while records.count < maximum {
                guard let index = state.segments.firstIndex(where: { $0.sequence >= position.segment }) else { break }
                let segment = state.segments[index]
                if segment.sequence != position.segment { position = Position(segment: segment.sequence, offset: 0, index: 0) }
                if position.offset >= segment.bytes {
                    guard index + 1 < state.segments.count else { break }
                    position = Position(segment: state.segments[index + 1].sequence, offset: 0, index: 0)
                    continue
                }
                let path = segmentPath(segment.sequence)
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { return .failure(AlertSpoolError(path: path, operation: "open", errno: errno)) }
                defer { Glibc.close(fd) }
                // Read in chunks from the cursor, not the whole segment: a batch is small, a segment is not.
                var chunkSize = 64 << 10
                while records.count < maximum, position.offset < segment.bytes {
                    let length = Int(min(Int64(chunkSize), segment.bytes - position.offset))
                    var bytes = [UInt8](repeating: 0, count: length)
                    var got = 0
                    while got < length {
                        let n = bytes.withUnsafeMutableBytes { raw in
                            pread(fd, raw.baseAddress! + got, raw.count - got, off_t(position.offset) + off_t(got))
                        }
                        if n < 0 && errno == EINTR { continue }
                        guard n > 0 else {
                            return .failure(AlertSpoolError(path: path, operation: "read", errno: n < 0 ? errno : EIO))
                        }
                        got += n
                    }
                    var at = 0
                    while records.count < maximum, let (payload, next) = AlertSpool.parseRecord(bytes, at: at) {
                        at = next
                        position.offset += Int64(payload.count + AlertSpool.headerSize)
                        position.index += 1
                        records.append(Record(payload: payload, end: position))
                    }
                    if at == 0 {
                        // The next record does not fit in the chunk: read exactly its size, or give up on damage.
                        guard bytes.count >= AlertSpool.headerSize else {
                            return .failure(AlertSpoolError(path: path, operation: "parse record at \(position.offset)", errno: EIO))
                        }
                        let needed = AlertSpool.headerSize + Int(bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                        guard needed > length, Int64(needed) <= segment.bytes - position.offset else {
                            return .failure(AlertSpoolError(path: path, operation: "parse record at \(position.offset)", errno: EIO))
                        }
                        chunkSize = needed
                    }
                }
            }
            return .success(records)
        }
        return try result.get()
    }

    /// Consumes everything up to `position` (from `Record.end`). Positions already passed are ignored.
    public func commit(_ position: Position) {
        state.withLockedValue { state in
            guard state.cursor < position else { return }
            state.cursor = position
            while let first = state.segments.first, first.sequence < position.segment, state.segments.count > 1 {
                state.segments.removeFirst()
                unlink(segmentPath(first.sequence))
            }
            writeCursor(position)
        }
    }

    /// The uuids of the alerts in the newest segments, up to `bytes` of them, delivered or not: everything here
    /// was accepted for this sink, so a resuming daemon must not hand it over again.
    public func uuids(scanning bytes: Int) -> Set<String> {
        let segments = state.withLockedValue { $0.segments }
        var result = Set<String>()
        var budget = bytes
        for segment in segments.reversed() where budget > 0 {
            guard let data = readWholeFile(segmentPath(segment.sequence)) else { continue }
            budget -= data.count
            var at = 0
            while let (payload, next) = AlertSpool.parseRecord(data, at: at) {
                at = next
                if let uuid = DeliveredAlerts.uuid(in: payload, 0..<payload.count) { result.insert(uuid) }
            }
        }
        return result
    }

    /// Undelivered records.
    public var pendingCount: Int {
        state.withLockedValue { state in
            state.segments.reduce(0) { sum, segment in
                if segment.sequence > state.cursor.segment { return sum + segment.records }
                if segment.sequence == state.cursor.segment { return sum + segment.records - state.cursor.index }
                return sum
            }
        }
    }

    public var isEmpty: Bool { pendingCount == 0 }

    /// Bytes held on disk in segments.
    public var diskBytes: Int64 { state.withLockedValue { $0.segments.reduce(0) { $0 + $1.bytes } } }

    public func close() {
        state.withLockedValue { state in
            guard !state.closed else { return }
            state.closed = true
            syncIfDue(&state, force: true)
            if state.writeFD >= 0 { Glibc.close(state.writeFD) }
            state.writeFD = -1
            Glibc.close(lockFD)
        }
    }

    // MARK: Files

    private func segmentPath(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
    }

    private func writeCursor(_ position: Position) {
        let temporary = directory + "/cursor.tmp"
        let text = Array("\(position.segment) \(position.offset) \(position.index)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            logger.error("cannot save alert spool cursor", metadata: ["path": "\(temporary)", "errno": "\(errno)"])
            return
        }
        _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        if fsync != .never { _ = Glibc.fsync(fd) }
        Glibc.close(fd)
        rename(temporary, directory + "/cursor")
    }

    private func syncDirectory() {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = Glibc.fsync(fd)
            Glibc.close(fd)
        }
    }

    static func parseRecord(_ bytes: [UInt8], at start: Int) -> (payload: [UInt8], next: Int)? {
        guard start + headerSize <= bytes.count else { return nil }
        var length: UInt32 = 0
        var crc: UInt32 = 0
        for i in 0..<4 {
            length = length << 8 | UInt32(bytes[start + i])
            crc = crc << 8 | UInt32(bytes[start + 4 + i])
        }
        let end = start + headerSize + Int(length)
        guard end <= bytes.count else { return nil }
        let payload = Array(bytes[(start + headerSize)..<end])
        guard CRC32.checksum(payload) == crc else { return nil }
        return (payload, end)
    }

    /// Reads the segments and cursor a previous run left; cuts off a torn record at the tail.
    private static func recover(directory: String, into state: inout State, logger: Logger) throws(AlertSpoolError) {
        guard let dir = opendir(directory) else { throw AlertSpoolError(path: directory, operation: "opendir", errno: errno) }
        var sequences: [UInt64] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".seg"), let sequence = UInt64(name.dropLast(4)) { sequences.append(sequence) }
        }
        closedir(dir)
        sequences.sort()
        for sequence in sequences {
            let digits = String(sequence)
            let path = directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
            guard let bytes = readWholeFile(path) else { throw AlertSpoolError(path: path, operation: "read", errno: errno) }
            var at = 0
            var records = 0
            while at < bytes.count, let (_, next) = parseRecord(bytes, at: at) {
                at = next
                records += 1
            }
            if at < bytes.count {
                logger.warning(
                    "alert spool: cutting off a torn or corrupted record (crash during write?)",
                    metadata: ["segment": "\(path)", "valid_bytes": "\(at)", "file_bytes": "\(bytes.count)"])
                _ = truncate(path, off_t(at))
            }
            state.segments.append(Segment(sequence: sequence, bytes: Int64(at), records: records))
        }
        if let text = readWholeFile(directory + "/cursor") {
            let parts = String(decoding: text, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            if parts.count == 3, let segment = UInt64(parts[0]), let offset = Int64(parts[1]), let index = Int(parts[2]) {
                state.cursor = Position(segment: segment, offset: offset, index: index)
            }
        }
        if let first = state.segments.first, state.cursor.segment < first.sequence {
            state.cursor = Position(segment: first.sequence, offset: 0, index: 0)
        }
        if let current = state.segments.first(where: { $0.sequence == state.cursor.segment }),
            state.cursor.offset > current.bytes || state.cursor.index > current.records
        {
            state.cursor.offset = current.bytes
            state.cursor.index = current.records
        }
        // Fully consumed segments left by a crash between commit and unlink.
        while let first = state.segments.first, first.sequence < state.cursor.segment {
            state.segments.removeFirst()
            let digits = String(first.sequence)
            unlink(directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg")
        }
        if let last = state.segments.last {
            let digits = String(last.sequence)
            let path = directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
            state.writeFD = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard state.writeFD >= 0 else { throw AlertSpoolError(path: path, operation: "open", errno: errno) }
        }
        let pending = state.segments.reduce(0) { $0 + $1.records } - state.cursor.index
        if pending > 0 {
            logger.info(
                "alert spool: undelivered alerts from a previous run will be delivered",
                metadata: ["spool": "\(directory)", "pending": "\(pending)"])
        }
    }
}

/// A spool file operation failed; the path and errno say which and why.
public struct AlertSpoolError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String { "alert spool \(operation) \(path): \(String(cString: strerror(errno)))" }
}

func makeDirectories(_ path: String) throws(AlertSpoolError) {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        prefix += "/" + component
        if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
            throw AlertSpoolError(path: prefix, operation: "mkdir", errno: errno)
        }
    }
}

func readWholeFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { Glibc.close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return n == 0 ? result : nil }
        result.append(contentsOf: chunk[0..<n])
    }
}
