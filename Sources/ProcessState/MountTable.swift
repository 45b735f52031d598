import AuditStream

/// `proc.is_exe_upper_layer`: whether a process's executable lies in the upper (writable) layer of an overlayfs
/// root — a binary written or modified inside the container rather than shipped in the image.
///
/// Falco decides it in the kernel; from user space the mount that holds the executable is found in
/// /proc/PID/mountinfo (longest mount-point prefix) and, if it is an overlay, the file is looked up in its `upperdir`.
/// Parsed mount tables are cached per mount namespace.
final class MountTable {
    struct Mount {
        var root: [UInt8]
        var mountPoint: [UInt8]
        var fsType: [UInt8]
        var upperDir: [UInt8]?
    }

    private var byNamespace: [[UInt8]: [Mount]] = [:]
    let capacity = 256

    /// Called after a syscall that changes mounts (`SyscallKind.mountChange`; a few per container start).
    func invalidate() { byNamespace.removeAll(keepingCapacity: true) }

    func isUpperLayer(pid: Int64, path: Bytes, proc: ProcFS) -> Bool? {
        guard path.first == UInt8(ascii: "/") else { return nil }
        guard let mounts = mounts(pid: pid, proc: proc) else { return nil }
        var best: Mount? = nil
        for m in mounts where Self.isPrefix(m.mountPoint, of: path) {
            if best == nil || m.mountPoint.count >= best!.mountPoint.count { best = m }
        }
        guard let m = best else { return nil }
        guard m.fsType == Array("overlay".utf8), let upper = m.upperDir else { return false }
        var rel = Array(path.dropFirst(m.mountPoint == [UInt8(ascii: "/")] ? 0 : m.mountPoint.count))
        if m.root != [UInt8(ascii: "/")] { rel = m.root + rel }
        return SystemFile.isRegularFile(String(decoding: upper + rel, as: UTF8.self))
    }

    func mounts(pid: Int64, proc: ProcFS) -> [Mount]? {
        let ns = proc.namespace(pid, "mnt")
        if let ns, let hit = byNamespace[ns] { return hit }
        guard let text = proc.mountinfo(pid) else { return nil }
        let parsed = Self.parse(text)
        if let ns {
            if byNamespace.count >= capacity { byNamespace.removeAll(keepingCapacity: true) }
            byNamespace[ns] = parsed
        }
        return parsed
    }

    /// `36 35 98:0 /root /mnt rw,noatime master:1 - overlay overlay rw,lowerdir=…,upperdir=…,workdir=…`
    static func parse(_ text: [UInt8]) -> [Mount] {
        var out: [Mount] = []
        for line in text.split(separator: 10) {
            let f = line.split(separator: UInt8(ascii: " "))
            guard f.count >= 10, let dash = f.firstIndex(where: { $0.count == 1 && $0.first == UInt8(ascii: "-") }),
                dash > 5, dash + 2 < f.count
            else { continue }
            var m = Mount(root: unescape(f[3]), mountPoint: unescape(f[4]), fsType: Array(f[dash + 1]), upperDir: nil)
            if dash + 3 < f.count {
                for opt in f[dash + 3].split(separator: UInt8(ascii: ","))
                where opt.starts(with: Array("upperdir=".utf8)) {
                    m.upperDir = unescape(opt.dropFirst(9))
                }
            }
            out.append(m)
        }
        return out
    }

    /// mountinfo escapes space, tab, newline and backslash as `\ooo`.
    static func unescape(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == UInt8(ascii: "\\"), s.endIndex - i >= 4, let v = Number.octal(s[(i + 1)..<(i + 4)]), v < 256 {
                out.append(UInt8(v))
                i += 4
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    static func isPrefix(_ mountPoint: [UInt8], of path: Bytes) -> Bool {
        if mountPoint == [UInt8(ascii: "/")] { return true }
        guard path.count >= mountPoint.count, path.prefix(mountPoint.count).elementsEqual(mountPoint) else {
            return false
        }
        return path.count == mountPoint.count || path[path.startIndex + mountPoint.count] == UInt8(ascii: "/")
    }
}
