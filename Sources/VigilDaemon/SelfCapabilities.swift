import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// The capabilities Vigil keeps once it runs. Root starts with all of them; a monitor that parses attacker
/// bytes all day should hold only what its loop needs, so a parser bug cannot load a module, mount, change
/// file ownership or open raw sockets even before the seccomp filter is considered. Dropped from the bounding
/// set too, so nothing Vigil execs (a program sink) gets them back.
public enum SelfCapabilities {
    /// Capability numbers from linux/capability.h, with why each stays.
    public static let kept: [(number: Int32, name: String)] = [
        (1, "CAP_DAC_OVERRIDE"),  // state, spool and alert files wherever the operator points them
        (2, "CAP_DAC_READ_SEARCH"),  // /proc/PID/* of every process, container runtimes' metadata
        (5, "CAP_KILL"),  // a baseline's protect action may kill the offending process
        (19, "CAP_SYS_PTRACE"),  // /proc/PID/exe, environ, fd of other users' processes (PTRACE_MODE_READ)
        (30, "CAP_AUDIT_CONTROL"),  // repair tampered audit rules, restore the audit state on exit
        (37, "CAP_AUDIT_READ"),  // the multicast audit socket
    ]

    public static var keptMask: UInt64 { kept.reduce(0) { $0 | (1 << UInt64($1.number)) } }

    /// Drops every other capability from the bounding, permitted and effective sets. Returns an error text.
    public static func apply() -> String? {
        let last = highestCapability()
        for cap in 0...last where keptMask & (1 << UInt64(cap)) == 0 {
            if vigil_capbset_drop(cap) != 0 && errno != EINVAL {
                return "PR_CAPBSET_DROP \(cap): \(String(cString: strerror(errno)))"
            }
        }
        if vigil_capset(keptMask) != 0 { return "capset: \(String(cString: strerror(errno)))" }
        return nil
    }

    /// /proc/sys/kernel/cap_last_cap: the kernel's highest capability number.
    static func highestCapability() -> Int32 {
        guard let file = fopen("/proc/sys/kernel/cap_last_cap", "r") else { return 63 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 16)
        guard fgets(&buffer, 16, file) != nil else { return 63 }
        let value = atoi(buffer)
        return value > 0 ? min(value, 63) : 63
    }
}
