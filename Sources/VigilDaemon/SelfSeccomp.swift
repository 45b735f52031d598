import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// The allow-list Vigil applies to itself once it runs (libseccomp): a monitor that reads attacker-controlled
/// bytes all day should not be able to exec, ptrace, mount or load modules if a parser bug were ever exploited.
///
/// Anything else fails with EPERM rather than killing the daemon, so a missing entry degrades one feature
/// instead of leaving the node unmonitored; the live tests run the daemon with the filter on.
public enum SelfSeccomp {
    /// What the daemon needs after start-up: netlink and local sockets, files and /proc, memory, threads,
    /// clocks and signals.
    public static let allowed: [String] = [
        // I/O and files (rules reload, /proc, state, outputs)
        "read", "write", "readv", "writev", "pread64", "pwrite64", "open", "openat", "close", "close_range", "lseek",
        "stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2",
        "readlink", "readlinkat", "getdents64", "getcwd", "rename", "renameat", "renameat2", "unlink", "unlinkat",
        "mkdir", "mkdirat", "fsync", "fdatasync", "ftruncate", "fcntl", "ioctl", "dup", "dup2", "dup3", "pipe2",
        "fchmod", "fchown", "umask", "flock", "fadvise64",
        // sockets: netlink (audit), unix (sd_notify, syslog), inet (metrics, webhook, syslog)
        "socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname", "getpeername",
        "setsockopt", "getsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
        // waiting
        "poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
        "epoll_pwait2", "eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime", "futex", "futex_waitv",
        "nanosleep", "clock_nanosleep", "sched_yield",
        // memory and threads
        "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mlock", "munlock", "membarrier", "clone", "clone3",
        "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "sched_getaffinity", "sched_setaffinity",
        "sched_getparam", "sched_getscheduler", "prlimit64", "getrlimit",
        // process identity, time, signals
        "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid",
        "getresgid", "capget", "prctl", "arch_prctl", "uname", "sysinfo", "getrandom", "clock_gettime",
        "clock_getres", "gettimeofday", "time", "getrusage", "times", "kill", "tgkill", "tkill", "rt_sigaction",
        "rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "sigaltstack", "signalfd4", "restart_syscall",
        "wait4", "waitid", "exit", "exit_group",
    ]

    /// The filter the test of the forbidden path uses, and the daemon after start-up. Returns an error text.
    public static func apply(extra: [String] = []) -> String? {
        // SCMP_ACT_ERRNO(EPERM) and SCMP_ACT_ALLOW are macros in seccomp.h.
        let errnoAction: UInt32 = 0x0005_0000 | UInt32(EPERM)
        let allow: UInt32 = 0x7fff_0000
        guard let ctx = seccomp_init(errnoAction) else { return "seccomp_init failed" }
        defer { seccomp_release(ctx) }
        for name in allowed + extra {
            let nr = seccomp_syscall_resolve_name(name)
            if nr == __NR_SCMP_ERROR { continue }  // not a syscall on this arch
            let rc = seccomp_rule_add_array(ctx, allow, nr, 0, nil)
            if rc != 0 && rc != -EEXIST { return "seccomp_rule_add \(name): \(String(cString: strerror(-rc)))" }
        }
        let rc = seccomp_load(ctx)
        return rc == 0 ? nil : "seccomp_load: \(String(cString: strerror(-rc)))"
    }
}
