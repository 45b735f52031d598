import Foundation
import Testing

@testable import Alerts

/// The router against the in-memory sink: thresholds, aggregation, overflow, retries, shutdown.
@Suite("Router")
struct AlertRouterTests {
    let fastRetry = RetryBackoff(initialMilliseconds: 5, maximumMilliseconds: 40)

    @Test func priorityThresholdPerSink() async throws {
        let important = InMemoryAlertSink()
        let everything = InMemoryAlertSink()
        let router = try AlertRouter(
            sinks: [
                RoutedSink(settings: SinkSettings(name: "important", minimumPriority: .warning), sink: important),
                RoutedSink(settings: SinkSettings(name: "everything"), sink: everything),
            ], logger: TestSupport.logger)
        let priorities: [AlertPriority] = [.debug, .critical, .warning, .notice, .emergency]
        for (index, priority) in priorities.enumerated() { router.submit(TestSupport.makeAlert(index, priority: priority)) }
        await router.shutdown(drainTimeout: .seconds(5))
        #expect(important.alerts.map(\.priority) == [.critical, .warning, .emergency])
        #expect(everything.alerts.map(\.priority) == priorities)
        let counters = router.counters()
        #expect(counters.counters(for: "important")?.filtered == 2)
        #expect(counters.counters(for: "important")?.delivered == 3)
        #expect(counters.counters(for: "everything")?.delivered == 5)
        #expect(counters.submitted == 5)
        #expect(important.isClosed && everything.isClosed)
    }

    @Test func repeatsAreFoldedWithCountAndTimeSpan() async throws {
        let sink = InMemoryAlertSink()
        let router = try AlertRouter(
            sinks: [RoutedSink(settings: SinkSettings(name: "memory"), sink: sink)],
            aggregation: AggregationSettings(window: .milliseconds(400), excludedRules: ["Noisy but wanted"]),
            logger: TestSupport.logger)
        for index in 0..<10 { router.submit(TestSupport.makeAlert(index, container: "a")) }
        router.submit(TestSupport.makeAlert(100, container: "b"))
        router.submit(TestSupport.makeAlert(101, container: "a", process: "bash"))
        for index in 0..<3 { router.submit(TestSupport.makeAlert(200 + index, rule: "Noisy but wanted")) }
        // First occurrences go out at once.
        #expect(await TestSupport.waitUntil(timeout: .seconds(5)) { sink.alerts.count >= 6 })
        #expect(sink.alerts.prefix(6).allSatisfy { $0.repeatCount == nil })
        // The window closes: one alert stands for the nine repeats.
        #expect(await TestSupport.waitUntil(timeout: .seconds(5)) { sink.alerts.count == 7 })
        let folded = try #require(sink.alerts.last)
        #expect(folded.repeatCount == 9)
        #expect(folded.outputFields[Alert.AggregationField.firstTime] == .string(TestSupport.makeAlert(1).time.rfc3339))
        #expect(folded.outputFields[Alert.AggregationField.lastTime] == .string(TestSupport.makeAlert(9).time.rfc3339))
        #expect(folded.output.contains("repeated 9 times"))
        #expect(folded.uuid != TestSupport.makeAlert(9).uuid)
        // Every occurrence accounted for exactly once.
        let represented = sink.alerts.reduce(0) { $0 + ($1.repeatCount ?? 1) }
        #expect(represented == 15)
        #expect(router.counters().aggregated == 9)
        // After the window a new occurrence is sent at once again.
        router.submit(TestSupport.makeAlert(11, container: "a"))
        #expect(await TestSupport.waitUntil(timeout: .seconds(5)) { sink.alerts.count == 8 })
        #expect(sink.alerts.last?.repeatCount == nil)
        await router.shutdown(drainTimeout: .seconds(5))
    }

    @Test func pendingAggregatesAreSentAtShutdown() async throws {
        let sink = InMemoryAlertSink()
        let router = try AlertRouter(
            sinks: [RoutedSink(settings: SinkSettings(name: "memory"), sink: sink)],
            aggregation: AggregationSettings(window: .seconds(3600)), logger: TestSupport.logger)
        for index in 0..<4 { router.submit(TestSupport.makeAlert(index)) }
        await router.shutdown(drainTimeout: .seconds(5))
        #expect(sink.alerts.count == 2)
        #expect(sink.alerts.last?.repeatCount == 3)
    }

    @Test func fullQueueWithDropPolicyCountsEveryDrop() async throws {
        let sink = InMemoryAlertSink()
        sink.setFailure(retryable: true)
        let router = try AlertRouter(
            sinks: [
                RoutedSink(
                    settings: SinkSettings(name: "memory", queueCapacity: 5, overflow: .drop, batchMaximum: 1, retry: fastRetry),
                    sink: sink)
            ], logger: TestSupport.logger)
        for index in 0..<20 { router.submit(TestSupport.makeAlert(index)) }
        let dropped = try #require(router.counters().counters(for: "memory")?.dropped)
        #expect(dropped >= 14 && dropped <= 15)
        #expect(await TestSupport.waitUntil { (router.counters().counters(for: "memory")?.retried ?? 0) >= 3 })
        sink.clearFailure()
        #expect(await TestSupport.waitUntil { router.isIdle })
        await router.shutdown(drainTimeout: .seconds(5))
        let counters = try #require(router.counters().counters(for: "memory"))
        #expect(counters.delivered + counters.dropped == 20)
        #expect(sink.alerts.count == Int(counters.delivered))
        // What was delivered is in submission order.
        let numbers = sink.alerts.compactMap { alert -> Int64? in
            if case .integer(let n)? = alert.outputFields["seq"] { return n }
            return nil
        }
        #expect(numbers == numbers.sorted())
    }

