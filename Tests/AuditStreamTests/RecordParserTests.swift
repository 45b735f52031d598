import AuditStream
import Testing

/// One test per edge case of audit-reference §2 (items 1–33), each with the real line and the decoded value.
struct RecordParserTests {
    @Test func item1_nodePrefixIsPartOfTheKey() throws {
        let lines = [
            "node=localhost.localdomain type=CONFIG_CHANGE msg=audit(1594053514.707:4): audit_backlog_limit=8192 old=64 auid=4294967295 ses=4294967295 subj=system_u:system_r:unconfined_service_t:s0 res=1",
            "node=other type=CONFIG_CHANGE msg=audit(1594053514.707:4): audit_backlog_limit=8192 old=64 auid=4294967295 ses=4294967295 res=1",
        ]
        let r = try TestSupport.parse(lines[0])
        #expect(r.type.name == "CONFIG_CHANGE")
        #expect(r.node != 0)
        #expect(r.int("audit_backlog_limit") == 8192)
        // Same stamp, different node: two events.
        #expect(TestSupport.assemble(lines).events.count == 2)
    }

    @Test func item2_unknownTypeKeepsNumberAndPlainNumbersStayNumbers() throws {
        let r = try TestSupport.parse("type=UNKNOWN[1334] msg=audit(1626883065.201:216697): prog-id=45 op=UNLOAD")
        #expect(r.type.code == 1334)
        #expect(r.text("prog-id") == "45")  // not hex-decoded to "E"
        #expect(r.text("op") == "UNLOAD")
        let t = try TestSupport.parse("type=UNKNOWN[1327] msg=audit(1563470055.872:7605215): proctitle=2F62696E2F7368002D63")
        #expect(t.type.code == 1327)
        #expect(t.value("proctitle").map(Array.init) == Array("/bin/sh\u{0}-c".utf8))
    }

    @Test func item3_headerWithoutStampIsMalformedWithLineNumber() {
        let out = TestSupport.assemble([
            "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59",
            "type=UNKNOWN[1329] msg=?",
            "type=EOE msg=audit(1.000:1): ",
        ])
        #expect(out.malformed.count == 1)
        #expect(out.malformed.first?.line == 2)
        #expect(out.malformed.first?.reason == .missingStamp)
        // The neighbours are untouched: the event still assembles and completes on its EOE.
        #expect(out.events.count == 1)
        #expect(out.events.first?.completion == .endOfEvent)
    }

    @Test func item7_quotedAndHexOfTheSameField() throws {
        let r = try TestSupport.parse(
            "type=EXECVE msg=audit(1783416217.830:735): argc=2 a0=\"/usr/bin/cat\" a1=2F746D702F6D79207265706F72742E747874")
        #expect(r.text("a0") == "/usr/bin/cat")
        #expect(r.text("a1") == "/tmp/my report.txt")
    }

    @Test func item8_interpretedPlainValuesAreNotHex() throws {
        let r = try TestSupport.parse("type=EXECVE msg=audit(1581371984.206:579393): argc=1 a0=top")
        #expect(r.text("a0") == "top")
        // a0 of SYSCALL is a number, never a string to unhex.
        let s = try TestSupport.parse("type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=59 a0=cafe")
        #expect(s.text("a0") == "cafe")
        #expect(s.hex("a0") == 0xcafe)
    }

    @Test func item9_nullAndQuestionMarkAreAbsent() throws {
        let r = try TestSupport.parse(
            "type=USER_LOGIN msg=audit(1.000:3): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=\"x\" exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=? res=failed' key=(null) tty=(none)")
        #expect(r.index(of: "hostname") != nil)
        #expect(r.value("hostname") == nil)
        #expect(r.value("key") == nil)
        #expect(r.value("tty") == nil)
        #expect(r.int("auid") == 4_294_967_295)
    }

    @Test func item10_singleQuoteInsideDoubleQuotesInsideMsg() throws {
        let r = try TestSupport.parse(
            "type=USER_AUTH msg=audit(1670330949.860:161339): pid=5519 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct=\"system-property('xsl:vendor')/>\" exe=\"/usr/bin/python3.8\" hostname=? addr=? terminal=? res=failed'")
        #expect(r.text("acct") == "system-property('xsl:vendor')/>")
        #expect(r.text("exe") == "/usr/bin/python3.8")
        #expect(r.text("res") == "failed")
    }

