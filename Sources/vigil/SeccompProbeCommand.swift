import ArgumentParser
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// `vigil seccomp-probe`: applies the daemon's own seccomp filter to this process, then tries what it must
/// refuse (exec, mount, ptrace) and what it must allow (reading a file). For tests and for operators checking a
/// kernel; not listed in help.
struct SeccompProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seccomp-probe", abstract: "Check the daemon's self seccomp filter on this kernel.",
        shouldDisplay: false)

    func run() throws {
        if let problem = SelfSeccomp.apply() {
            print("filter: not applied: \(problem)")
            throw ExitCode(2)
        }
        var failures = 0
        let fd = open("/proc/self/status", O_RDONLY)
        print("open /proc/self/status: \(fd >= 0 ? "allowed" : "refused (\(errno))")")
        if fd < 0 { failures += 1 } else { close(fd) }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        let e = execv("/bin/true", argv)
        let execErrno = errno
        print("execve /bin/true: \(e == -1 && execErrno == EPERM ? "refused (EPERM)" : "not refused (errno \(execErrno))")")
        if !(e == -1 && execErrno == EPERM) { failures += 1 }
        let m = mount("none", "/mnt", "tmpfs", 0, nil)
        let mountErrno = errno
        print("mount: \(m == -1 && mountErrno == EPERM ? "refused (EPERM)" : "not refused (errno \(mountErrno))")")
        if !(m == -1 && mountErrno == EPERM) { failures += 1 }
        if failures > 0 { throw ExitCode(1) }
    }
}
