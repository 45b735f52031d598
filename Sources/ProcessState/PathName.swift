import AuditStream

/// Absolute path names from what a syscall passed: a relative name joined to the directory it was relative to
/// (the CWD, or a dirfd's path), then `.`/`..`/`//` removed lexically, as libsinsp builds `fd.name`.
public enum PathName {
    public static func join(_ base: Bytes?, _ name: Bytes) -> Bytes? {
        if name.first == UInt8(ascii: "/") { return normalize(name) }
        guard let base, base.first == UInt8(ascii: "/") else { return nil }
        var joined = Array(base)
        if joined.last != UInt8(ascii: "/") { joined.append(UInt8(ascii: "/")) }
        joined.append(contentsOf: name)
        return normalize(joined[...])
    }

    public static func normalize(_ path: Bytes) -> Bytes {
        // Nearly every name the kernel logs is already absolute and clean: hand it back without a copy.
        if isNormal(path) { return path }
        var parts: [ArraySlice<UInt8>] = []
        for c in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if c.count == 1, c.first == UInt8(ascii: ".") { continue }
            if c.count == 2, c.first == UInt8(ascii: "."), c.last == UInt8(ascii: ".") {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(c)
        }
        var out: [UInt8] = []
        out.reserveCapacity(path.count)
        for p in parts {
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: p)
        }
        if out.isEmpty { out = [UInt8(ascii: "/")] }
        return out[...]
    }

    /// True when `normalize` would return the same bytes: absolute, no empty, `.` or `..` component, no
    /// trailing slash (except `/` itself).
    static func isNormal(_ path: Bytes) -> Bool {
        guard path.first == UInt8(ascii: "/") else { return false }
        if path.count == 1 { return true }
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        return path.withUnsafeBufferPointer { p in
            // `run` counts the bytes of the current component; `dots` whether they are all dots so far.
            var run = 0
            var dots = true
            for i in 1..<p.count {
                let c = p[i]
                if c == slash {
                    if run == 0 || (dots && run <= 2) { return false }
                    run = 0
                    dots = true
                } else {
                    run += 1
                    if c != dot { dots = false }
                }
            }
            return !(run == 0 || (dots && run <= 2))
        }
    }

    /// (directory, file name) of an absolute path: `/etc/shadow` → (`/etc`, `shadow`); `/` → (`/`, ``).
    public static func split(_ path: Bytes) -> (directory: Bytes, filename: Bytes) {
        guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else {
            return (path[path.startIndex..<path.startIndex], path)
        }
        let dir = slash == path.startIndex ? path[slash...slash] : path[path.startIndex..<slash]
        return (dir, path[(slash + 1)...])
    }
}
