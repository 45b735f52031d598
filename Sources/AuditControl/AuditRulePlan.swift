/// The syscalls Vigil asks the kernel to audit, derived from what the loaded rules and the process table need.
public struct AuditRulePlan: Sendable, Equatable {
    /// What the process table, container attribution and baselines need whatever rules are loaded.
    public static let baseSyscalls: [String] = [
        "execve", "execveat", "clone", "clone3", "fork", "vfork", "exit_group", "connect", "accept", "accept4",
        "bind", "listen", "socket", "openat", "open", "openat2", "creat", "unlink", "unlinkat", "rename",
        "renameat", "renameat2", "chmod", "fchmod", "fchmodat", "setuid", "setgid", "setreuid", "setregid",
        "setresuid", "setresgid", "ptrace", "mount", "umount2", "unshare", "setns", "init_module", "finit_module",
        "delete_module", "memfd_create", "capset", "chroot", "pivot_root", "symlink", "symlinkat", "link", "linkat",
        "mkdir", "mkdirat", "rmdir", "dup", "dup2", "dup3", "kill", "tkill", "tgkill", "bpf", "prctl",
    ]

    public var key: String
    public var syscalls: [String]
    public var arches: [AuditRule.Arch]
    /// Vigil's own pid, left out of its rules (see `AuditRule.excludedPid`).
    public var excludedPid: Int32?
    /// The operator's extra rules (`audit.rules_file`), installed and removed with Vigil's.
    public var extraRules: [AuditRule] = []
    /// `-F` conditions added to each of Vigil's own rules (`audit.rule_fields`), to keep auditing to some
    /// processes (`auid=1000`, `auid!=unset`).
    public var fields: [String] = []

    /// `extra` is what the rules engine reports as event types (syscall names); names that are not syscalls of
    /// the arch (Falco meta-events such as `container` or `procexit`) are dropped when the rule is built.
    public init(
        key: String = "vigil", extra: [String] = [], arches: [AuditRule.Arch] = [.b64, .b32], excludedPid: Int32? = nil
    ) {
        self.key = key
        self.excludedPid = excludedPid
        var seen = Set<String>()
        self.syscalls = (Self.baseSyscalls + extra.sorted()).filter { seen.insert($0).inserted }
        self.arches = arches
    }

    /// One rule per arch: a rule's syscall mask has a bit for every syscall number, so one rule holds them all.
    public var rules: [AuditRule] {
        arches.map { AuditRule(arch: $0, syscalls: syscalls, key: key, excludedPid: excludedPid, fields: fields) } + extraRules
    }

    /// `auditctl` lines, for `vigil run --audit-rules print`.
    public var auditctlLines: [String] { rules.map(\.auditctlLine) }
}
