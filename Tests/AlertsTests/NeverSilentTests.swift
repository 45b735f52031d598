import Foundation
import InMemoryLogging
import Logging
import Testing

@testable import Alerts

/// Loss is counted and logged, never silent (falco#1333): full queues and a full spool.
@Suite("Drops are counted and logged")
struct NeverSilentTests {
    func capture() -> (Logger, InMemoryLogHandler) {
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "vigil.alerts.tests") { _ in handler }
        logger.logLevel = .info
        return (logger, handler)
    }

    @Test func queueOverflowWithDropPolicyIsLogged() async throws {
        let (logger, log) = capture()
        let sink = InMemoryAlertSink()
        sink.setFailure(retryable: true)
        let router = try AlertRouter(
            sinks: [
                RoutedSink(
                    settings: SinkSettings(
                        name: "memory", queueCapacity: 2, overflow: .drop, batchMaximum: 1,
                        retry: RetryBackoff(initialMilliseconds: 5, maximumMilliseconds: 20)),
                    sink: sink)
            ], logger: logger)
        for index in 0..<10 { router.submit(TestSupport.makeAlert(index)) }
        await router.shutdown(drainTimeout: .milliseconds(50))
        let counters = try #require(router.counters().counters(for: "memory"))
        #expect(counters.dropped == 10)  // 7 or 8 when the queue was full, the rest at shutdown with no spool
        let dropLogs = log.entries.filter { $0.level == .error && $0.message.description == "alerts dropped" }
        #expect(!dropLogs.isEmpty)
        let logged = dropLogs.compactMap { entry -> Int? in
            if case .string(let text)? = entry.metadata["dropped"] { return Int(text) }
            return nil
        }
        #expect(logged.reduce(0, +) == 10, "every dropped alert appears in a log line's count")
        #expect(dropLogs.allSatisfy { $0.metadata["sink"] == "memory" })
    }

    @Test func fullSpoolDropsTheOldestWithACounterAndALogLine() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let (logger, log) = capture()
        let sink = InMemoryAlertSink()
        sink.setFailure(retryable: true)
        let settings = SinkSettings(
            name: "memory", batchMaximum: 8, retry: RetryBackoff(initialMilliseconds: 5, maximumMilliseconds: 20),
            spool: SpoolSettings(directory: directory, maximumBytes: 8192, fsync: .never, writeAhead: true))
        let router = try AlertRouter(sinks: [RoutedSink(settings: settings, sink: sink)], logger: logger)
        let alerts = (0..<100).map { TestSupport.makeAlert($0) }
        for alert in alerts { router.submit(alert) }
        #expect(await TestSupport.waitUntil { (router.counters().counters(for: "memory")?.spooled ?? 0) == 100 })
        let counters = try #require(router.counters().sinks.first)
        #expect(counters.counters.dropped > 0)
        #expect(counters.spooled + Int(counters.counters.dropped) == 100)
        #expect(log.entries.contains { $0.level == .error && $0.message.description.contains("spool full") })
        sink.clearFailure()
        #expect(await TestSupport.waitUntil { router.isIdle })
        await router.shutdown(drainTimeout: .seconds(5))
        // What survived is the newest alerts, in order. A batch that the delivery task already held in memory
        // when the spool dropped its copy may arrive too (at most one batch, the oldest): loss is then
        // over-counted, never hidden.
        let dropped = Int(counters.counters.dropped)
        let delivered = sink.alerts.map(\.uuid)
        let survivors = alerts.suffix(100 - dropped).map(\.uuid)
        #expect(Array(delivered.suffix(survivors.count)) == survivors)
        let extra = delivered.dropLast(survivors.count)
        #expect(extra.count <= 8)
        #expect(Array(extra) == alerts.prefix(extra.count).map(\.uuid))
    }
}

/// Secrets in the webhook's configuration (credentials in the URL, a token in its query, an Authorization
/// header) never reach the logs, however often delivery fails.
@Test func webhookSecretsNeverReachTheLogs() async throws {
    let handler = InMemoryLogHandler()
    var logger = Logger(label: "vigil.alerts.tests") { _ in handler }
    logger.logLevel = .trace
    let port = TestSupport.freePort()  // nobody listens: every attempt fails and is logged
    let sink = try WebhookAlertSink(
        url: "http://siem-user:s3cret-pass@127.0.0.1:\(port)/in?token=t0ken-in-query",
        headers: ["Authorization": "Bearer h3ader-token"], timeoutMilliseconds: 500, logger: logger)
    let router = try AlertRouter(
        sinks: [
            RoutedSink(
                settings: SinkSettings(name: "webhook", retry: RetryBackoff(initialMilliseconds: 5, maximumMilliseconds: 20)),
                sink: sink)
        ], logger: logger)
    router.submit(TestSupport.makeAlert(1))
    #expect(await TestSupport.waitUntil { (router.counters().counters(for: "webhook")?.retried ?? 0) >= 3 })
    await router.shutdown(drainTimeout: .milliseconds(100))
    let text = handler.entries.map { entry in
        entry.message.description + " " + entry.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }.joined(separator: "\n")
    #expect(text.contains("127.0.0.1:\(port)/in"), "the failures were logged, with the destination")
    for secret in ["s3cret-pass", "siem-user", "t0ken-in-query", "h3ader-token"] {
        #expect(!text.contains(secret), "\(secret) leaked into the log")
    }
    #expect(WebhookAlertSink.redacted("https://u:p@siem.example:8443/a/b?token=x#f") == "https://siem.example:8443/a/b?…")
}
