/// open(2) flags as Falco names them, for `evt.arg.flags` and `evt.is_open_*`.
enum OpenFlags {
    static let names: [(UInt64, String)] = [
        (0o100, "O_CREAT"), (0o200, "O_EXCL"), (0o400, "O_NOCTTY"), (0o1000, "O_TRUNC"), (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"), (0o10000, "O_DSYNC"), (0o20000, "O_ASYNC"), (0o40000, "O_DIRECT"),
        (0o200000, "O_DIRECTORY"), (0o400000, "O_NOFOLLOW"), (0o1000000, "O_NOATIME"), (0o2000000, "O_CLOEXEC"),
        (0o10000000, "O_PATH"), (0o20200000, "O_TMPFILE"),
    ]

    /// `O_RDONLY|O_CLOEXEC`-style text.
    static func text(_ flags: UInt64) -> String {
        var parts: [String] = []
        switch flags & 3 {
        case 0: parts.append("O_RDONLY")
        case 1: parts.append("O_WRONLY")
        case 2: parts.append("O_RDWR")
        default: break
        }
        for (bit, name) in names where flags & bit == bit && name != "O_TMPFILE" { parts.append(name) }
        return parts.joined(separator: "|")
    }

    /// The flags argument of an open-family syscall: which of a0…a3 carries it.
    static func argumentIndex(syscall: String) -> Int? {
        switch syscall {
        case "open": return 1
        case "openat": return 2  // openat2 passes a struct pointer: its flags are not in a2
        case "creat": return nil
        default: return nil
        }
    }
}
