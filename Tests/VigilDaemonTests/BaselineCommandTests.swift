import Foundation
import Testing
import VigilTestSupport

/// `vigil baseline …` and `vigil seccomp export` as an operator runs them, on a real SQLite file.
struct BaselineCommandTests {
    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    static func vigil(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = VigilBinary.url
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    static let profile = """
        {"vigil_baseline": 1, "key": "registry.local/web:2", "mode": "learning", "created_ms": 1700000000000,
         "items": {"process": ["/usr/bin/cat <- /usr/bin/busybox"], "file": ["r /etc/app.conf", "w /tmp/*/out.json\\u001b[31m"],
                   "network": ["connect inet 10.0.0.5:8080"], "syscall": ["x86_64 read", "x86_64 write", "x86_64 execve", "x86_64 openat"],
                   "user": ["uid 0"]}}
        """

    @Test func importShowModeAcceptExportResetAndSeccomp() throws {
        let dir = TemporaryDirectory("vigil-baseline-cli")
        let db = dir.path("b.sqlite")
        let file = dir.path("p.json")
        try Self.profile.write(toFile: file, atomically: true, encoding: .utf8)
        // No database yet: a clear error, not an empty one created by accident.
        let missing = try Self.vigil(["baseline", "list", "--db", db])
        #expect(missing.status != 0 && missing.err.contains("no baselines database"))

        let imported = try Self.vigil(["baseline", "import", file, "--db", db])
        #expect(imported.status == 0, "\(imported.err)")
        #expect(imported.out.contains("imported registry.local/web:2 (learning, 9 items)"))

        let list = try Self.vigil(["baseline", "list", "--db", db])
        #expect(list.out.contains("registry.local/web:2\tlearning\t1\t2\t1\t4\t1\t0\t0\t0"), "\(list.out)")

        // A prefix names the profile; the escape sequence of an item is shown escaped, never sent to the terminal.
        let show = try Self.vigil(["baseline", "show", "registry.local/web", "--db", db])
        #expect(show.status == 0, "\(show.err)")
        #expect(show.out.contains("w /tmp/*/out.json\\x1b[31m"))
        #expect(!show.out.contains("\u{1b}"))

        #expect(try Self.vigil(["baseline", "mode", "registry.local/web:2", "protect", "--db", db]).status == 0)
        let bad = try Self.vigil(["baseline", "mode", "registry.local/web:2", "asleep", "--db", db])
        #expect(bad.status != 0 && bad.err.contains("MODE must be learning, monitoring or protect"))
        let accepted = try Self.vigil(["baseline", "accept", "registry.local/web:2", "network", "connect inet 10.0.0.6:5432", "--db", db])
        #expect(accepted.out.contains("accepted 1 item(s)"), "\(accepted.err)")
        let wrongDimension = try Self.vigil(["baseline", "accept", "registry.local/web:2", "colour", "red", "--db", db])
        #expect(wrongDimension.status != 0 && wrongDimension.err.contains("DIMENSION must be one of"))

        let export = try Self.vigil(["baseline", "export", "registry.local/web:2", "--db", db])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(export.out.utf8)) as? [String: Any])
        #expect(doc["mode"] as? String == "protect")
        #expect((doc["items"] as? [String: [String]])?["network"] == ["connect inet 10.0.0.5:8080", "connect inet 10.0.0.6:5432"])

        let seccomp = try Self.vigil(["seccomp", "export", "registry.local/web:2", "--check", "-o", dir.path("s.json"), "--db", db])
        #expect(seccomp.status == 0, "\(seccomp.err)")
        #expect(seccomp.err.contains("BPF program") && seccomp.err.contains("x86_64: 8 syscalls"), "\(seccomp.err)")

        #expect(try Self.vigil(["baseline", "reset", "registry.local/web:2", "--db", db]).status == 0)
        #expect(try Self.vigil(["baseline", "list", "--db", db]).out.contains("registry.local/web:2\tlearning\t0\t0\t0\t0\t0\t0\t0\t0"))
        let empty = try Self.vigil(["seccomp", "export", "registry.local/web:2", "--db", db])
        #expect(empty.status != 0 && empty.err.contains("no learned syscalls"), "\(empty.err)")

        let none = try Self.vigil(["baseline", "show", "nginx", "--db", db])
        #expect(none.status != 0 && none.err.contains("no profile 'nginx'"))
        try "{\"vigil_baseline\": 1, \"key\": \"x:1\", \"mode\": \"learning\", \"items\": {\"colour\": []}}".write(toFile: file, atomically: true, encoding: .utf8)
        let broken = try Self.vigil(["baseline", "import", file, "--db", db])
        #expect(broken.status != 0 && broken.err.contains("not a Vigil baseline") && broken.err.contains("unknown dimension 'colour'"), "\(broken.err)")
    }
}

/// Issue 11's fault: the baselines database survives SIGKILL in the middle of writing.
struct BaselineDatabaseKillTests {
    /// Large imports (one transaction each, 30 000 items) in a loop, SIGKILLed at varying moments: every time
    /// SQLite's integrity check passes and the profile reads back whole — the last committed import, never half
    /// of one.
    @Test func sigkillDuringWritesLeavesASoundDatabase() throws {
        let dir = TemporaryDirectory("vigil-baseline-kill")
        let db = dir.path("b.sqlite")
        let file = dir.path("big.json")
        let files = (0..<30_000).map { "\"w /srv/data/\($0)/out.json\"" }.joined(separator: ",")
        try """
            {"vigil_baseline": 1, "key": "registry.local/big:1", "mode": "learning", "created_ms": 1700000000000,
             "items": {"file": [\(files)], "syscall": ["x86_64 read"]}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try BaselineCommandTests.vigil(["baseline", "import", file, "--db", db]).status == 0)
        for round in 0..<4 {
            let loop = Process()
            loop.executableURL = URL(fileURLWithPath: "/bin/sh")
            loop.arguments = ["-c", "while :; do '\(VigilBinary.url.path)' baseline import '\(file)' --db '\(db)' >/dev/null || exit 1; done"]
            try loop.run()
            usleep(useconds_t(1_300_000 + round * 370_000))
            // The loop's current `vigil` first (mid-transaction), then the loop itself.
            let pkill = Process()
            pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
            pkill.arguments = ["-KILL", "-P", "\(loop.processIdentifier)"]
            try pkill.run()
            pkill.waitUntilExit()
            kill(loop.processIdentifier, SIGKILL)
            loop.waitUntilExit()
            let check = try BaselineCommandTests.vigil(["baseline", "check", "--db", db])
            #expect(check.status == 0 && check.out.hasPrefix("ok: "), "round \(round): \(check.out) \(check.err)")
            let list = try BaselineCommandTests.vigil(["baseline", "list", "--db", db])
            let row = list.out.split(separator: "\n").first { $0.hasPrefix("registry.local/big:1\t") }
            #expect(row?.split(separator: "\t")[3] == "30000", "round \(round): \(list.out) \(list.err)")
        }
    }
}
