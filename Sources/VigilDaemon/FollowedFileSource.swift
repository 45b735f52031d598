import AuditStream

#if canImport(Glibc)
import Glibc
#endif

/// Follows an audit log as auditd writes it: across rotation by rename (a new inode at the path) and by
/// truncation (the file shrinks), with its position persisted so that a restart — even after SIGKILL — neither
/// alerts twice on what it read nor skips what was written while Vigil was down.
///
/// The position saved is the start of the oldest line whose event is still being assembled (a log file has no
/// EOE, so the last two seconds of events are always open), together with the events already emitted from that
/// point on. A restart reads again from there and drops exactly those events; the open ones are completed now.
public final class FollowedFileSource: RecordSource {
    public let path: String
    private let stateFile: String?
    private var fd: Int32 = -1
    private var inode: UInt64 = 0
    /// Byte offset of the first byte not yet consumed as a complete line.
    private var offset: Int64 = 0
    /// Byte offset where line 1 of this reading started, and where each later line starts (line - 1 - base).
    private var lineStarts: [Int64] = []
    private var lineBase = 1
    private var splitter = LineSplitter()
    /// Events emitted since the last save: (first line, key text).
    private var emitted: [(line: Int, key: String)] = []
    /// On resume: keys emitted before the restart, dropped when they come again, until `suppressUntil` is read.
    private var suppress: Set<String> = []
    private var suppressUntil: Int64 = 0
    private var lastSave: UInt64 = 0
    /// Most bytes one `drain` reads, so that a burst (or a first read of a large file) still lets the daemon
    /// loop save positions, answer signals and serve metrics between chunks.
    static let drainBudget: Int64 = 256 << 10
    /// True when the last `drain` stopped at its budget with more to read (the daemon then polls without waiting).
    public private(set) var hasMore = false
    /// The outputs' delivery watermark (the daemon asks its processor). A position is persisted only once the
    /// alerts raised up to it are settled: persisted earlier, a SIGKILL would make the restart skip them; later,
    /// repeat them.
    public var alertWatermark: () -> (handed: UInt64, settled: UInt64) = { (0, 0) }
    /// Positions waiting for their alerts to settle, oldest first, with the alert count handed out at the time.
    private var pending: [(handed: UInt64, safeOffset: Int64, text: [UInt8])] = []
    static let maxPending = 64
    public private(set) var deferredSaves = 0
    public private(set) var rotations = 0
    public private(set) var suppressedDuplicates = 0
    /// True when this run continues from a saved position (it re-reads what lies after it).
    public let resumed: Bool
    public var finished: Bool { false }
    public var lost: Int { 0 }
    public var pollDescriptor: Int32? { nil }
    public var name: String { "file" }

