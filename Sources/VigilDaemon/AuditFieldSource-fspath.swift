import AuditStream
import ProcessState
import RuleEngine

/// `fs.path.*`: the path a filesystem syscall operated on, for the syscalls libsinsp's fspath check lists and only
/// when the call succeeded (libsinsp's success checks: res = 0, or an fd for the open family).
///
/// Which PATH item is which follows the kernel's order of items, as `evt.arg.*` does: the object of a one-path call
/// is its named non-PARENT item; rename's source is its DELETE item and its target the CREATE one; link(2)'s
/// source is the *new* name (CREATE) and its target the existing file (NORMAL), and symlink's source the link
/// (CREATE) and its target the content (UNKNOWN) — libsinsp's choice, kept so rules mean the same.
extension AuditFieldSource {
    enum FSPathRole { case name, source, target }

    static let fsPathNameSyscalls: Set<String> = [
        "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "open", "openat", "openat2", "chmod", "fchmodat",
        "fchmodat2", "fchmod", "chown", "lchown", "fchown", "fchownat", "quotactl", "umount", "umount2",
    ]
    static let fsPathOpenSyscalls: Set<String> = ["open", "openat", "openat2"]
    static let fsPathFDSyscalls: Set<String> = ["fchmod", "fchown"]

    func fsPath(_ f: AuditField) -> FieldValue? {
        guard let sc = decoded.syscall, let name = sc.name, let exit = sc.exit else { return nil }
        // open* succeed with any fd; the rest return 0.
        guard Self.fsPathOpenSyscalls.contains(name) ? exit >= 0 : exit == 0 else { return nil }
        let raw = f == .fsPathNameRaw || f == .fsPathSourceRaw || f == .fsPathTargetRaw
        let role: FSPathRole
        switch f {
        case .fsPathName, .fsPathNameRaw: role = .name
        case .fsPathSource, .fsPathSourceRaw: role = .source
        default: role = .target
        }
        switch role {
        case .name:
            guard Self.fsPathNameSyscalls.contains(name) else { return nil }
            if Self.fsPathFDSyscalls.contains(name) {
                // fchmod/fchown name no path: the fd's, from the fd table.
                guard let fd = enriched?.fd, !fd.type.isSocket, let n = raw ? (fd.nameRaw ?? fd.name) : fd.name
                else { return nil }
                return .string(Array(n))
            }
            return pathItem.flatMap { fsPathValue($0, raw: raw) }
        case .source, .target:
            let nametype: String
            switch (name, role) {
            case ("rename", .source), ("renameat", .source), ("renameat2", .source): nametype = "DELETE"
            case ("rename", _), ("renameat", _), ("renameat2", _): nametype = "CREATE"
            case ("link", .source), ("linkat", .source), ("symlink", .source), ("symlinkat", .source): nametype = "CREATE"
            case ("link", _), ("linkat", _): nametype = "NORMAL"
            case ("symlink", _), ("symlinkat", _): nametype = "UNKNOWN"
            default: return nil
            }
            return pathItem(nametype: nametype).flatMap { fsPathValue($0, raw: raw) }
        }
    }

    /// A PATH item's name as passed, or made absolute: the enricher's resolution (CWD or the syscall's dirfd), else
    /// the CWD record, as libsinsp prepends the thread's CWD.
    func fsPathValue(_ item: DecodedEvent.PathItem, raw: Bool) -> FieldValue? {
        guard let name = item.name else { return nil }
        if raw { return .string(Array(name)) }
        if name.first == UInt8(ascii: "/") { return .string(Array(PathName.normalize(name))) }
        if let e = enriched,
            let resolved = e.paths.first(where: { $0.item == item.item && $0.nameRaw.map { $0.elementsEqual(name) } == true })?
                .name
        {
            return .string(Array(resolved))
        }
        let cwd = decoded.cwd ?? enriched?.process.cwd
        return PathName.join(cwd, name).map { .string(Array($0)) }
    }
}
