import AuditStream

/// Live fallback for an fd the audit stream never showed being made: /proc/PID/fd/N names the object
/// (`socket:[ino]`, `pipe:[ino]`, `anon_inode:[eventfd]`, a path), and for a socket the protocol tables of the
/// process's network namespace (/proc/PID/net/{tcp,udp,raw}{,6}, unix) give family, protocol and both ends.
enum SocketTable {
    static func entry(forLink link: [UInt8], fd: Int64, pid: Int64, proc: ProcFS) -> FDEntry {
        let s = String(decoding: link, as: UTF8.self)
        if s.hasPrefix("/") {
            let isDirectory = SystemFile.isDirectory(proc.path(pid, "fd/\(fd)"))
            return FDEntry(type: isDirectory ? .directory : .file, name: Bytes(link))
        }
        if s.hasPrefix("socket:["), let ino = UInt64(s.dropFirst(8).dropLast()) {
            return socket(inode: ino, pid: pid, proc: proc) ?? FDEntry(type: .socket)
        }
        if s.hasPrefix("pipe:[") { return FDEntry(type: .pipe) }
        switch s {
        case "anon_inode:[eventfd]": return FDEntry(type: .event)
        case "anon_inode:[signalfd]": return FDEntry(type: .signalfd)
        case "anon_inode:[eventpoll]": return FDEntry(type: .eventpoll)
        case "anon_inode:inotify": return FDEntry(type: .inotify)
        default: return FDEntry(type: .unknown)
        }
    }

    static func socket(inode: UInt64, pid: Int64, proc: ProcFS) -> FDEntry? {
        let tables: [(String, FileDescriptorType, String)] = [
            ("tcp", .ipv4, "tcp"), ("udp", .ipv4, "udp"), ("tcp6", .ipv6, "tcp"), ("udp6", .ipv6, "udp"),
            ("raw", .ipv4, "raw"), ("raw6", .ipv6, "raw"),
        ]
        for (file, type, proto) in tables {
            guard let text = SystemFile.read(proc.path(pid, "net/" + file), limit: 16 << 20) else { continue }
            for line in text.split(separator: 10).dropFirst() {
                let f = line.split(separator: UInt8(ascii: " "))
                guard f.count > 9, Number.decimal(f[9]).map({ UInt64($0) == inode }) == true else { continue }
                var e = FDEntry(type: type, l4proto: proto)
                e.local = endpoint(f[1])
                e.remote = endpoint(f[2])
                if proto == "tcp", f[3].elementsEqual(Array("0A".utf8)) { e.isServer = true }
                if let r = e.remote, r.port == 0, r.address.allSatisfy({ $0 == 0 }) { e.remote = nil }
                return e
            }
        }
        if let text = SystemFile.read(proc.path(pid, "net/unix"), limit: 16 << 20) {
            for line in text.split(separator: 10).dropFirst() {
                let f = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
                guard f.count > 6, Number.decimal(f[6]).map({ UInt64($0) == inode }) == true else { continue }
                var e = FDEntry(type: .unix)
                if f.count > 7 { e.name = Bytes(Array(f[7])) }
                return e
            }
        }
        return nil
    }

    /// `0100007F:1F90` (IPv4, a host-order word) or 32 hex digits (IPv6, four host-order words) and a port.
    static func endpoint(_ field: ArraySlice<UInt8>) -> SocketEndpoint? {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")), let port = Number.hex(field[(colon + 1)...]) else {
            return nil
        }
        let hex = field[..<colon]
        guard hex.count == 8 || hex.count == 32 else { return nil }
        var address: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            guard let word = Number.hex(hex[i..<(i + 8)]) else { return nil }
            let w = UInt32(word)
            // The kernel prints each 32-bit word of the address (network byte order in memory) as a host integer.
            let bytes = withUnsafeBytes(of: w) { Array($0) }
            address.append(contentsOf: bytes)
            i += 8
        }
        return SocketEndpoint(address: address, port: UInt16(truncatingIfNeeded: port))
    }
}
