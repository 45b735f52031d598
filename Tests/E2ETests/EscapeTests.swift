import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Container escape indicators and privilege escalation, performed in real containers while `vigil run` is live.
/// Most are attempts the kernel refuses in a default (docker-capability) container — EPERM/EROFS — and the rules
/// fire on the attempt.
@Suite(.serialized, .enabled(if: E2E.available, "needs root and ../shared/lab"), .liveVigil("Escape"))
struct EscapeTests {
    static let vigilRules: [Behaviour] = [
        Behaviour(rule: "Mount in container", what: "mount -t tmpfs none /mnt (EPERM)", script: "mount -t tmpfs none /mnt; true",
                  process: "mount", style: .docker),
        Behaviour(rule: "Namespace change in container", what: "unshare -m true (EPERM)", script: "unshare -m true; true",
                  process: "unshare", style: .containerd),
        Behaviour(rule: "Namespace change in container", what: "nsenter -t 1 -m true (setns, EPERM)", script: "nsenter -t 1 -m true; true",
                  process: "nsenter", style: .podman),
        Behaviour(rule: "Nsenter executed", what: "nsenter -t 1 -m true", script: "nsenter -t 1 -m true; true",
                  process: "nsenter"),
        Behaviour(rule: "Write to cgroup release_agent or core_pattern", what: "echo > /proc/sys/kernel/core_pattern (EROFS)",
                  script: "echo '|/tmp/x' > /proc/sys/kernel/core_pattern; true", process: "sh", object: "/proc/sys/kernel/core_pattern"),
        // /sys/fs/cgroup in the container is runc's tmpfs: no release_agent exists there (the guard makes sure), so the
        // write creates a file in the container's own tmpfs and never reaches a real cgroup hierarchy.
        Behaviour(rule: "Write to cgroup release_agent or core_pattern", what: "echo > /sys/fs/cgroup/release_agent",
                  script: "[ -e /sys/fs/cgroup/release_agent ] && exit 97; echo /tmp/x > /sys/fs/cgroup/release_agent; true",
                  process: "sh", object: "release_agent", style: .crio),
        Behaviour(rule: "Kernel module load attempt", what: "insmod of a junk file (EPERM)",
                  script: "echo junk > /tmp/e2e.ko; insmod /tmp/e2e.ko; true", process: "insmod"),
        Behaviour(rule: "Ptrace of another process", what: "labtool ptrace-attach", script: "labtool ptrace-attach",
                  process: "labtool", style: .dockerCgroupfs),
        Behaviour(rule: "Switch to root user in container", what: "labtool setuid 0", script: "labtool setuid 0",
                  process: "labtool"),
        Behaviour(rule: "Su or sudo in container", what: "su -c true nobody (no sudo in the image)",
                  script: "su -s /bin/sh -c true nobody; true", process: "su", style: .podmanCgroupfs),
        Behaviour(rule: "Setuid or setgid bit set", what: "chmod u+s on a copy of busybox", script: "chmod u+s /tmp/e2e-suid",
                  process: "chmod", object: "/tmp/e2e-suid", style: .podman, prepare: "cp /bin/busybox /tmp/e2e-suid"),
        Behaviour(rule: "Capabilities changed in container", what: "setpriv --inh-caps -net_raw (capset)",
                  script: "setpriv --inh-caps -net_raw true", process: "setpriv"),
        // The socket of the runtime, as a host socket bind-mounted into the container (see runtimeSocket below).
    ]