    @Test func fullQueueWithSpillPolicyLosesNothingAndKeepsOrder() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let sink = InMemoryAlertSink()
        sink.setFailure(retryable: true)
        let router = try AlertRouter(
            sinks: [
                RoutedSink(
                    settings: SinkSettings(
                        name: "memory", queueCapacity: 4, overflow: .spill, batchMaximum: 3, retry: fastRetry,
                        spool: SpoolSettings(directory: directory, fsync: .never)),
                    sink: sink)
            ], logger: TestSupport.logger)
        let alerts = (0..<50).map { TestSupport.makeAlert($0) }
        for alert in alerts.prefix(30) { router.submit(alert) }
        #expect((router.counters().counters(for: "memory")?.spooled ?? 0) > 0)
        sink.clearFailure()
        for alert in alerts.suffix(20) {
            router.submit(alert)
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(await TestSupport.waitUntil { sink.alerts.count == 50 })
        await router.shutdown(drainTimeout: .seconds(5))
        #expect(sink.alerts.map(\.uuid) == alerts.map(\.uuid))
        let counters = try #require(router.counters().counters(for: "memory"))
        #expect(counters.dropped == 0)
        #expect(counters.delivered == 50)
    }

    @Test func rejectedAlertsAreCountedAndSkipped() async throws {
        let sink = InMemoryAlertSink()
        sink.setFailure(retryable: false, reason: "HTTP 400")
        let router = try AlertRouter(
            sinks: [RoutedSink(settings: SinkSettings(name: "memory", batchMaximum: 1, retry: fastRetry), sink: sink)],
            logger: TestSupport.logger)
        for index in 0..<3 { router.submit(TestSupport.makeAlert(index)) }
        #expect(await TestSupport.waitUntil { router.counters().counters(for: "memory")?.failed == 3 })
        sink.clearFailure()
        router.submit(TestSupport.makeAlert(3))
        await router.shutdown(drainTimeout: .seconds(5))
        let counters = try #require(router.counters().counters(for: "memory"))
        #expect(counters.failed == 3)
        #expect(counters.delivered == 1)
        #expect(counters.retried == 0)
    }

    @Test func undeliveredAlertsSurviveShutdownInTheSpool() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let alerts = (0..<12).map { TestSupport.makeAlert($0) }
        for writeAhead in [false, true] {
            let spoolDirectory = "\(directory)/\(writeAhead)"
            let settings = SinkSettings(
                name: "memory", batchMaximum: 5, retry: fastRetry,
                spool: SpoolSettings(directory: spoolDirectory, writeAhead: writeAhead))
            let down = InMemoryAlertSink()
            down.setFailure(retryable: true)
            let first = try AlertRouter(sinks: [RoutedSink(settings: settings, sink: down)], logger: TestSupport.logger)
            for alert in alerts { first.submit(alert) }
            #expect(await TestSupport.waitUntil { (first.counters().counters(for: "memory")?.retried ?? 0) >= 2 })
            await first.shutdown(drainTimeout: .milliseconds(100))
            let left = try #require(first.counters().sinks.first)
            #expect(left.counters.dropped == 0)
            #expect(left.counters.delivered == 0)
            #expect(left.spooled == 12)

            let up = InMemoryAlertSink()
            let second = try AlertRouter(sinks: [RoutedSink(settings: settings, sink: up)], logger: TestSupport.logger)
            #expect(await TestSupport.waitUntil { up.alerts.count == 12 })
            await second.shutdown(drainTimeout: .seconds(5))
            #expect(up.alerts.map(\.uuid) == alerts.map(\.uuid), "writeAhead \(writeAhead)")
            #expect(second.counters().counters(for: "memory")?.delivered == 12)
        }
    }

    @Test func reopenReachesEverySink() async throws {
        let a = InMemoryAlertSink()
        let b = InMemoryAlertSink()
        let router = try AlertRouter(
            sinks: [
                RoutedSink(settings: SinkSettings(name: "a"), sink: a), RoutedSink(settings: SinkSettings(name: "b"), sink: b),
            ], logger: TestSupport.logger)
        await router.reopen()
        await router.shutdown(drainTimeout: .seconds(1))
        #expect(a.reopenCount == 1 && b.reopenCount == 1)
        #expect(throws: AlertRouterError.self) {
            try AlertRouter(
                sinks: [
                    RoutedSink(settings: SinkSettings(name: "x"), sink: a), RoutedSink(settings: SinkSettings(name: "x"), sink: b),
                ], logger: TestSupport.logger)
        }
    }
}