    @Test func item11_nestedMsgFieldsAreFlattened() throws {
        let r = try TestSupport.parse(
            "type=USER_START msg=audit(1725004605.811:105663): pid=14548 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_open grantors=pam_keyinit,pam_limits acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? addr=? terminal=/dev/pts/0 res=success'")
        #expect(r.text("op") == "PAM:session_open")
        #expect(r.text("acct") == "root")
        #expect(r.text("terminal") == "/dev/pts/0")
        #expect(r.text("res") == "success")
        #expect(r.int("pid") == 14548)
        let avc = try TestSupport.parse(
            "type=USER_AVC msg=audit(1.000:4): pid=1 uid=81 auid=4294967295 ses=4294967295 msg='avc:  received policyload notice (seqno=2)  exe=2F7573722F62696E2F646275732D6461656D6F6E202864656C6574656429 sauid=81 hostname=? addr=? terminal=?'")
        #expect(avc.text("exe") == "/usr/bin/dbus-daemon (deleted)")
        let boot = try TestSupport.parse(
            "type=SYSTEM_BOOT msg=audit(1481076983.876:7): pid=273 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0 msg=' comm=\"systemd-update-utmp\" exe=\"/usr/lib/systemd/systemd-update-utmp\" hostname=? addr=? terminal=? res=success'")
        #expect(boot.text("comm") == "systemd-update-utmp")
    }

    @Test func item12_rhel5FormsWithBareWordsAndKeysWithSpaces() throws {
        let login = try TestSupport.parse(
            "type=LOGIN msg=audit(1170021601.343:296): login pid=13015 uid=0 old auid=4294967295 new auid=0")
        #expect(login.int("pid") == 13015)
        #expect(login.text("old-auid") == "4294967295")
        #expect(login.text("new-auid") == "0")
        let start = try TestSupport.parse(
            "type=USER_START msg=audit(1170021601.344:297): user pid=13015 uid=0 auid=0 subj=system_u:system_r:crond_t:s0-s0:c0.c1023 msg='PAM: session open acct=root : exe=\"/usr/sbin/crond\" (hostname=?, addr=?, terminal=cron res=success)'")
        #expect(start.text("acct") == "root")
        #expect(start.text("exe") == "/usr/sbin/crond")
        #expect(start.text("terminal") == "cron")
        #expect(start.text("res") == "success")
        #expect(start.index(of: "hostname") != nil && start.value("hostname") == nil)
    }

    @Test func item13_daemonRecordsWithFreeTextAndNoColon() throws {
        let s = try TestSupport.parse(
            "type=DAEMON_START msg=audit(1481076983.819:7798): auditd start, ver=2.4.1 format=raw kernel=3.10.0-327.36.3.el7.x86_64 auid=4294967295 pid=251 subj=system_u:system_r:auditd_t:s0 res=success")
        #expect(s.text("ver") == "2.4.1")
        #expect(s.int("pid") == 251)
        let c = try TestSupport.parse(
            "type=DAEMON_CONFIG msg=audit(1490239800.477:34) config changed, auid=0 pid=1512 subj=system_u:system_r:auditd_t:s0 res=success")
        #expect(c.stamp == EventStamp(seconds: 1_490_239_800, milliseconds: 477, serial: 34))
        #expect(c.int("auid") == 0)
    }

    @Test func item14_gluedRecordsKeepTheFirstValueAndDoNotCrash() throws {
        let r = try TestSupport.parse(
            "type=DAEMON_END msg=audit(1724970459.096:8216): op=terminate auid=0 pid=12333 subj=24970459.090:670): pid=12323 uid=0 msg='op=PAM:session_open res=success' res=success")
        #expect(r.int("pid") == 12333)
        #expect(r.text("op") == "terminate")
    }

