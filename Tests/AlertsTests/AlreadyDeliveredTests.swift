import Foundation
import Testing

@testable import Alerts

/// A daemon resuming a log re-raises what a SIGKILL caught between a sink's write and the saved position,
/// with the same uuids: a sink that keeps a record (an alert file, a write-ahead spool) must not get them twice,
/// and one that keeps none (memory here, like a terminal or syslog) gets them again, same uuid.
@Suite("Alerts already delivered before a restart", .serialized)
struct AlreadyDeliveredTests {
    @Test func resumedRouterSkipsWhatEachSinkAlreadyHolds() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let path = "\(directory)/alerts.json"
        let spoolDirectory = "\(directory)/spool"
        let alerts = (0..<40).map { TestSupport.makeAlert($0) }
        func router(_ memory: InMemoryAlertSink, held: InMemoryAlertSink) throws -> AlertRouter {
            try AlertRouter(
                sinks: [
                    RoutedSink(
                        settings: SinkSettings(name: "file"),
                        sink: FileAlertSink(path: path, fsync: .never, logger: TestSupport.logger)),
                    RoutedSink(
                        settings: SinkSettings(name: "spooled", spool: SpoolSettings(directory: spoolDirectory, writeAhead: true)),
                        sink: held),
                    RoutedSink(settings: SinkSettings(name: "memory"), sink: memory),
                ], logger: TestSupport.logger)
        }
        // First run: 25 alerts delivered everywhere (the file also holds an unrelated older line).
        try "not an alert\n".write(toFile: path, atomically: false, encoding: .utf8)
        let first = try router(InMemoryAlertSink(), held: InMemoryAlertSink())
        for alert in alerts.prefix(25) { first.submit(alert) }
        #expect(await TestSupport.waitUntil { first.isIdle })
        await first.shutdown(drainTimeout: .seconds(5))

        // The restart re-reads events 15..<25 and goes on to 40.
        let memory = InMemoryAlertSink()
        let spooled = InMemoryAlertSink()
        let second = try router(memory, held: spooled)
        let held = Dictionary(uniqueKeysWithValues: second.skipAlertsAlreadyDelivered().map { ($0.sink, $0.held) })
        #expect(held["file"] == 25)
        #expect(held["spooled"] == 25)
        #expect(held["memory"] == 0)
        for alert in alerts[15...] { second.submit(alert) }
        #expect(await TestSupport.waitUntil { second.isIdle })
        await second.shutdown(drainTimeout: .seconds(5))

        let fileUUIDs = TestSupport.jsonLines(path).compactMap { $0["uuid"] as? String }
        #expect(fileUUIDs == alerts.map(\.uuid), "each alert once, in order")
        #expect(spooled.alerts.map(\.uuid) == alerts[25...].map(\.uuid))
        #expect(memory.alerts.map(\.uuid) == alerts[15...].map(\.uuid), "no record to read back: at least once")
        let counters = second.counters()
        #expect(counters.counters(for: "file")?.alreadyDelivered == 10)
        #expect(counters.counters(for: "spooled")?.alreadyDelivered == 10)
        #expect(counters.counters(for: "memory")?.alreadyDelivered == 0)
        // The watermark still counts skipped alerts as settled (a file source may persist past them).
        #expect(second.deliveryWatermark.settled == second.deliveryWatermark.handed)
    }

    @Test func uuidsAreReadFromTheTailOnlyAndAcrossARotation() throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let path = "\(directory)/alerts.json"
        let alerts = (0..<30).map { TestSupport.makeAlert($0) }
        let lines = alerts.map { AlertLineFormat.json.line($0) }
        try Data(lines[0..<20].joined()).write(to: URL(fileURLWithPath: "\(path).1"))
        try Data(lines[20...].joined()).write(to: URL(fileURLWithPath: path))
        let sink = FileAlertSink(path: path, logger: TestSupport.logger)
        // The whole current file and part of the rotated one: only whole lines count.
        let budget = lines[15...].reduce(0) { $0 + $1.count } + 7
        let found = try #require(sink.deliveredUUIDs(scanning: budget))
        #expect(found == Set(alerts[15...].map(\.uuid)))
        #expect(FileAlertSink(path: path, format: .text, logger: TestSupport.logger).deliveredUUIDs(scanning: budget) == nil)
    }
}
