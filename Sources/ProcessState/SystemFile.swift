#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Small, allocation-light reads of /proc and runtime files (no Foundation on the per-event path).
///
/// Every read is bounded: /proc files are kernel-generated, but a container's /etc/passwd is written by whoever runs
/// in the container and may be a FIFO, a symlink out of its root, or gigabytes long.
enum SystemFile {
    /// The whole file, at most `limit` bytes; nil when it cannot be opened or read.
    static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = posixOpen(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readAll(fd, limit: limit)
    }

    static func readAll(_ fd: Int32, limit: Int) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while out.count < limit {
            let want = min(chunk.count, limit - out.count)
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, want) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// When a file was last written, nanoseconds since the epoch: the runtimes write a container's pid file as its
    /// init starts, so its mtime is the container's start.
    static func modificationNanos(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    /// The target of a symbolic link (also the magic links of /proc/PID/{exe,cwd,root,fd/N}).
    static func readLink(_ path: String) -> [UInt8]? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = buf.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, 4096) }
        guard n >= 0 else { return nil }
        return buf[0..<n].map { UInt8(bitPattern: $0) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// True when the path resolves (following links) to a directory.
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// (device, inode) of what a path resolves to; identifies a root directory or a file.
    static func identity(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), modified: Int64(st.st_mtim.tv_sec))
    }

    /// Reads `components` below the directory `root` without following any symbolic link on the way: the file a
    /// container calls /etc/passwd is opened as the container sees it, and a link pointing out of its root is refused
    /// instead of being resolved in the daemon's own root. Only regular files are read (a FIFO would block).
    static func readBelow(root: String, components: [String], limit: Int = 4 << 20) -> [UInt8]? {
        var dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0, !components.isEmpty else {
            if dir >= 0 { close(dir) }
            return nil
        }
        for c in components.dropLast() {
            let next = openat(dir, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(dir)
            guard next >= 0 else { return nil }
            dir = next
        }
        let fd = openat(
            dir, components[components.count - 1], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        close(dir)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return readAll(fd, limit: limit)
    }

    /// Names in a directory (without `.` and `..`).
    static func list(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

// Outside `SystemFile`, whose own `read`/`open` names would shadow the C functions.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }

/// A file's device and inode (and mtime, to notice a rewritten /etc/passwd).
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var modified: Int64
}