    @Test func item15_longExecveSplitAcrossRecords() throws {
        let arg = String(repeating: "ba", count: 4096) + "end"
        let hex = arg.utf8.map { String(format: "%02X", $0) }.joined()
        let chunks = stride(from: 0, to: hex.count, by: 7464).map { start -> String in
            let s = hex.index(hex.startIndex, offsetBy: start)
            let e = hex.index(s, offsetBy: min(7464, hex.count - start))
            return String(hex[s..<e])
        }
        var lines = ["type=SYSCALL msg=audit(1615150974.493:21028): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"echo\" exe=\"/bin/echo\" key=(null)"]
        lines.append("type=EXECVE msg=audit(1615150974.493:21028): argc=2 a0=\"/bin/echo\" a1_len=\(hex.count) a1[0]=\(chunks[0])")
        for (i, c) in chunks.enumerated().dropFirst() {
            lines.append("type=EXECVE msg=audit(1615150974.493:21028): a1[\(i)]=\(c)")
        }
        let d = try #require(TestSupport.decode(lines))
        #expect(d.argv?.count == 2)
        #expect(d.argv?[0].text == "/bin/echo")
        #expect(d.argv?[1].text == arg)
    }

    @Test func item16_argcMismatchAndMissingArguments() throws {
        let d = try #require(TestSupport.decode(["type=EXECVE msg=audit(1614788539.386:13232): argc=0 a0=\"whoami\""]))
        #expect(d.argv?.map(\.text) == ["whoami"])
        let e = try #require(TestSupport.decode(["type=EXECVE msg=audit(1.000:9): argc=3 a0=\"/bin/ls\" a2=\"/etc\""]))
        #expect(e.argv?.map(\.text) == ["/bin/ls", "", "/etc"])
    }

    @Test func item17_proctitleQuotedOrHexWithNULs() throws {
        let a = try #require(TestSupport.decode(["type=PROCTITLE msg=audit(1.000:10): proctitle=\"bash\""]))
        #expect(a.proctitle?.map(\.text) == ["bash"])
        let b = try #require(TestSupport.decode(["type=PROCTITLE msg=audit(1.000:11): proctitle=737368643A206275726E205B707269765D"]))
        #expect(b.proctitle?.map(\.text) == ["sshd: burn [priv]"])
        let c = try #require(TestSupport.decode(["type=PROCTITLE msg=audit(1.000:12): proctitle=2F62696E2F7368002D630069707461626C6573"]))
        #expect(c.proctitle?.map(\.text) == ["/bin/sh", "-c", "iptables"])
    }

    @Test func item18_deletedExeHexEncoded() throws {
        let r = try TestSupport.parse(
            "type=SYSCALL msg=audit(1.000:13): arch=c000003e syscall=0 exe=2F7573722F6C6962657865632F7374726F6E677377616E2F636861726F6E202864656C6574656429 comm=\"charon\"")
        #expect(r.text("exe") == "/usr/libexec/strongswan/charon (deleted)")
    }

    @Test func item20_enrichedTailAndGluedTail() throws {
        let r = try TestSupport.parse(
            "type=SYSCALL msg=audit(1783414661.335:485): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=2 auid=0 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"specimen_exec\"\u{1d}ARCH=x86_64 SYSCALL=execve AUID=\"root\" UID=\"root\"")
        #expect(r.text("key") == "specimen_exec")
        #expect(r.text("ARCH") == "x86_64")
        #expect(r.text("AUID") == "root")
        let i = try #require(r.index(of: "UID"))
        #expect(r.fields[i].enriched)
        let glued = try TestSupport.parse(
            "type=SECCOMP msg=audit(1.000:14): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=2039886 comm=\"ls\" exe=\"/bin/ls\" sig=0 arch=c000003e syscall=56 compat=0 ip=0x7f62dce3d4c7 code=0x7ffc0000AUID=\"unset\" UID=\"root\" SYSCALL=clone")
        #expect(glued.text("code") == "0x7ffc0000")
        #expect(glued.text("AUID") == "unset")
        #expect(glued.text("SYSCALL") == "clone")
        let quoteGlued = try TestSupport.parse(
            "type=USER_CMD msg=audit(1.000:15): pid=1 uid=0 auid=0 ses=1 msg='cwd=\"/\" cmd=6C73 exe=\"/usr/bin/sudo\" terminal=pts/0 res=success'UID=\"root\" AUID=\"root\"")
        #expect(quoteGlued.text("res") == "success")
        #expect(quoteGlued.text("UID") == "root")
        #expect(quoteGlued.text("cmd") == "ls")
    }

