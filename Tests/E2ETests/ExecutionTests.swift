import Foundation
import Testing
import VigilTestSupport

/// Shells, dropped binaries, fileless and temporary-location execution, miners and package managers, performed in
/// real containers while `vigil run` is live.
@Suite(.serialized, .enabled(if: E2E.available, "needs root and ../shared/lab"), .liveVigil("Execution"))
struct ExecutionTests {
    static let vigilRules: [Behaviour] = [
        // `docker exec CTR sh`: runc execs the shell directly (parent: the host's runc).
        Behaviour(rule: "Shell spawned in container", what: "runc exec CTR sh -c 'sleep 1'", command: ["sh", "-c", "sleep 1"],
                  process: "sh", style: .containerd),
        Behaviour(rule: "Execution from temporary or memory location", what: "copy busybox to /tmp and run it",
                  script: "cp /bin/busybox /tmp/bb && /tmp/bb true", process: "bb", object: "/tmp/bb"),
        Behaviour(rule: "Execution from temporary or memory location", what: "labtool memfd-exec (execute from a memfd)",
                  script: "labtool memfd-exec", process: "4", object: "/memfd:", style: .podman),
        // /dev/shm is noexec in containers; a privileged container can remount it exec and run from it.
        Behaviour(rule: "Execution from temporary or memory location", what: "remount /dev/shm exec, run /dev/shm/bb (privileged)",
                  script: "mount -o remount,exec /dev/shm && cp /bin/busybox /dev/shm/bb && /dev/shm/bb true", process: "bb",
                  object: "/dev/shm/bb", style: .docker, runOptions: ["--privileged"]),
        // A script run by its path: the kernel runs the interpreter; the exec'd file (evt.arg.filename) is the script.
        Behaviour(rule: "Execution from temporary or memory location", what: "a script in /tmp run by its path",
                  script: "/tmp/e2e-script.sh", process: "e2e-script.sh", object: "/tmp/e2e-script.sh", style: .crio,
                  prepare: "printf '#!/bin/sh\\ntrue\\n' > /tmp/e2e-script.sh && chmod +x /tmp/e2e-script.sh"),
        Behaviour(rule: "Crypto miner executed", what: "a binary named xmrig with a stratum URL",
                  script: "cp /usr/local/bin/labtool /tmp/xmrig && /tmp/xmrig -o stratum+tcp://pool.example:3333", process: "xmrig"),
        // busybox's real dpkg applet (the rootfs has no apt); and a script named apk (Alpine's manager is absent).
        Behaviour(rule: "Package manager in container", what: "dpkg -l (busybox applet)", script: "dpkg -l >/dev/null; true",
                  process: "dpkg", style: .crio),
        Behaviour(rule: "Package manager in container", what: "apk add curl (a script named apk: no real apk in the image)",
                  script: "apk add curl", process: "apk",
                  prepare: "printf '#!/bin/sh\\necho fake apk \"$@\"\\n' > /sbin/apk && chmod +x /sbin/apk"),
        Behaviour(rule: "Write below binary directory", what: "echo > /usr/bin/e2e-evil", script: "echo x > /usr/bin/e2e-evil",
                  process: "sh", object: "/usr/bin/e2e-evil", style: .podmanCgroupfs),
        Behaviour(rule: "Write below binary directory", what: "cp busybox /bin/e2e-evil", script: "cp /bin/busybox /bin/e2e-evil",
                  process: "cp", object: "/bin/e2e-evil", style: .docker),
    ]

