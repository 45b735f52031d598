import AuditStream
import Foundation
import ProcessState
import RuleEngine
import Testing
import VigilDaemon
import VigilTestSupport

/// `fs.path.*` and the other fields read from an event's own records, on audit lines as the kernel writes them, and
/// what `vigil rules fields` says of them.
@Suite struct AuditFieldTests {
    /// Decodes and enriches (replay: no /proc) each event of `lines`, and reads `fields` from the last one.
    static func fields(_ lines: [String], _ fields: [String]) throws -> [String: String] {
        let matcher = try RuleMatcher(paths: [PackagedRulesTests.rulesDir + "/vigil_rules.yaml"], hostname: "test")
        let pipeline = AuditStreamPipeline()
        let enricher = Enricher.replay()
        var last: AuditFieldSource? = nil
        let sink: (AuditStreamPipeline.Output) -> Void = {
            if case .event(let e) = $0 {
                let d = EventDecoder.decode(e)
                last = matcher.fieldSource(d, enriched: enricher.enrich(e, d))
            }
        }
        for (i, l) in lines.enumerated() { pipeline.push(line: Array(l.utf8), number: i + 1, emit: sink) }
        pipeline.finish(emit: sink)
        let source = try #require(last)
        var out: [String: String] = [:]
        for name in fields {
            let id = try #require(FieldRegistry.standard.id(of: name), "\(name) is not registered")
            switch source.extract(id, argument: nil) {
            case .string(let b)?: out[name] = String(decoding: b, as: UTF8.self)
            case .unsigned(let n)?: out[name] = String(n)
            case .signed(let n)?: out[name] = String(n)
            case nil: break
            case let v?: out[name] = "\(v)"
            }
        }
        return out
    }

    static let all = ["fs.path.name", "fs.path.nameraw", "fs.path.source", "fs.path.sourceraw", "fs.path.target", "fs.path.targetraw"]

    @Test func aChmodNamesItsPathResolvedAgainstTheCWD() throws {
        // fchmodat(AT_FDCWD, "../etc/passwd", 0777) from /root
        let e = PackagedRulesTests.event(
            serial: 1, syscall: 268, a: ["ffffff9c", "7ffd1000", "1ff", "0"], comm: "chmod", exe: "/bin/busybox",
            argv: nil, cwd: "/root", paths: [("../etc/passwd", "NORMAL", "0100644")])
        let f = try Self.fields(e, Self.all)
        #expect(f == ["fs.path.name": "/etc/passwd", "fs.path.nameraw": "../etc/passwd"])
    }

    @Test func aFailedCallHasNoPath() throws {
        let e = PackagedRulesTests.event(
            serial: 2, syscall: 268, exit: -1, a: ["ffffff9c", "7ffd1000", "1ff", "0"], comm: "chmod", exe: "/bin/busybox",
            paths: [("/etc/passwd", "NORMAL", "0100644")])
        #expect(try Self.fields(e, Self.all).isEmpty)
    }

    @Test func unlinkNamesTheDeletedObjectNotItsParent() throws {
        // unlinkat(AT_FDCWD, "/var/log/syslog", 0): PARENT then DELETE
        let e = PackagedRulesTests.event(
            serial: 3, syscall: 263, a: ["ffffff9c", "7ffd1000", "0", "0"], comm: "rm", exe: "/bin/busybox",
            paths: [("/var/log/", "PARENT", "040755"), ("/var/log/syslog", "DELETE", "0100640")])
        #expect(try Self.fields(e, ["fs.path.name", "fs.path.source"]) == ["fs.path.name": "/var/log/syslog"])
    }

