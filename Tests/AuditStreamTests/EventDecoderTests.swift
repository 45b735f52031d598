import AuditStream
import Testing

struct EventDecoderTests {
    static let execve = [
        "type=SYSCALL msg=audit(1492752522.985:8972): arch=c000003e syscall=59 success=yes exit=0 a0=10812c8 a1=1070208 a2=1152008 a3=59a items=2 ppid=10027 pid=10043 auid=1001 uid=1001 gid=1002 euid=1001 suid=1001 fsuid=1001 egid=1002 sgid=1002 fsgid=1002 tty=pts0 ses=11 comm=\"uname\" exe=\"/bin/uname\" key=\"user_commands\"",
        "type=EXECVE msg=audit(1492752522.985:8972): argc=2 a0=\"uname\" a1=\"-a\"",
        "type=CWD msg=audit(1492752522.985:8972):  cwd=\"/home/andrew_kroh\"",
        "type=PATH msg=audit(1492752522.985:8972): item=0 name=\"/bin/uname\" inode=155 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
        "type=PATH msg=audit(1492752522.985:8972): item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=1923 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
        "type=PROCTITLE msg=audit(1492752522.985:8972): proctitle=756E616D65002D61",
        "type=EOE msg=audit(1492752522.985:8972): ",
    ]

    @Test func execveEventDecodesFully() throws {
        let d = try #require(TestSupport.decode(Self.execve))
        #expect(d.syscall?.name == "execve")
        #expect(d.syscall?.archName == "x86_64")
        #expect(d.syscall?.success == true)
        #expect(d.syscall?.args == [0x10812c8, 0x1070208, 0x1152008, 0x59a])
        #expect(d.process.pid == 10043)
        #expect(d.process.ppid == 10027)
        #expect(d.process.auid == 1001)
        #expect(d.process.egid == 1002)
        #expect(d.process.tty?.text == "pts0")
        #expect(d.process.comm?.text == "uname")
        #expect(d.argv?.map(\.text) == ["uname", "-a"])
        #expect(d.proctitle?.map(\.text) == ["uname", "-a"])
        #expect(d.cwd?.text == "/home/andrew_kroh")
        #expect(d.paths.map { $0.name?.text } == ["/bin/uname", "/lib64/ld-linux-x86-64.so.2"])
        #expect(d.paths.first?.nametype?.text == "NORMAL")
        #expect(d.keys.map(\.text) == ["user_commands"])
    }

    @Test func olderKernelsNameTheItemTypeObjtype() throws {
        let d = try #require(TestSupport.decode([
            "type=PATH msg=audit(1481077231.371:479): item=0 name=\"/sbin/auditctl\" inode=17367907 dev=08:01 mode=0100750 ouid=0 ogid=0 rdev=00:00 obj=system_u:object_r:auditctl_exec_t:s0 objtype=NORMAL"
        ]))
        #expect(d.paths.first?.nametype?.text == "NORMAL")
        #expect(d.paths.first?.inode == 17_367_907)
        #expect(d.paths.first?.mode == 0o100750)
    }

    @Test(arguments: [
        (UInt32(0xc000_003e), 59, "execve"), (0xc000_003e, 42, "connect"), (0xc000_003e, 257, "openat"),
        (0x4000_0003, 11, "execve"), (0x4000_0003, 102, "socketcall"), (0xc000_00b7, 221, "execve"),
        (0xc000_00b7, 56, "openat"),
    ])
    func syscallNamesPerArch(arch: UInt32, number: Int, name: String) {
        #expect(SyscallTable.shared.name(arch: arch, number: number) == name)
    }

    @Test func aarch64EventFromTheCorpus() throws {
        let d = try #require(TestSupport.decode([
            "type=SYSCALL msg=audit(1572298453.690:5717): arch=c00000b7 syscall=222 success=yes exit=281129964019712 a0=0 a1=16a048 a2=5 a3=802 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=(null)"
        ]))
        #expect(d.syscall?.archName == "aarch64")
        #expect(d.syscall?.name == "mmap")
    }

    @Test(arguments: [(Int64(-13), "EACCES"), (-2, "ENOENT"), (-115, "EINPROGRESS"), (-512, "ERESTARTSYS"), (-1, "EPERM")])
    func exitToErrnoName(exit: Int64, name: String) {
        #expect(ErrnoName.name(-exit) == name)
    }

    @Test func item19_socketAddressFamilies() throws {
        func saddr(_ hex: String) -> SocketAddress { SocketAddress(bytes: Hex.decode(Array(hex.utf8))!) }
        let inet = saddr("02000050A9FEA9FE0000000000000000")
        #expect(inet.familyName == "inet")
        #expect(inet.addressText == "169.254.169.254")
        #expect(inet.port == 80)
        let inet6 = saddr("0A000016000000000000000000000000000000000000000000000000")
        #expect(inet6.familyName == "inet6")
        #expect(inet6.addressText == "::")
        #expect(inet6.port == 22)
        let lo6 = saddr("0A0001BB00000000000000000000000000000000000000010000000000")
        #expect(lo6.addressText == "::1")
        #expect(lo6.port == 443)
        let nl = saddr("100000000000000000000000")
        #expect(nl.familyName == "netlink")
        let unix = saddr("01002F7661722F72756E2F6E7363642F736F636B65740000603B7B47FC7F0000")
        #expect(unix.addressText == "/var/run/nscd/socket")
        let abstract = saddr("0100006162737472616374000000")
        #expect(abstract.addressText == "@abstract")
        let zero = saddr("00000000000000000000000000000000")
        #expect(zero.familyName == "unspec")
        let truncated = saddr("0200")
        #expect(truncated.familyName == "inet" || truncated.familyName.hasPrefix("family") || truncated.familyName == "unspec")
        #expect(truncated.addressText == nil)
    }

    @Test func sockaddrEventInTheDecodedView() throws {
        let d = try #require(TestSupport.decode([
            "type=SYSCALL msg=audit(1492753107.096:9004): arch=c000003e syscall=42 success=no exit=-115 a0=5 a1=7ffc12ac3ab0 a2=10 a3=4 items=0 ppid=1 pid=1648 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"google_ip_forwa\" exe=\"/usr/bin/python3.5\" key=\"net\"",
            "type=SOCKADDR msg=audit(1492753107.096:9004): saddr=02000050A9FEA9FE0000000000000000",
        ]))
        #expect(d.syscall?.name == "connect")
        #expect(d.syscall?.errno == "EINPROGRESS")
        #expect(d.sockaddrs.first?.addressText == "169.254.169.254")
        #expect(d.process.auid == DecodedEvent.unsetID)
    }

    @Test func eventJSONIsValidAndEscapesAttackerBytes() throws {
        var lines = Self.execve
        lines[1] = "type=EXECVE msg=audit(1492752522.985:8972): argc=2 a0=\"uname\" a1=0A5B435249544943414C5D2066616B651B5B33316DFF"
        let out = TestSupport.assemble(lines)
        let e = try #require(out.events.first)
        var w = JSONWriter()
        EventJSON.write(e, decoded: EventDecoder.decode(e), nodes: NodeTable(), into: &w)
        let text = String(decoding: w.bytes, as: UTF8.self)
        #expect(!text.contains("\n"))
        #expect(!text.contains("\u{1b}"))
        #expect(text.contains("\\n[CRITICAL] fake\\u001b[31m\\\\xff"))
        #expect(String(validating: w.bytes, as: UTF8.self) != nil)
    }
}