    @Test(arguments: vigilRules)
    func vigilRule(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// /dev/shm is mounted noexec in containers (as docker does): a direct exec from it fails, so the behaviour
    /// that works there, and that Falco's rule also covers, is a shell running a script from /dev/shm.
    @Test func devShmIsNoexecSoOnlyShellScriptsRunFromIt() throws {
        let b = Behaviour(rule: "Execution from /dev/shm", what: "sh /dev/shm/payload.sh", script: "sh /dev/shm/payload.sh",
                          process: "sh", prepare: "printf 'echo payload\\n' > /dev/shm/payload.sh")
        let o = try expectAlert(b)
        #expect(o.result.stdout.contains("payload"))
    }

    static let stock: [Behaviour] = [
        Behaviour(rule: "Fileless execution via memfd_create", what: "labtool memfd-exec", script: "labtool memfd-exec",
                  process: "4", style: .docker),
        // busybox httpd runs the lab's CGI, which starts `sh -c 'id; uname -n'`: a shell below a web server.
        Behaviour(rule: "Run shell untrusted", what: "httpd CGI runs sh (web shell)",
                  script: "wget -q -O- http://127.0.0.1:8080/cgi-bin/lab.cgi", process: "sh", style: .containerdCgroupfs,
                  prepare: "httpd -p 8080 -h /www </dev/null >/dev/null 2>&1"),
        // runc exec -t: the shell gets a pty (proc.tty != 0) and its parent is runc (container_entrypoint).
        Behaviour(rule: "Terminal shell in container", what: "runc exec -t CTR sh -c 'sleep 1'", command: ["sh", "-c", "sleep 1"],
                  process: "sh", execOptions: ["-t"]),
        // login run as nobody (a system user), from su.
        Behaviour(rule: "System user interactive", what: "su nobody, then login",
                  script: "su -s /bin/sh -c 'login -f root </dev/null; true' nobody; true", process: "login"),
    ]

    /// "Run shell untrusted" needs the CGI's web-server ancestry (proc.aname): busybox httpd's connection child
    /// vforks the CGI and often exits before the daemon handles the CGI's exec, so /proc already shows the
    /// container's init as the CGI's parent. The enricher takes the parent the exec event names, not /proc's
    /// (it missed about one run in five before).
    @Test(arguments: stock)
    func stockRule(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    /// A binary dropped in the container's overlay upper layer and run for 2 s (busybox copied to /tmp/dropped, run
    /// as its sleep applet through argv[0]). proc.is_exe_upper_layer comes from /proc/PID/mountinfo of the live
    /// process; the enricher drops its per-namespace mount tables after mount/pivot_root, so a table cached while
    /// runc's init was still before pivot_root is not used for the container's processes.
    @Test func dropAndExecuteLongLived() throws {
        let b = Behaviour(rule: "Drop and execute new binary in container", what: "copy busybox to /tmp/dropped (upper layer), run it 2 s",
                          script: "cp /bin/busybox /tmp/dropped && (exec -a sleep /tmp/dropped 2)", process: "dropped")
        let o = try expectAlert(b)
        // The stock output names the container's start (docker's State.StartedAt, as the lab writes it), and the
        // default append_output its id and name.
        let output = try #require(o.alert?.output)
        #expect(!output.contains("container_start_ts=<NA>"), "\(output)")
        #expect(output.hasSuffix(" container_id=\(o.container.shortId) container_name=\(o.container.name)"), "\(output)")
        // append_output's extra_fields (the suite's config): the pid in the container's own namespace, JSON only.
        let fields = try #require(o.alert?.fields)
        let vpid = try #require(fields["proc.vpid"].flatMap { Int($0) }, "\(fields)")
        let pid = try #require(fields["proc.pid"].flatMap { Int($0) })
        #expect(vpid > 1 && vpid != pid)
        #expect(!output.contains("proc.vpid"))
    }

    /// A dropped binary that exits at once: it is usually gone when the daemon handles its exec, so its own
    /// /proc/PID/mountinfo cannot be read; `proc.is_exe_upper_layer` is then answered through a live process of the
    /// same container (its parent, else the one the container's root was learned from) — the file is still there.
    @Test func dropAndExecuteShortLived() throws {
        let b = Behaviour(rule: "Drop and execute new binary in container", what: "copy labtool to /tmp/dropped, run it (exits at once)",
                          script: "cp /usr/local/bin/labtool /tmp/dropped && /tmp/dropped hello", process: "dropped")
        try expectAlert(b)
    }
}
