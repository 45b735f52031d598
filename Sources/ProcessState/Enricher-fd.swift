import AuditStream

extension Enricher {
    /// AT_FDCWD (-100) as the kernel logs a register holding it (32- or 64-bit).
    static func isATFDCWD(_ a: UInt64) -> Bool { a & 0xffff_ffff == 0xffff_ff9c }

    /// Syscalls whose a0 is the directory fd that relative names are resolved against.
    static let dirfdInA0: Set<String> = [
        "openat", "openat2", "mkdirat", "mknodat", "fchownat", "futimesat", "newfstatat", "fstatat64", "unlinkat",
        "renameat", "renameat2", "linkat", "readlinkat", "fchmodat", "fchmodat2", "faccessat", "faccessat2",
        "execveat", "name_to_handle_at", "statx", "utimensat", "open_tree", "mount_setattr",
    ]

    /// The PATH items made absolute: relative names against the CWD record (or the process's known cwd), or for
    /// `*at` syscalls with a real dirfd against that fd's path.
    func resolvePaths(_ d: DecodedEvent, record r: ProcessRecord?, dirfdInA0: Bool) -> [ResolvedPath] {
        guard !d.paths.isEmpty else { return [] }
        var base: Bytes? = d.cwd ?? r?.cwd
        if dirfdInA0, let a0 = d.syscall?.args.first,
            !Self.isATFDCWD(a0)
        {
            base = nil
            if let r, let e = fdEntry(r, Int64(Int32(truncatingIfNeeded: a0))), e.type == .directory || e.type == .file
            {
                base = e.name
            }
        }
        return d.paths.map { p in
            var out = ResolvedPath(item: p.item, name: nil, nameRaw: p.name, nametype: p.nametype, inode: p.inode)
            if let n = p.name { out.name = PathName.join(base, n) }
            out.dev = p.dev.flatMap(Self.device)
            out.mode = p.mode
            return out
        }
    }

    /// `fd:01` → major << 20 | minor.
    public static func device(_ text: Bytes) -> UInt32? {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")), let major = Number.hex(text[..<colon]),
            let minor = Number.hex(text[(colon + 1)...]), major < 4096, minor < (1 << 20)
        else { return nil }
        return UInt32(major << 20 | minor)
    }

    /// The fd the syscall operates on.
    func fileDescriptor(
        call: SyscallKind, succeeded: Bool, d: DecodedEvent, record r: ProcessRecord?, paths: [ResolvedPath]
    ) -> FileDescriptorView? {
        let exit = d.syscall?.exit
        let a0 = d.syscall?.args.first.map { Int64(Int32(truncatingIfNeeded: $0)) }
        switch call {
        case .open, .openAt:
            // The opened object: the last named item that is not the parent directory. Nameless items are the
            // filesystem's own lookups: overlayfs copying a directory up on a container's first write below it
            // logs a dozen (work dir CREATE/DELETE, upper dirs), and the last of them is a directory.
            guard let p = paths.last(where: { $0.nameRaw != nil && !$0.isParentDirectory })
                ?? paths.last(where: { !$0.isParentDirectory })
            else { return nil }
            var v = FileDescriptorView(number: succeeded ? exit : -1, type: .file)
            if let mode = p.mode, mode & 0o170000 == 0o040000 { v.type = .directory }
            v.name = p.name
            v.nameRaw = p.nameRaw
            v.inode = p.inode
            v.dev = p.dev
            return v
        case .socket:
            guard let domain = d.syscall?.args.first else { return nil }
            var v = view(
                of: Self.socketEntry(
                    domain: domain, type: d.syscall?.args.dropFirst().first,
                    protocol: d.syscall?.args.dropFirst(2).first), number: succeeded ? exit : -1)
            v.number = succeeded ? exit : -1
            return v
        case .connect, .bind, .sendRecv, .listen:
            guard let r, let fd = a0 else { return nil }
            let e = socketAfter(call: call, entry: fdEntry(r, fd), d: d)
            return e.map { view(of: $0, number: fd) }
        case .accept:
            guard let r, let fd = a0 else { return nil }
            let e = acceptedEntry(listening: fdEntry(r, fd), d: d)
            return view(of: e, number: succeeded ? exit : -1)
        case .newFD(let type):
            return view(of: FDEntry(type: type), number: succeeded ? exit : -1)
        case .dup:
            guard let r, let fd = a0, let e = dupSource(r, fd, newFD: succeeded ? exit : nil) else { return nil }
            return view(of: e, number: fd)
        case .close, .usesFD, .fchdir:
            guard let r, let fd = a0, let e = fdEntry(r, fd) else { return nil }
            return view(of: e, number: fd)
        case .fcntl:
            guard let r, let fd = a0, let e = fdEntry(r, fd) else { return nil }
            return view(of: e, number: fd)
        default:
            return nil
        }
    }

