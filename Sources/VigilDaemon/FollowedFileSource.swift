import AuditStream

#if canImport(Glibc)
import Glibc
#endif

/// Follows an audit log as auditd writes it: across rotation by rename (a new inode at the path) and by
/// truncation (the file shrinks), with the position persisted so that a restart resumes where it stopped —
/// neither alerting twice on what was read nor skipping what was written while Vigil was down.
public final class FollowedFileSource: RecordSource {
    public let path: String
    private let offsetFile: String?
    private var fd: Int32 = -1
    private var inode: UInt64 = 0
    private var offset: Int64 = 0  // of the first byte not yet consumed as a complete line
    private var splitter = LineSplitter()
    public private(set) var rotations = 0
    public var finished: Bool { false }
    public var lost: Int { 0 }
    public var pollDescriptor: Int32? { nil }
    public var name: String { "file" }

    /// `offsetFile`: where the position is kept (`inode offset`), nil to start at the end without persistence.
    public init(path: String, offsetFile: String?) {
        self.path = path
        self.offsetFile = offsetFile
        var st = stat()
        if let f = offsetFile, let saved = Self.readOffset(f), stat(path, &st) == 0, UInt64(st.st_ino) == saved.inode,
            Int64(st.st_size) >= saved.offset
        {
            openFile(at: saved.offset)
        } else if offsetFile != nil, Self.readOffset(offsetFile!) != nil {
            openFile(at: 0)  // rotated while we were down: the saved inode is gone, read the new file whole
        } else {
            openFile(at: stat(path, &st) == 0 ? Int64(st.st_size) : 0)
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    private func openFile(at position: Int64) {
        if fd >= 0 { close(fd) }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var st = stat()
        fstat(fd, &st)
        inode = UInt64(st.st_ino)
        offset = min(position, Int64(st.st_size))
        lseek(fd, off_t(offset), SEEK_SET)
        splitter = LineSplitter()
    }

    public func drain(into pipeline: AuditStreamPipeline, now: UInt64, emit: (AuditStreamPipeline.Output) -> Void) throws -> Int {
        if fd < 0 { openFile(at: 0) }
        guard fd >= 0 else { return 0 }
        var count = 0
        while true {
            let before = splitter.pendingBytes
            let n = splitter.fill(from: fd)
            if n <= 0 { break }
            var consumed = 0
            count += splitter.lines { line, number in
                consumed += line.count + 1
                pipeline.push(line: line, number: number, now: now, emit: emit)
            }
            _ = before
            offset += Int64(consumed)
        }
        // Rotation: the path now names another file, or ours was truncated below what we read.
        var pathStat = stat()
        var ourStat = stat()
        fstat(fd, &ourStat)
        if stat(path, &pathStat) == 0, UInt64(pathStat.st_ino) != inode {
            // Finish the old file first (auditd may have written more before renaming), then take the new one.
            rotations += 1
            openFile(at: 0)
            count += try drain(into: pipeline, now: now, emit: emit)
        } else if Int64(ourStat.st_size) < offset {
            rotations += 1
            openFile(at: 0)
        }
        persist()
        return count
    }

    private func persist() {
        guard let f = offsetFile else { return }
        let text = "\(inode) \(offset)\n"
        let tmp = f + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        fsync(fd)
        close(fd)
        rename(tmp, f)
    }

    static func readOffset(_ file: String) -> (inode: UInt64, offset: Int64)? {
        guard let text = FileText.contents(file) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let i = UInt64(parts[0]), let o = Int64(parts[1]), o >= 0 else { return nil }
        return (i, o)
    }
}
