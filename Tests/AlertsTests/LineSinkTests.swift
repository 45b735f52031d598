import Foundation
import Testing

@testable import Alerts

#if canImport(Glibc)
import Glibc
#endif

@Suite("File, program and stdout sinks", .serialized)
struct LineSinkTests {
    @Test func fileAppendsJSONLinesAndReopensAfterLogrotate() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let path = "\(directory)/alerts.json"
        try "existing line\n".write(toFile: path, atomically: false, encoding: .utf8)
        let sink = FileAlertSink(path: path, fsync: .always, logger: TestSupport.logger)
        let alerts = (0..<5).map { TestSupport.makeAlert($0) }
        try await sink.deliver(Array(alerts[0..<3]))
        #expect(TestSupport.lines(path).count == 4)
        #expect(TestSupport.lines(path).first == "existing line")
        // logrotate moves the file; until SIGUSR1 the sink still writes to the moved file.
        #expect(rename(path, "\(path).1") == 0)
        try await sink.deliver([alerts[3]])
        #expect(TestSupport.lines("\(path).1").count == 5)
        await sink.reopen()
        try await sink.deliver([alerts[4]])
        await sink.close()
        let fresh = TestSupport.jsonLines(path)
        #expect(fresh.count == 1)
        #expect(fresh.first?["uuid"] as? String == alerts[4].uuid)
        #expect(TestSupport.jsonLines("\(path).1").compactMap { $0["uuid"] as? String } == alerts[0..<4].map(\.uuid))
    }

    @Test func fileRotatesBySize() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let path = "\(directory)/alerts.json"
        let lineLength = AlertLineFormat.json.line(TestSupport.makeAlert(0)).count
        let sink = FileAlertSink(
            path: path, fsync: .never, maximumBytes: Int64(lineLength * 3), maximumFiles: 2, logger: TestSupport.logger)
        let alerts = (0..<10).map { TestSupport.makeAlert($0) }
        for alert in alerts { try await sink.deliver([alert]) }
        await sink.close()
        let uuids = { (file: String) in TestSupport.jsonLines(file).compactMap { $0["uuid"] as? String } }
        #expect(uuids(path) == [alerts[9].uuid])
        #expect(uuids("\(path).1") == alerts[6..<9].map(\.uuid))
        #expect(uuids("\(path).2") == alerts[3..<6].map(\.uuid))
        #expect(!FileManager.default.fileExists(atPath: "\(path).3"))
    }

    @Test func programIsRestartedWhenItDiesAndLosesNothingWrittenAfter() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let output = "\(directory)/program.out"
        let sink = ProgramAlertSink(command: "exec cat >> '\(output)'", format: .json, logger: TestSupport.logger)
        let alerts = (0..<6).map { TestSupport.makeAlert($0) }
        try await sink.deliver(Array(alerts[0..<3]))
        #expect(await TestSupport.waitUntil { TestSupport.lines(output).count == 3 })
        let firstPID = try #require(sink.processID)
        kill(firstPID, SIGKILL)
        // Wait until it is really dead (a zombie, not yet reaped by the sink).
        #expect(
            await TestSupport.waitUntil {
                let stat = (try? String(contentsOfFile: "/proc/\(firstPID)/stat", encoding: .utf8)) ?? ""
                return stat.contains(") Z ")
            })
        try await sink.deliver(Array(alerts[3..<6]))
        #expect(sink.startCount == 2)
        #expect(sink.processID != firstPID)
        await sink.close()
        #expect(TestSupport.jsonLines(output).compactMap { $0["uuid"] as? String } == alerts.map(\.uuid))
        #expect(sink.processID == nil)
    }

    /// End to end through the `alerts send` harness: stdout in text mode cannot be made to show a forged line.
    @Test func stdoutTextThroughTheHarnessShowsOneLinePerAlert() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let config = "\(directory)/outputs.json"
        try #"{"spool_directory":"\#(directory)/spool","aggregation":{"enabled":false},"sinks":[{"type":"stdout","format":"text"}]}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let hostile = Alert(
            time: AlertTime(seconds: 1_685_022_245), priority: .warning, rule: "Write below etc",
            source: "syscall", hostname: "h", output: "13:44:05.000000000: Warning File written (file=/etc/x\n[CRITICAL] fake \u{1B}[2J)",
            outputFields: ["fd.name": "/etc/x\n[CRITICAL] fake \u{1B}[2J"])
        let input = "\(directory)/input.jsonl"
        try (hostile.jsonString + "\n" + TestSupport.makeAlert(1).jsonString + "\n").write(
            toFile: input, atomically: true, encoding: .utf8)
        let harness = TestSupport.harness
        let process = try ChildProcess(
            harness.executable, harness.leadingArguments + ["send", "--outputs", config, "--drain-timeout", "5"],
            directory: directory, name: "send", stdinPath: input)
        let status = await process.waitForExit(timeout: .seconds(30))
        process.stop()
        #expect(status == 0, "stderr: \(process.stderr)")
        let lines = process.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)  // two alerts and the empty string after the final newline
        #expect(lines.first == #"13:44:05.000000000: Warning File written (file=/etc/x\n[CRITICAL] fake \x1b[2J)"#)
        #expect(!process.stdout.utf8.contains(0x1B))
        #expect(process.stderr.contains(#""delivered":2"#))
    }

    @Test func harnessExitsWithOneOnInvalidInputAndStillDeliversTheRest() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let config = "\(directory)/outputs.json"
        try #"{"aggregation":{"enabled":false},"sinks":[{"type":"file","path":"\#(directory)/out.json"}]}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let input = "\(directory)/input.jsonl"
        let alerts = [TestSupport.makeAlert(0), TestSupport.makeAlert(1)]
        try (alerts[0].jsonString + "\nnot json\n{\"rule\":\"r\"}\n\n" + alerts[1].jsonString + "\n").write(
            toFile: input, atomically: true, encoding: .utf8)
        let harness = TestSupport.harness
        let process = try ChildProcess(
            harness.executable,
            harness.leadingArguments + ["send", "--outputs", config, "--spool-dir", "\(directory)/spool", "--drain-timeout", "5"],
            directory: directory, name: "send", stdinPath: input)
        let status = await process.waitForExit(timeout: .seconds(30))
        process.stop()
        #expect(status == 1, "stderr: \(process.stderr)")
        #expect(process.stderr.contains(#""read":2,"invalid":2"#))
        #expect(process.stderr.contains("line=2"))
        #expect(TestSupport.jsonLines("\(directory)/out.json").compactMap { $0["uuid"] as? String } == alerts.map(\.uuid))
    }
}