    func applyFDChange(
        call: SyscallKind, succeeded: Bool, d: DecodedEvent, record r: ProcessRecord, paths: [ResolvedPath]
    ) {
        guard succeeded, let exit = d.syscall?.exit else { return }
        let a0 = d.syscall?.args.first.map { Int64(Int32(truncatingIfNeeded: $0)) }
        switch call {
        case .open, .openAt:
            guard exit >= 0, let v = fileDescriptor(call: call, succeeded: true, d: d, record: r, paths: paths) else {
                return
            }
            r.fds[exit] = FDEntry(type: v.type, name: v.name?.compacted, inode: v.inode, dev: v.dev)
        case .socket:
            guard exit >= 0, let domain = d.syscall?.args.first else { return }
            r.fds[exit] = Self.socketEntry(
                domain: domain, type: d.syscall?.args.dropFirst().first, protocol: d.syscall?.args.dropFirst(2).first)
        case .connect, .bind, .listen, .sendRecv:
            guard let fd = a0, let e = socketAfter(call: call, entry: fdEntry(r, fd), d: d) else { return }
            r.fds[fd] = e
        case .accept:
            guard exit >= 0, let fd = a0 else { return }
            r.fds[exit] = acceptedEntry(listening: fdEntry(r, fd), d: d)
        case .newFD(let type):
            if exit >= 0 { r.fds[exit] = FDEntry(type: type) }
        case .dup:
            guard exit >= 0, let fd = a0, exit != fd, let e = dupSource(r, fd, newFD: exit) else { return }
            r.fds[exit] = e
        case .fcntl:
            // F_DUPFD (0) and F_DUPFD_CLOEXEC (1030) duplicate.
            guard exit >= 0, let fd = a0, let cmd = d.syscall?.args.dropFirst().first, cmd == 0 || cmd == 1030,
                let e = fdEntry(r, fd)
            else { return }
            r.fds[exit] = e
        case .close:
            if let fd = a0 { r.fds[fd] = nil }
        default:
            break
        }
    }

    // MARK: entries

    static func socketEntry(domain: UInt64, type: UInt64?, protocol proto: UInt64?) -> FDEntry {
        var e: FDEntry
        switch domain {
        case 2: e = FDEntry(type: .ipv4)
        case 10: e = FDEntry(type: .ipv6)
        case 1: e = FDEntry(type: .unix)
        case 16: e = FDEntry(type: .netlink)
        default: e = FDEntry(type: .socket)
        }
        if e.type == .ipv4 || e.type == .ipv6, let type {
            switch type & 0xf {
            case 1: e.l4proto = "tcp"
            case 2: e.l4proto = proto == 1 || proto == 58 ? "icmp" : "udp"
            case 3: e.l4proto = proto == 1 || proto == 58 ? "icmp" : "raw"
            default: break
            }
        }
        return e
    }

    /// The socket after connect/bind/sendto…: the SOCKADDR is the remote end (connect, sendto) or the local one
    /// (bind).
    func socketAfter(call: SyscallKind, entry: FDEntry?, d: DecodedEvent) -> FDEntry? {
        let addr = d.sockaddrs.first
        guard entry != nil || addr != nil else { return nil }
        var e = entry ?? FDEntry(type: .socket)
        if let addr {
            let (type, endpoint, path) = Self.classify(addr)
            if type != .socket { e.type = type }
            switch call {
            case .bind:
                e.local = endpoint ?? e.local
                e.isServer = true
                if let path { e.name = path }
            case .connect:
                e.remote = endpoint ?? e.remote
                e.isServer = false
                if let path { e.name = path }
            case .sendRecv:
                e.remote = endpoint ?? e.remote
                if e.isServer == nil { e.isServer = false }
                if let path { e.name = path }
            default: break
            }
        }
        if call == .listen { e.isServer = true }
        return e
    }

