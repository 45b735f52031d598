import AuditStream
import ProcessState
import RuleEngine

/// `fs.path.*`: the path a filesystem syscall operated on, for the syscalls libsinsp's fspath check lists and only
/// when the call succeeded (libsinsp's success checks: res = 0, or an fd for the open family).
///
/// Which PATH item is which follows the kernel's order of items, as `evt.arg.*` does: the object of a one-path call
/// is its named non-PARENT item; rename's source is its DELETE item and its target the CREATE one; link(2)'s
/// source is the *new* name (CREATE) and its target the existing file (NORMAL), and symlink's source the link
/// (CREATE) and its target the content (UNKNOWN) — libsinsp's choice, kept so rules mean the same. Names are made
/// absolute as `fd.name`'s are (`itemName`): a name relative to a dirfd Vigil does not know stays missing.
extension AuditFieldSource {
    enum FSPathRole { case name, source, target }

    static let fsPathNameSyscalls: Set<String> = [
        "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "open", "openat", "openat2", "chmod", "fchmodat",
        "fchmodat2", "fchmod", "chown", "lchown", "fchown", "fchownat", "quotactl", "umount", "umount2",
    ]
    static let fsPathOpenSyscalls: Set<String> = ["open", "openat", "openat2"]

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
        let nametype: String
        switch (name, role) {
        // The object of a one-path call is what `fd.name` names (fchmod/fchown: the fd table's file).
        case (_, .name): return Self.fsPathNameSyscalls.contains(name) ? fdName(raw: raw) : nil
        case ("rename", .source), ("renameat", .source), ("renameat2", .source): nametype = "DELETE"
        case ("rename", _), ("renameat", _), ("renameat2", _): nametype = "CREATE"
        case ("link", .source), ("linkat", .source), ("symlink", .source), ("symlinkat", .source): nametype = "CREATE"
        case ("link", _), ("linkat", _): nametype = "NORMAL"
        case ("symlink", _), ("symlinkat", _): nametype = "UNKNOWN"
        default: return nil
        }
        return pathItem(nametype: nametype).flatMap { itemName($0, raw: raw) }
    }
}