    @Test func renameHasSourceAndTarget() throws {
        // rename("x", "/etc/cron.d/job") from /tmp: PARENT, PARENT, DELETE, CREATE
        let e = PackagedRulesTests.event(
            serial: 4, syscall: 82, a: ["7ffd1000", "7ffd2000", "0", "0"], comm: "mv", exe: "/bin/busybox", cwd: "/tmp",
            paths: [("/tmp", "PARENT", "041777"), ("/etc/cron.d/", "PARENT", "040755"), ("x", "DELETE", "0100644"),
                    ("/etc/cron.d/job", "CREATE", "0100644")])
        let f = try Self.fields(e, Self.all)
        #expect(f == ["fs.path.source": "/tmp/x", "fs.path.sourceraw": "x", "fs.path.target": "/etc/cron.d/job",
                      "fs.path.targetraw": "/etc/cron.d/job"])
    }

    @Test func symlinkSourceIsTheLinkTargetIsItsContent() throws {
        // symlink("/etc/shadow", "s") from /tmp: the content is an UNKNOWN item, then PARENT and CREATE
        let e = PackagedRulesTests.event(
            serial: 5, syscall: 88, a: ["7ffd1000", "7ffd2000", "0", "0"], comm: "ln", exe: "/bin/busybox", cwd: "/tmp",
            paths: [("/etc/shadow", "UNKNOWN", "0100640"), ("/tmp", "PARENT", "041777"), ("s", "CREATE", "0120777")])
        let f = try Self.fields(e, ["fs.path.name", "fs.path.source", "fs.path.target"])
        #expect(f == ["fs.path.source": "/tmp/s", "fs.path.target": "/etc/shadow"])
    }

    @Test func anExecIsNoFilesystemPathEvent() throws {
        let e = PackagedRulesTests.event(
            serial: 6, syscall: 59, comm: "ls", exe: "/usr/bin/ls", argv: ["ls", "-l", "/tmp"],
            paths: [("/usr/bin/ls", "NORMAL", "0100755")])
        let f = try Self.fields(e, Self.all + ["proc.exeline", "proc.cmdlenargs", "fd.dev", "fd.dev.major", "fd.dev.minor"])
        // Not in libsinsp's fspath table; the exec's own fields are there (PATH dev=fd:01).
        #expect(f == ["proc.exeline": "ls -l /tmp", "proc.cmdlenargs": "7", "fd.dev": String(0xfd << 20 | 1),
                      "fd.dev.major": "253", "fd.dev.minor": "1"])
    }

    @Test func timeFieldsToTheSecond() throws {
        let e = PackagedRulesTests.event(serial: 7, syscall: 39, comm: "sh", exe: "/bin/sh")
        let f = try Self.fields(e, ["evt.time.s", "evt.datetime.s", "evt.time"])
        // 1795600000.007 is 2026-11-25 09:46:40.007 UTC
        #expect(f["evt.time.s"] == "09:46:40")
        #expect(f["evt.datetime.s"] == "2026-11-25 09:46:40")
        #expect(f["evt.time"] == "09:46:40.007000000")
    }

    /// A rule on `fs.path.name` fires on the event it names (the packaged account-permissions rule reads it).
    @Test func aRuleOnTheFieldFires() throws {
        let e = PackagedRulesTests.event(
            serial: 8, syscall: 268, a: ["ffffff9c", "7ffd1000", "1ff", "0"], comm: "chmod", exe: "/bin/busybox",
            paths: [("/etc/passwd", "NORMAL", "0100644")])
        #expect(try PackagedRulesTests.fired(e) == ["Account database permissions changed"])
    }

    /// Every field the extraction table names is registered (a misspelt name there would silently never match),
    /// and the fields §7.2 of the reference marks as fed by audit are extracted.
    @Test func extractionTableAndRegistryAgree() throws {
        for name in ["fs.path.name", "fs.path.nameraw", "fs.path.source", "fs.path.sourceraw", "fs.path.target",
                     "fs.path.targetraw", "fd.dev", "fd.ino", "container.start_ts", "container.duration", "proc.vpid", "proc.pvpid", "thread.vtid", "fd.nameraw", "evt.time.s", "evt.datetime.s",
                     "proc.exeline", "user.homedir", "user.shell", "container.image.id", "k8s.pod.sandbox_id"] {
            #expect(AuditField.isExtracted(name), "\(name)")
        }
        for name in AuditField.extractedNames {
            #expect(FieldRegistry.standard.id(of: name) != nil, "\(name) is extracted but not registered")
        }
        for def in FieldRegistry.standard.definitions where def.availability == .never {
            #expect(!AuditField.isExtracted(def.name), "\(def.name) is marked never but extracted")
        }
    }

    /// `vigil rules fields` says which registered fields Vigil extracts: an operator reading it knows which rules
    /// cannot fire here.
    @Test func rulesFieldsTellsWhatIsExtracted() throws {
        let run = try BaselineCommandTests.vigil(["rules", "fields", "--json"])
        #expect(run.status == 0, "\(run.err)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: fields.compactMap { f in (f["name"] as? String).map { ($0, f) } })
        #expect(byName["fs.path.name"]?["extracted"] as? Bool == true)
        #expect(byName["proc.sname"]?["extracted"] as? Bool == false)
        #expect(byName["evt.cpu"]?["availability"] as? String == "never")
        let text = try BaselineCommandTests.vigil(["rules", "fields"]).out
        let sname = try #require(text.split(separator: "\n").first { $0.hasPrefix("proc.sname ") })
        #expect(sname.contains(" not-extracted "))
    }
}