/// Shapes found in LAUREL's and linux-audit-parser's test data (threathunters-io/laurel src/testdata).
struct ForeignLogShapeTests {
    /// auditd writes the interpreted socket address unquoted, with blanks, as the last field of the line.
    @Test func enrichedSaddrIsTheRestOfTheLine() throws {
        let r = try TestSupport.parse(
            "type=SOCKADDR msg=audit(1705071450.879:29498378): saddr=01002F7661722F72756E2F6E7363642F736F636B657400\u{1d}SADDR={ saddr_fam=local path=/var/run/nscd/socket }")
        #expect(r.string("SADDR") == "{ saddr_fam=local path=/var/run/nscd/socket }")
        #expect(r.index(of: "saddr_fam") == nil && r.index(of: "path") == nil)
        let unknown = try TestSupport.parse("type=SOCKADDR msg=audit(1705071450.879:29498379): saddr=0000\u{1d}SADDR=unknown family(0)")
        #expect(unknown.string("SADDR") == "unknown family(0)")
    }

    /// ppc64 (arch 80000015, no __AUDIT_ARCH_LE): sa_family is big-endian; the port stays in network order.
    @Test func bigEndianArchSockaddrFamily() throws {
        let lines = [
            "type=SYSCALL msg=audit(1708028025.033:10): arch=80000015 syscall=327 success=yes exit=0 a0=3 a1=7fffd1a0 a2=10 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"nc\" exe=\"/usr/bin/nc\" key=(null)",
            "type=SOCKADDR msg=audit(1708028025.033:10): saddr=0002D903000000000000000000000000",
            "type=EOE msg=audit(1708028025.033:10): ",
        ]
        let d = try #require(TestSupport.decode(lines))
        #expect(d.sockaddrs == [SocketAddress(bytes: [0, 2, 0xd9, 3, 0, 0, 0, 0], bigEndian: true)])
        #expect(d.sockaddrs.first?.familyName == "inet")
        if case .inet(let address, let port)? = d.sockaddrs.first?.family {
            #expect(address == [0, 0, 0, 0] && port == 55555)
        } else {
            Issue.record("not inet: \(d.sockaddrs)")
        }
    }

    /// Records of one event in any order (LAUREL's fork-sleep-exec trace puts PATH before SYSCALL): a syscall
    /// event is still a syscall event.
    @Test func syscallEventWhateverTheRecordOrder() throws {
        var lines = EventDecoderTests.execve
        lines.swapAt(0, 3)
        let d = try #require(TestSupport.decode(lines))
        #expect(d.primaryType.name == "SYSCALL")
        #expect(d.syscall?.name == "execve")
    }

    /// An event a later record's time expires goes out before what that record completes (auparse's test.log:
    /// an AVC+SYSCALL event without EOE, then a standalone USER_ACCT two minutes later).
    @Test func expiredEventsPrecedeTheRecordThatExpiredThem() {
        let lines = [
            "type=SYSCALL msg=audit(1170021493.977:293): arch=c000003e syscall=2 success=no exit=-13 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"cat\" exe=\"/bin/cat\"",
            "type=PATH msg=audit(1170021493.977:293): item=0 name=\"/etc/shadow\" inode=1 dev=08:01 mode=0100000 ouid=0 ogid=0 rdev=00:00",
            "type=USER_ACCT msg=audit(1170021601.340:294): pid=3 uid=0 auid=0 ses=1 msg='op=PAM:accounting acct=\"root\" exe=\"/usr/sbin/cron\" hostname=? addr=? terminal=cron res=success'",
            "type=USER_ACCT msg=audit(1170021601.342:295): pid=4 uid=0 auid=0 ses=1 msg='op=PAM:accounting acct=\"root\" exe=\"/usr/sbin/cron\" hostname=? addr=? terminal=cron res=success'",
        ]
        let events = TestSupport.assemble(lines).events
        #expect(events.map(\.key.stamp.serial) == [293, 294, 295])
        #expect(events.first?.completion == .expired)
    }
}
