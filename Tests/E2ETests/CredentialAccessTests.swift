import Foundation
import Testing
import VigilTestSupport

/// Sensitive file reads and credential searches, performed in real containers while `vigil run` is live.
@Suite(.serialized, .enabled(if: E2E.available, "needs root and ../shared/lab"), .liveVigil("CredentialAccess"))
struct CredentialAccessTests {
    /// Vigil's own rule, on every kind of secret it names; one container style each (attribution for all of them).
    static let vigilRule: [Behaviour] = [
        Behaviour(rule: "Sensitive credential file read", what: "cat /etc/shadow", script: "cat /etc/shadow >/dev/null",
                  process: "cat", object: "/etc/shadow", style: .docker),
        Behaviour(rule: "Sensitive credential file read", what: "cat /root/.ssh/id_rsa (SSH private key)",
                  script: "cat /root/.ssh/id_rsa >/dev/null", process: "cat", object: "/root/.ssh/id_rsa", style: .containerd),
        Behaviour(rule: "Sensitive credential file read", what: "cat a Kubernetes service-account token",
                  script: "cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null", process: "cat",
                  object: "/var/run/secrets/kubernetes.io/serviceaccount/token", style: .crio,
                  prepare: "mkdir -p /var/run/secrets/kubernetes.io/serviceaccount && echo e2e-token > /var/run/secrets/kubernetes.io/serviceaccount/token"),
        Behaviour(rule: "Sensitive credential file read", what: "cat /root/.aws/credentials", script: "cat /root/.aws/credentials >/dev/null",
                  process: "cat", object: "/root/.aws/credentials", style: .podman),
    ]

    @Test(arguments: vigilRule)
    func vigilCredentialRule(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// An account added, a root rule for sudo, the account databases opened to every user — each in the container's
    /// own /etc (its copy-up layer; nothing of the host changes).
    static let accountTampering: [Behaviour] = [
        Behaviour(rule: "Account database modified", what: "echo 'e2e:x:0:0::/root:/bin/sh' >> /etc/passwd",
                  script: "echo 'e2e:x:0:0::/root:/bin/sh' >> /etc/passwd", process: "sh", object: "/etc/passwd",
                  style: .docker),
        Behaviour(rule: "Account database modified", what: "a NOPASSWD rule written to /etc/sudoers.d/e2e",
                  script: "echo 'e2e ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/e2e", process: "sh",
                  object: "/etc/sudoers.d/e2e", style: .podman, prepare: "mkdir -p /etc/sudoers.d"),
        Behaviour(rule: "Account database permissions changed", what: "chmod 777 /etc/passwd",
                  script: "chmod 777 /etc/passwd", process: "chmod", object: "/etc/passwd", style: .containerd),
        Behaviour(rule: "Account database permissions changed", what: "chown nobody /etc/shadow",
                  script: "chown nobody /etc/shadow", process: "chown", object: "/etc/shadow", style: .crio),
    ]

    /// Secrets of the container's entrypoint, and the node's cloud credentials: the container has no route off its
    /// loopback, so the metadata connect fails at once (ENETUNREACH) — the attempt is what the rule reports.
    static let secretsOfTheNode: [Behaviour] = [
        Behaviour(rule: "Process environment read", what: "cat /proc/1/environ", script: "cat /proc/1/environ >/dev/null",
                  process: "cat", object: "/proc/1/environ", style: .containerd),
        // Root in the container may read its PID 1's memory (same uid, dumpable): the open succeeds, the read of
        // offset 0 fails (not mapped); the open is what the rule reports.
        Behaviour(rule: "Process memory read", what: "dd if=/proc/1/mem", script: "dd if=/proc/1/mem of=/dev/null bs=1 count=1 2>/dev/null; true",
                  process: "dd", object: "/proc/1/mem", style: .crio),
        // (busybox's static wget crashes in the lab image before it connects; nc makes the same connect.)
        Behaviour(rule: "Cloud metadata service contacted from container", what: "nc 169.254.169.254 80 (the metadata service)",
                  script: "printf 'GET /latest/meta-data/iam/security-credentials/ HTTP/1.0\\r\\n\\r\\n' | nc -w 1 169.254.169.254 80; true",
                  process: "nc", object: "169.254.169.254:80", style: .docker),
    ]

    @Test(arguments: secretsOfTheNode)
    func secretsOfTheNodeRules(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    @Test(arguments: accountTampering)
    func accountTamperingRules(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// Falco's stock rules of §7.3 classes A that read or search for secrets.
    static let stockSearch: [Behaviour] = [
        Behaviour(rule: "Search Private Keys or Passwords", what: "find /root -name id_rsa",
                  script: "find /root -name id_rsa >/dev/null", process: "find"),
        Behaviour(rule: "Search Private Keys or Passwords", what: "grep -r 'BEGIN RSA PRIVATE' /root",
                  script: "grep -rl 'BEGIN RSA PRIVATE' /root >/dev/null; true", process: "grep", style: .dockerCgroupfs),
        Behaviour(rule: "Find AWS Credentials", what: "grep -r aws_secret_access_key /root",
                  script: "grep -rl aws_secret_access_key /root >/dev/null; true", process: "grep"),
    ]

    @Test(arguments: stockSearch)
    func stockSearchRules(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// Stock rules built on the `open_read` / `open_file_failed` macros, which require `fd.num >= 0` (or `= -1`):
    /// `fd.num` is the open's return value (or the fd table's number).
    static let stockOpenRead: [Behaviour] = [
        Behaviour(rule: "Read sensitive file untrusted", what: "cat /etc/shadow", script: "cat /etc/shadow >/dev/null",
                  process: "cat"),
        Behaviour(rule: "Directory traversal monitored file read", what: "xargs cat /etc/../etc/../etc/shadow",
                  script: "echo /etc/../etc/../etc/shadow | xargs cat >/dev/null", process: "cat"),
        // A process named like a web server (busybox ash under the file name nginx), up for more than 5 s, reads
        // /etc/shadow from its own shell builtin.
        Behaviour(rule: "Read sensitive file trusted after startup", what: "a 6-second-old 'nginx' reads /etc/shadow",
                  script: "exec -a sh /usr/sbin/nginx -c 'sleep 6; read x < /etc/shadow; echo read-done'",
                  process: "nginx", prepare: "cp /bin/busybox /usr/sbin/nginx"),
    ]

    @Test(arguments: stockOpenRead)
    func stockOpenReadRules(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// `docker exec CTR cat /etc/shadow`: the process that runc execs directly is short-lived; when the daemon
    /// reads /proc/PID/cgroup it is usually gone, and its parent is the host's `runc exec`. It is placed in its
    /// container by the device of the file it exec'd (the container's overlay root, learned from the container's
    /// earlier processes: ContainerRootDevices).
    @Test func directExecIsAttributedToItsContainer() throws {
        let b = Behaviour(rule: "Sensitive credential file read", what: "runc exec CTR cat /etc/shadow (no shell)",
                          command: ["cat", "/etc/shadow"], process: "cat", style: .docker)
        try expectAlert(b)
    }
}