    @Test(arguments: vigilRules)
    func vigilRule(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// A container with the docker socket mounted in (`-v /var/run/docker.sock:/var/run/docker.sock`): here a
    /// listening unix socket of the test, so that the connect succeeds as it would against dockerd.
    @Test func runtimeSocket() throws {
        let session = try #require(E2ESession.current)
        guard session.hasTool else {
            Issue.record("no C compiler: e2etool (the unix-socket client) could not be built")
            return
        }
        // The socket's directory becomes the container's /var/run (read-only: the lab's read-write -v fails here;
        // connecting to a socket needs no write access to the filesystem).
        let runDir = session.helperDir + "/run"
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let path = runDir + "/docker.sock"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.prefix(buf.count - 1).enumerated() { buf[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(fd, 4) == 0)
        let b = Behaviour(rule: "Container runtime socket accessed", what: "connect to a mounted /var/run/docker.sock",
                          script: "/e2e/e2etool unix /var/run/docker.sock", process: "e2etool", object: "/var/run/docker.sock",
                          runOptions: ["-v", "\(runDir):/var/run:ro"], attempt: false)
        try expectAlert(b)
    }

    static let stockClassA: [Behaviour] = [
        Behaviour(rule: "PTRACE attached to process", what: "labtool ptrace-attach", script: "labtool ptrace-attach", process: "labtool"),
        Behaviour(rule: "PTRACE anti-debug attempt", what: "labtool ptrace-traceme", script: "labtool ptrace-traceme", process: "labtool"),
        Behaviour(rule: "Packet socket created in container", what: "labtool packet-socket (AF_PACKET, CAP_NET_RAW)",
                  script: "labtool packet-socket", process: "labtool"),
    ]

    /// Stock rules on syscall arguments: evt.arg.request (ptrace's a0 as PTRACE_* names) and evt.arg.domain
    /// (socket's a0 as AF_* names), decoded by AuditFieldSource.eventArgument.
    @Test(arguments: stockClassA)
    func stockRuleOnSyscallArguments(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// insmod of a junk file exits at once (finit_module fails: ENOSYS on a kernel without modules, ENOEXEC
    /// otherwise; nothing is loaded), usually before the daemon could read its /proc entry. The rule's
    /// `thread.cap_effective icontains sys_module` still matches: the capabilities the exec gave come from the
    /// kernel's own BPRM_FCAPS record of that exec (`pe`), not from /proc.
    @Test func kernelModuleInjectionInPrivilegedContainer() throws {
        let b = Behaviour(rule: "Linux Kernel Module Injection Detected", what: "insmod of a junk file in a privileged container",
                          script: "echo junk > /tmp/e2e.ko; insmod /tmp/e2e.ko; true", process: "insmod",
                          runOptions: ["--privileged"])
        try expectAlert(b)
    }

    /// The same rule when insmod is still alive as the daemon handles its exec: it blocks opening a FIFO until the
    /// test writes the junk module into it. Shows the rule and the capability field work once /proc is readable.
    @Test func kernelModuleInjectionByALongerLivedProcess() throws {
        let b = Behaviour(rule: "Linux Kernel Module Injection Detected", what: "insmod blocked 1 s on a FIFO, privileged container",
                          // The write runs in a subshell: if insmod closes the FIFO first, SIGPIPE ends the subshell,
                          // not the script.
                          script: "mkfifo /tmp/e2e.ko\ninsmod /tmp/e2e.ko &\nsleep 1\n(echo junk > /tmp/e2e.ko) 2>/dev/null\nsleep 0.5\n"
                              // busybox insmod falls back to reading the file again: it would wait on the FIFO for ever.
                              + "kill $! 2>/dev/null; echo done",
                          process: "insmod", runOptions: ["--privileged"], attempt: false)
        try expectAlert(b)
    }

    /// `container.privileged` from the runtime's metadata (docker's hostconfig.json, as the lab writes it): a
    /// program named debugfs started in a privileged container. (The image has no debugfs; busybox copied under
    /// that name is exec'd — the rule looks at the exec, not at what the program then does.)
    @Test func debugfsInPrivilegedContainer() throws {
        let b = Behaviour(rule: "Debugfs Launched in Privileged Container", what: "a program named debugfs, privileged docker container",
                          script: "/usr/sbin/debugfs -V; true", process: "debugfs", runOptions: ["--privileged"],
                          prepare: "cp /bin/busybox /usr/sbin/debugfs")
        try expectAlert(b)
    }

    @Test func releaseAgentInPrivilegedContainer() throws {
        let b = Behaviour(rule: "Detect release_agent File Container Escapes", what: "echo > /sys/fs/cgroup/release_agent, privileged",
                          script: "[ -e /sys/fs/cgroup/release_agent ] && exit 97; echo /tmp/x > /sys/fs/cgroup/release_agent",
                          process: "sh", runOptions: ["--privileged"])
        try expectAlert(b)
    }
}
