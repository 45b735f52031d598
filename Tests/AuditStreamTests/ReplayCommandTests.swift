import Foundation
import Testing

/// `vigil replay` as a user runs it: the built binary, real files, stdin, exit codes.
struct ReplayCommandTests {
    static var binary: URL {
        let env = ProcessInfo.processInfo.environment["VIGIL_BIN"]
        if let env { return URL(fileURLWithPath: env) }
        // swift test builds every product beside the test bundle.
        let bundle = Bundle.main.bundleURL
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("vigil")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return TestSupport.repoRoot.appendingPathComponent(".build/debug/vigil")
    }

    static func run(_ args: [String], stdin: Data? = nil) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func replayPrintsOneJSONObjectPerEvent() throws {
        let file = TestSupport.corpus.appendingPathComponent("go-libaudit__normal.log").path
        let (status, out, err) = try Self.run(["replay", "--stats", file])
        #expect(status == 0)
        let lines = out.split(separator: "\n")
        #expect(lines.count == 5)
        for l in lines {
            let obj = try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any]
            #expect(obj?["id"] != nil)
            #expect(obj?["records"] != nil)
        }
        #expect(err.contains("records=17 malformed=0"))
        #expect(err.contains("events=5"))
    }

    @Test func replayReadsStandardInputAndReportsMalformedLines() throws {
        let input = """
            type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 comm="sh"
            type=UNKNOWN[1329] msg=?
            type=EOE msg=audit(1.000:1):

            """
        let (status, out, err) = try Self.run(["replay", "--stats", "-"], stdin: Data(input.utf8))
        #expect(status == 0)
        #expect(out.split(separator: "\n").count == 1)
        #expect(err.contains("<stdin>:2: malformed: no msg=audit(SEC.MS:SERIAL) header"))
        #expect(err.contains("malformed=1"))
    }

    @Test func unreadableFileIsAClearErrorAndNonZeroExit() throws {
        let (status, _, err) = try Self.run(["replay", "/nonexistent/audit.log"])
        #expect(status != 0)
        #expect(err.contains("cannot open /nonexistent/audit.log"))
    }
}