    func acceptedEntry(listening: FDEntry?, d: DecodedEvent) -> FDEntry {
        var e = FDEntry(type: listening?.type ?? .socket, l4proto: listening?.l4proto)
        e.local = listening?.local
        e.isServer = true
        if listening?.type == .unix { e.name = listening?.name }
        if let addr = d.sockaddrs.first {
            let (type, endpoint, _) = Self.classify(addr)
            if type != .socket { e.type = type }
            e.remote = endpoint
        }
        return e
    }

    static func classify(_ a: SocketAddress) -> (FileDescriptorType, SocketEndpoint?, Bytes?) {
        switch a.family {
        case .inet(let address, let port): return (.ipv4, SocketEndpoint(address: address, port: port), nil)
        case .inet6(let address, let port, _, _): return (.ipv6, SocketEndpoint(address: address, port: port), nil)
        case .unix(let path, let abstract): return (.unix, nil, Bytes((abstract ? [UInt8(ascii: "@")] : []) + path))
        case .netlink: return (.netlink, nil, nil)
        case .other: return (.socket, nil, nil)
        }
    }

    func view(of e: FDEntry, number: Int64?) -> FileDescriptorView {
        var v = FileDescriptorView(number: number, type: e.type)
        v.name = e.name
        v.inode = e.inode
        v.dev = e.dev
        v.l4proto = e.l4proto
        v.local = e.local
        v.remote = e.remote
        v.isServer = e.isServer
        v.namesEndpoints = e.type == .ipv4 || e.type == .ipv6
        return v
    }

    /// The fd a dup* copies, checked against /proc while the process is there. The table learns fds only from
    /// audited syscalls (pipe, close and most dups are not audited), so a number inherited from the parent or
    /// reused can still hold a socket that is long gone: a shell's `dup2(pipe, 1)` then looked like stdout
    /// redirected to the network (stock "Redirect STDOUT/STDIN to Network Connection", red-team run). The new
    /// fd shows the object after the call (the old one may be closed by then); when /proc and the table disagree
    /// on socket or not, /proc wins. A process already gone keeps what the table says.
    func dupSource(_ r: ProcessRecord, _ fd: Int64, newFD: Int64?) -> FDEntry? {
        guard let known = r.fds[fd] else { return fdEntry(r, fd) }
        guard let proc, r.inTable, r.exitedMillis == nil else { return known }
        // A plain loop: a lazy compactMap calls its transform twice, and /proc may answer differently the second
        // time (the fd closed in between) — the daemon died on that force-unwrap inside the standard library.
        var found: (Int64, [UInt8])? = nil
        for n in [newFD, fd] {
            guard let n, n >= 0, let link = proc.fdLink(r.pid, n) else { continue }
            found = (n, link)
            break
        }
        guard let (number, link) = found else { return known }
        let socketNow = link.starts(with: Array("socket:[".utf8))
        if socketNow == known.type.isSocket { return known }
        let current = SocketTable.entry(forLink: link, fd: number, pid: r.pid, proc: proc)
        r.fds[fd] = current
        return current
    }

    /// What the table knows of an fd, else (live) what /proc/PID/fd/N shows now — remembered for the next event.
    func fdEntry(_ r: ProcessRecord, _ fd: Int64) -> FDEntry? {
        if let e = r.fds[fd] { return e }
        guard let proc, fd >= 0, r.inTable, r.exitedMillis == nil, let link = proc.fdLink(r.pid, fd) else { return nil }
        let e = SocketTable.entry(forLink: link, fd: fd, pid: r.pid, proc: proc)
        r.fds[fd] = e
        return e
    }
}