    /// `stateFile`: where the position is kept; nil to start at the end of the file without persistence
    /// (`fromStart`: at its beginning, as `vigil tail --file --follow` reads a log whole, then what is appended).
    public init(path: String, stateFile: String?, fromStart: Bool = false) {
        self.path = path
        self.stateFile = stateFile
        var st = stat()
        let exists = stat(path, &st) == 0
        let saved = stateFile.flatMap(Self.readState)
        resumed = saved != nil
        if let saved {
            if exists, UInt64(st.st_ino) == saved.inode, Int64(st.st_size) >= saved.safeOffset {
                suppress = saved.emitted
                suppressUntil = saved.consumed
                openFile(at: saved.safeOffset)
            } else {
                openFile(at: 0)  // rotated while we were down: the saved inode is gone, read the new file whole
            }
        } else {
            openFile(at: exists && !fromStart ? Int64(st.st_size) : 0)
            // Written now, so that a kill before the first periodic save restarts from here, not at the end.
            writeState(stateText(safeOffset: offset))
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    private func openFile(at position: Int64) {
        if fd >= 0 { close(fd) }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        splitter = LineSplitter()
        guard fd >= 0 else { return }
        var st = stat()
        fstat(fd, &st)
        inode = UInt64(st.st_ino)
        offset = min(position, Int64(st.st_size))
        lseek(fd, off_t(offset), SEEK_SET)
        lineStarts = []
        lineBase = 1
        emitted = []
    }

    private static func keyText(_ e: AuditEvent, _ nodes: NodeTable) -> String {
        (nodes.name(e.key.node) ?? "-") + " " + e.stamp.text
    }

    /// Wraps the daemon's handler: drops events emitted before a restart, remembers the ones emitted now.
    private func tracking(
        _ pipeline: AuditStreamPipeline, _ emit: @escaping (AuditStreamPipeline.Output) -> Void
    ) -> (AuditStreamPipeline.Output) -> Void {
        { [self] out in
            if case .event(let e) = out {
                let key = Self.keyText(e, pipeline.nodes)
                if !suppress.isEmpty, suppress.contains(key) {
                    suppressedDuplicates += 1
                    return
                }
                let first = e.records.map(\.line).filter { $0 > 0 }.min() ?? 0
                emitted.append((first, key))
            }
            emit(out)
        }
    }

    public func drain(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void) throws -> Int {
        if fd < 0 { openFile(at: 0) }
        guard fd >= 0 else { return 0 }
        return withoutActuallyEscaping(emit) { emit in
            let handler = tracking(pipeline, emit)
            var count = 0
            let start = offset
            hasMore = false
            while true {
                if offset - start >= Self.drainBudget {
                    hasMore = true
                    break
                }
                let n = splitter.fill(from: fd)
                if n <= 0 { break }
                count += splitter.lines { line, number in
                    lineStarts.append(offset)
                    offset += Int64(line.count + 1)
                    pipeline.push(line: line, number: number, now: now, emit: handler)
                }
            }
            if !suppress.isEmpty, offset >= suppressUntil { suppress = [] }
            // Rotation: the path now names another file, or ours was truncated below what we read. Only once
            // the old file is read to its end: a read stopped at the budget has more of it to come.
            var pathStat = stat()
            var ourStat = stat()
            fstat(fd, &ourStat)
            if hasMore {
                // checked again on the next drain
            } else if stat(path, &pathStat) == 0, UInt64(pathStat.st_ino) != inode {
                rotations += 1
                // Events of the old file end with it; then the new file is read from its start.
                pipeline.finish(emit: handler)
                openFile(at: 0)
                save(pipeline, force: true)
                count += (try? drain(into: pipeline, now: now, emit: emit)) ?? 0
            } else if Int64(ourStat.st_size) < offset {
                rotations += 1
                pipeline.finish(emit: handler)
                openFile(at: 0)
                save(pipeline, force: true)
            }
            if count > 0 || !emitted.isEmpty || !pending.isEmpty, now &- lastSave >= 200_000_000 {
                save(pipeline, force: false)
                lastSave = now
            }
            return count
        }
    }

    public func flush(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void) {
        let before = emitted.count
        withoutActuallyEscaping(emit) { emit in pipeline.flush(now: now, emit: tracking(pipeline, emit)) }
        if emitted.count != before { save(pipeline, force: true) }
    }

    public func finish(into pipeline: AuditStreamPipeline, emit: (AuditStreamPipeline.Output) -> Void) {
        withoutActuallyEscaping(emit) { emit in pipeline.finish(emit: tracking(pipeline, emit)) }
        save(pipeline, force: true)
    }

    /// Takes the position (`inode safeOffset consumedOffset` and the keys emitted from the safe offset on) and
    /// persists the newest position whose alerts are settled (atomic rename). Forced (rotation, the end of the run,
    /// after a reload drained the outputs) it persists the position now. Returns whether it wrote.
    @discardableResult
    private func save(_ pipeline: AuditStreamPipeline, force: Bool) -> Bool {
        guard stateFile != nil else { return false }
        let safeLine = pipeline.assembler.oldestOpenLine.map { max($0, lineBase) }
        var safeOffset = offset
        if let safeLine, safeLine - lineBase < lineStarts.count { safeOffset = lineStarts[safeLine - lineBase] }
        // Forget what lies before the safe point: line offsets and emitted keys.
        let keepFrom = safeLine ?? (lineBase + lineStarts.count)
        if keepFrom > lineBase {
            lineStarts.removeFirst(min(keepFrom - lineBase, lineStarts.count))
            lineBase = keepFrom
        }
        emitted.removeAll { $0.line > 0 && $0.line < keepFrom }
        let text = stateText(safeOffset: safeOffset)
        if force {
            pending = []
            return writeState(text)
        }
        let mark = alertWatermark()
        pending.append((mark.handed, safeOffset, text))
        if pending.count > Self.maxPending { pending.removeFirst(pending.count - Self.maxPending) }
        guard let ready = pending.lastIndex(where: { $0.handed <= mark.settled }) else {
            deferredSaves += 1
            return false
        }
        let written = writeState(pending[ready].text)
        pending.removeFirst(ready + 1)
        return written
    }

    /// The outputs were drained (a reload replaced them): every position taken so far is settled.
    public func outputsDrained() {
        if let newest = pending.last { writeState(newest.text) }
        pending = []
    }

    private func stateText(safeOffset: Int64) -> [UInt8] {
        var text = "vigil-file-source 1\n\(inode) \(safeOffset) \(offset)\n"
        for (_, key) in emitted { text += key + "\n" }
        return Array(text.utf8)
    }

    @discardableResult
    private func writeState(_ bytes: [UInt8]) -> Bool {
        guard let f = stateFile else { return false }
        let tmp = f + ".tmp"
        let out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard out >= 0 else { return false }
        let written = bytes.withUnsafeBytes { write(out, $0.baseAddress, $0.count) }
        fsync(out)
        close(out)
        return written == bytes.count && rename(tmp, f) == 0
    }

    static func readState(_ file: String) -> (inode: UInt64, safeOffset: Int64, consumed: Int64, emitted: Set<String>)? {
        guard let text = FileText.contents(file) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count >= 2, lines[0] == "vigil-file-source 1" else { return nil }
        let parts = lines[1].split(separator: " ")
        guard parts.count == 3, let i = UInt64(parts[0]), let s = Int64(parts[1]), let c = Int64(parts[2]), s >= 0, c >= s
        else { return nil }
        return (i, s, c, Set(lines.dropFirst(2).map(String.init)))
    }
}