    @Test func item21_i386SyscallResolvedWithTheRecordsArch() throws {
        let d = try #require(TestSupport.decode([
            "type=SECCOMP msg=audit(1433785727.186:10262): auid=20003 uid=22 gid=22 ses=21 pid=11217 comm=\"sshd\" exe=\"/usr/sbin/sshd\" sig=31 arch=40000003 syscall=132 compat=0 ip=0xb7670aac code=0x0"
        ]))
        #expect(d.syscall?.archName == "i386")
        #expect(d.syscall?.name == "getpgid")
        let s = try #require(TestSupport.decode([
            "type=SYSCALL msg=audit(1243332701.744:101): arch=40000003 syscall=197 success=yes exit=0 a0=3 a1=bf9dd3cc a2=b7f6fff4 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/bin/x\" key=(null)"
        ]))
        #expect(s.syscall?.name == "fstat64")
    }

    @Test func item22_seccompWithMLSContext() throws {
        let r = try TestSupport.parse(
            "type=SECCOMP msg=audit(1613596317.899:6461): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=system_u:system_r:spc_t:s0:c284,c594 pid=2039886 comm=\"ls\" exe=\"/bin/ls\" sig=0 arch=c000003e syscall=3 compat=0 ip=0x7f62dce3d4c7 code=0x7ffc0000")
        #expect(r.text("subj") == "system_u:system_r:spc_t:s0:c284,c594")
        let d = try #require(TestSupport.decode([
            "type=SECCOMP msg=audit(1613596317.899:6461): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=2039886 comm=\"ls\" exe=\"/bin/ls\" sig=0 arch=c000003e syscall=3 compat=0 ip=0x7f62dce3d4c7 code=0x7ffc0000"
        ]))
        #expect(d.syscall?.name == "close")
    }

    @Test func item23_selinuxAvcPermsAndAppArmorAvc() throws {
        let r = try TestSupport.parse(
            "type=AVC msg=audit(1170021493.977:293): avc:  denied  { read } for  pid=13010 comm=\"pickup\" name=\"maildrop\" dev=hda7 ino=14911367 scontext=system_u:system_r:postfix_pickup_t:s0 tcontext=system_u:object_r:postfix_spool_maildrop_t:s0 tclass=dir")
        #expect(r.text("seresult") == "denied")
        #expect(r.text("seperms") == "read")
        #expect(r.int("pid") == 13010)
        #expect(r.text("tclass") == "dir")
        let g = try TestSupport.parse(
            "type=AVC msg=audit(1.000:16): avc:  granted  { setsecparam read } for  pid=1 comm=\"load_policy\" scontext=a tcontext=b tclass=security")
        #expect(g.text("seresult") == "granted")
        #expect(g.text("seperms") == "setsecparam read")
        let aa = try TestSupport.parse(
            "type=AVC msg=audit(1634728455.294:53732): apparmor=\"STATUS\" operation=\"profile_replace\" info=\"same as current profile, skipping\" profile=\"unconfined\" name=\"/usr/bin/man\" pid=24 comm=\"apparmor_parser\"")
        #expect(aa.text("info") == "same as current profile, skipping")
        #expect(aa.text("operation") == "profile_replace")
    }

    @Test func item24_apparmorSubjectWithModeInParentheses() throws {
        let r = try TestSupport.parse(
            "type=SYSCALL msg=audit(1.000:17): arch=c000003e syscall=2 success=yes exit=3 comm=\"ntpd\" exe=\"/usr/sbin/ntpd\" subj==/usr/sbin/ntpd (enforce) key=(null)")
        #expect(r.text("subj") == "=/usr/sbin/ntpd (enforce)")
        #expect(r.index(of: "key") != nil)
        let b = try TestSupport.parse(
            "type=ANOM_ABEND msg=audit(1.000:18): auid=1000 uid=1000 gid=1000 ses=2 subj==/usr/bin/man//&man_groff (enforce) pid=3 comm=\"nroff\" exe=\"/usr/bin/nroff\" sig=6 res=1")
        #expect(b.text("subj") == "=/usr/bin/man//&man_groff (enforce)")
        #expect(b.int("sig") == 6)
    }

    @Test func item25_anomPromiscuousWithItsSyscallIsOneEvent() {
        let out = TestSupport.assemble([
            "type=ANOM_PROMISCUOUS msg=audit(1492734742.981:753): dev=ens4 prom=0 old_prom=256 auid=1001 uid=0 gid=0 ses=1",
            "type=SYSCALL msg=audit(1492734742.981:753): arch=c000003e syscall=54 success=yes exit=0 a0=3 a1=107 a2=1 a3=7ffe items=0 ppid=1 pid=2 auid=1001 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"tcpdump\" exe=\"/usr/sbin/tcpdump\" key=(null)",
            "type=EOE msg=audit(1492734742.981:753): ",
        ])
        #expect(out.events.count == 1)
        #expect(out.events.first?.records.count == 2)
        #expect(out.late.isEmpty)
    }

    @Test func item26_multipleKeysSeparatedBy0x01() throws {
        let d = try #require(TestSupport.decode([
            "type=SYSCALL msg=audit(1.000:19): arch=c000003e syscall=59 success=yes exit=0 comm=\"x\" key=65786563013634626974\""
        ]))
        #expect(d.keys.map(\.text) == ["exec", "64bit"])
    }

    @Test func item27_interpretedLines() throws {
        let d = try #require(TestSupport.decode([
            "type=SYSCALL msg=audit(1581371984.206:579398): arch=x86_64 syscall=execve success=yes exit=0 a0=0x1fd05c0 a1=0x1fd2730 a2=0x1fd4640 a3=0x7ffc6939f360 items=2 ppid=2563 pid=2614 auid=vagrant uid=vagrant gid=vagrant comm=top exe=/usr/bin/top key=(null)"
        ]))
        #expect(d.syscall?.name == "execve")
        #expect(d.syscall?.number == 59)
        #expect(d.syscall?.args.first == 0x1fd05c0)
        #expect(d.process.auid == nil)  // a name, not a number: not guessed
        #expect(d.process.exe?.text == "/usr/bin/top")
        let h = try TestSupport.parse("type=SYSCALL msg=audit(2020-03-11 21:25:21.491:269) : arch=x86_64 syscall=openat")
        #expect(h.stamp == EventStamp(seconds: 1_583_961_921, milliseconds: 491, serial: 269))
        #expect(h.text("syscall") == "openat")
    }

    @Test func item28_ttyBareWordAndControlBytesInData() throws {
        let r = try TestSupport.parse(
            "type=TTY msg=audit(1491924063.550:1065565): tty pid=27930 uid=1000 auid=1000 ses=762 major=136 minor=0 comm=\"bash\" data=65687F7F6563686F0D1B5B41")
        #expect(r.int("pid") == 27930)
        #expect(r.value("data").map(Array.init) == [0x65, 0x68, 0x7f, 0x7f, 0x65, 0x63, 0x68, 0x6f, 0x0d, 0x1b, 0x5b, 0x41])
        #expect(Printable.escape(r.value("data")!) == "eh\\x7f\\x7fecho\\x0d\\x1b[A")
    }

    @Test func item29_whitespaceQuirks() throws {
        let cwd = try TestSupport.parse("type=CWD msg=audit(1492037291.036:59):  cwd=\"/home/andrew_kroh\"")
        #expect(cwd.text("cwd") == "/home/andrew_kroh")
        let crypto = try TestSupport.parse(
            "type=CRYPTO_SESSION msg=audit(1.000:20): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=start direction=from-server cipher=chacha20-poly1305@openssh.com ksize=512 mac= pfs=curve25519-sha256@libssh.org spid=1299 suid=74 rport=63927 laddr=10.142.0.2 lport=22  exe=\"/usr/sbin/sshd\" hostname=? addr=1.2.3.4 terminal=? res=success'")
        #expect(crypto.value("mac")?.isEmpty == true)
        #expect(crypto.text("pfs") == "curve25519-sha256@libssh.org")
        #expect(crypto.text("exe") == "/usr/sbin/sshd")
        let out = TestSupport.assemble([
            "type=SYSCALL msg=audit(1492798541.391:20246): arch=c000003e syscall=2",
            "type=EOE msg=audit(1492798541.391:20246): ",
        ])
        #expect(out.events.first?.completion == .endOfEvent)
    }

    @Test func item30_duplicateIdsAreLateNotSecondEvents() {
        let out = TestSupport.assemble([
            "type=SYSCALL msg=audit(10.000:1): arch=c000003e syscall=59",
            "type=EOE msg=audit(10.000:1): ",
            "type=SYSCALL msg=audit(10.000:1): arch=c000003e syscall=59",
        ])
        #expect(out.events.count == 1)
        #expect(out.late.count == 1)
        #expect(out.stats.late == 1)
    }

    @Test func item31_numericFormats() throws {
        let p = try #require(TestSupport.decode([
            "type=PATH msg=audit(1.000:21): item=0 name=\"/bin/ls\" inode=42 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0000000000000000"
        ]))
        #expect(p.paths.first?.mode == 0o100755)
        #expect(p.paths.first?.dev?.text == "08:01")
        let s = try #require(TestSupport.decode([
            "type=SYSCALL msg=audit(1.000:22): arch=c000003e syscall=42 success=no exit=-115 a0=6 items=0 pid=5"
        ]))
        #expect(s.syscall?.exit == -115)
        #expect(s.syscall?.errno == "EINPROGRESS")
        #expect(s.syscall?.success == false)
    }

    @Test func item32_newerKernelRecords() throws {
        let u = try TestSupport.parse(
            "type=URINGOP msg=audit(1737533617.373:12266329): uring_op=18 success=yes exit=0 items=0 ppid=140504 pid=3178806 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 subj=unconfined key=(null)")
        #expect(u.type.name == "URINGOP")
        #expect(u.int("uring_op") == 18)
        let b = try TestSupport.parse("type=BPF msg=audit(1737533267.765:12263987): prog-id=75 op=LOAD")
        #expect(b.text("prog-id") == "75")
        let n = try TestSupport.parse(
            "type=NETFILTER_CFG msg=audit(1.000:23): table=?:0;?:0 family=0 entries=2 op=nft_register_gen pid=1027 subj=unconfined comm=\"ebtables\"")
        #expect(n.text("table") == "?:0;?:0")
        #expect(n.text("comm") == "ebtables")
    }

    @Test(arguments: [
        ("type=WRONGDATE msg=audit(1337845201): x=1", ParseError.Reason.badStamp),
        ("type=EMPTYDATE msg=audit(): x=1", .badStamp),
        ("type= msg=audit(1.000:1): x=1", .emptyType),
        ("msg=audit(1.000:1): x=1", .missingType),
        ("", .empty),
        ("type=SYSCALL msg=audit(1.000:1", .badStamp),
    ])
    func item33_malformedLines(line: String, reason: ParseError.Reason) {
        let out = TestSupport.assemble([line, "type=SYSCALL msg=audit(5.000:5): arch=c000003e syscall=59"])
        #expect(out.malformed.map(\.reason) == [reason])
        #expect(out.malformed.first?.line == 1)
        #expect(out.events.count == 1)
    }

    /// Found by the mutation test: a fraction of more than three digits crashed the stamp parser.
    @Test func longFractionInStampIsScaledNotACrash() throws {
        let r = try TestSupport.parse("type=SYSCALL msg=audit(1.12345:7): arch=c000003e syscall=59")
        #expect(r.stamp == EventStamp(seconds: 1, milliseconds: 123, serial: 7))
        let s = try TestSupport.parse("type=SYSCALL msg=audit(1.5:8): arch=c000003e syscall=59")
        #expect(s.stamp.milliseconds == 500)
    }

    @Test func malformedExcerptIsEscaped() {
        let out = TestSupport.assemble(["type=X msg=\u{1b}[31mred\nfake"])
        let e = out.malformed.first
        #expect(e?.excerpt.contains("\u{1b}") == false)
        #expect(e?.excerpt.contains("\\x1b") == true)
    }
}
