import Foundation
import Testing

@testable import Alerts

#if canImport(Glibc)
import Glibc
#endif

/// The webhook sink against a real HTTP receiver process (Fixtures/webhook_receiver.py on 127.0.0.1),
/// stopped and started again, answering 5xx/429/400, and the `alerts send` harness killed with SIGKILL.
@Suite("Webhook to a real HTTP receiver", .serialized)
struct WebhookReceiverTests {
    final class Receiver {
        let directory: String
        let port = TestSupport.freePort()
        var process: ChildProcess?
        var starts = 0

        var scheme = "http"
        var url: String { "\(scheme)://127.0.0.1:\(port)/" }
        var logPath: String { "\(directory)/received.jsonl" }
        var rejectedPath: String { "\(directory)/rejected.jsonl" }
        var received: [[String: Any]] { TestSupport.jsonLines(logPath) }
        var uuids: [String] { received.compactMap { $0["uuid"] as? String } }
        var rejectedUUIDs: [String] { TestSupport.jsonLines(rejectedPath).compactMap { $0["uuid"] as? String } }

        init(directory: String) {
            self.directory = directory
        }

        func start(statuses: String = "", retryAfter: Int? = nil, extraArguments: [String] = []) async throws {
            let python = try #require(TestSupport.which("python3"), "python3 is needed")
            var arguments = [
                "\(TestSupport.fixtures)/webhook_receiver.py", "--port", "\(port)", "--log", logPath, "--rejected-log",
                rejectedPath, "--statuses", statuses,
            ]
            if let retryAfter { arguments += ["--retry-after", "\(retryAfter)"] }
            arguments += extraArguments
            starts += 1
            let child = try ChildProcess(python, arguments, directory: directory, name: "receiver\(starts)")
            process = child
            let ready = await TestSupport.waitUntil(timeout: .seconds(15)) { child.stdout.contains("listening \(port)") }
            try #require(ready, "receiver did not start: \(child.stderr)")
        }

        /// SIGTERM: the receiver finishes the request in progress, then exits.
        func stop() {
            process?.stop()
            process = nil
        }

        deinit { stop() }
    }

    let retry = RetryBackoff(initialMilliseconds: 50, maximumMilliseconds: 400)

    func makeRouter(
        _ receiver: Receiver, spool: String, batch: Int = 1, headers: [String: String] = [:]
    ) throws -> AlertRouter {
        let sink = try WebhookAlertSink(
            url: receiver.url, headers: headers, timeoutMilliseconds: 1000, batchMaximum: batch, logger: TestSupport.logger)
        return try AlertRouter(
            sinks: [
                RoutedSink(
                    settings: SinkSettings(
                        name: "webhook", batchMaximum: 16, retry: retry,
                        spool: SpoolSettings(directory: spool, fsync: .always, writeAhead: true)),
                    sink: sink)
            ], logger: TestSupport.logger)
    }

    @Test func receiverDownForAWhileLosesNothingDuplicatesNothingKeepsOrder() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let receiver = Receiver(directory: directory)
        try await receiver.start()
        let router = try makeRouter(receiver, spool: "\(directory)/spool", headers: ["Authorization": "Bearer t0ken"])
        let alerts = (0..<60).map { TestSupport.makeAlert($0) }
        for alert in alerts[0..<20] {
            router.submit(alert)
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(await TestSupport.waitUntil { receiver.uuids.count == 20 })
        receiver.stop()
        for alert in alerts[20..<40] {
            router.submit(alert)
            try await Task.sleep(for: .milliseconds(20))
        }
        // Down for a while: the sink keeps retrying with backoff, the alerts wait in the spool.
        #expect(await TestSupport.waitUntil { (router.counters().counters(for: "webhook")?.retried ?? 0) >= 3 })
        try await Task.sleep(for: .seconds(1))
        #expect(router.counters().sinks.first?.spooled == 20)
        try await receiver.start()
        for alert in alerts[40..<60] { router.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.uuids.count >= 60 })
        await router.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        #expect(receiver.uuids == alerts.map(\.uuid), "every alert once, in order")
        #expect(Set(receiver.uuids).count == receiver.uuids.count)
        #expect(receiver.received.allSatisfy { $0["authorization"] as? String == "Bearer t0ken" })
        #expect(receiver.received.allSatisfy { $0["content_type"] as? String == "application/json" })
        // The body is the Falco JSON alert Falcosidekick reads.
        let body = try #require(receiver.received.first?["alert"] as? [String: Any])
        #expect(Set(body.keys) == ["hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time", "uuid"])
        let counters = try #require(router.counters().counters(for: "webhook"))
        #expect(counters.delivered == 60)
        #expect(counters.dropped == 0)
        #expect(counters.retried >= 3)
    }

    @Test func serverErrorsAndTooManyRequestsAreRetriedUntilSuccess() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let receiver = Receiver(directory: directory)
        try await receiver.start(statuses: "500,503,429", retryAfter: 1)
        let router = try makeRouter(receiver, spool: "\(directory)/spool")
        let alerts = (0..<3).map { TestSupport.makeAlert($0) }
        let started = ContinuousClock.now
        for alert in alerts { router.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.uuids.count >= 3 })
        let elapsed = ContinuousClock.now - started
        await router.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        #expect(receiver.uuids == alerts.map(\.uuid))
        #expect(receiver.rejectedUUIDs == Array(repeating: alerts[0].uuid, count: 3))
        #expect(elapsed >= .seconds(1), "Retry-After: 1 on the 429 is honoured")
        let counters = try #require(router.counters().counters(for: "webhook"))
        #expect(counters.retried == 3)
        #expect(counters.delivered == 3)
        #expect(counters.failed == 0)
    }

    /// A slow SIEM (5 s per request): the hot path never waits for it, nothing is lost or reordered, alerts
    /// batch up behind the slow request (so a slow receiver costs requests, not alerts), and the write-ahead spool
    /// stays bounded by what is in flight.
    @Test func slowReceiverBatchesUpAndLosesNothing() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let receiver = Receiver(directory: directory)
        try await receiver.start(extraArguments: ["--delay-seconds", "5"])
        let sink = try WebhookAlertSink(url: receiver.url, timeoutMilliseconds: 10_000, batchMaximum: 100, logger: TestSupport.logger)
        let router = try AlertRouter(
            sinks: [
                RoutedSink(
                    settings: SinkSettings(
                        name: "webhook", batchMaximum: 100, retry: retry,
                        spool: SpoolSettings(directory: "\(directory)/spool", maximumBytes: 1 << 20, fsync: .never, writeAhead: true)),
                    sink: sink)
            ], logger: TestSupport.logger)
        let alerts = (0..<60).map { TestSupport.makeAlert($0) }
        let started = ContinuousClock.now
        for alert in alerts.prefix(20) { router.submit(alert) }
        try await Task.sleep(for: .milliseconds(300))
        for alert in alerts.dropFirst(20) { router.submit(alert) }
        #expect(ContinuousClock.now - started < .seconds(2), "submitting never waits for the receiver")
        #expect(await TestSupport.waitUntil(timeout: .seconds(40)) { receiver.uuids.count >= 60 })
        await router.shutdown(drainTimeout: .seconds(10))
        receiver.stop()
        #expect(receiver.uuids == alerts.map(\.uuid), "all 60, once each, in order")
        let batches = Set(receiver.received.compactMap { $0["batch_size"] as? Int })
        #expect(batches.contains { $0 > 1 }, "alerts waiting behind a slow request go out together")
        let counters = try #require(router.counters().counters(for: "webhook"))
        #expect(counters.delivered == 60)
        #expect(counters.dropped == 0 && counters.failed == 0)
        #expect(router.counters().sinks.first?.spooled == 0, "the spool is empty once everything is acknowledged")
    }

    @Test func aTimedOutRequestIsRetried() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let receiver = Receiver(directory: directory)
        // The first request hangs for 2 s, past the sink's 1 s timeout, and is never answered.
        try await receiver.start(statuses: "hang", extraArguments: ["--hang-seconds", "2"])
        let router = try makeRouter(receiver, spool: "\(directory)/spool")
        let alerts = (0..<3).map { TestSupport.makeAlert($0) }
        for alert in alerts { router.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.uuids.count >= 3 })
        await router.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        #expect(receiver.uuids == alerts.map(\.uuid))
        let counters = try #require(router.counters().counters(for: "webhook"))
        #expect(counters.retried >= 1)
        #expect(counters.delivered == 3)
        #expect(counters.failed == 0)
    }

    @Test func rejectedAlertIsCountedAsFailedAndTheNextOneIsDelivered() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let receiver = Receiver(directory: directory)
        try await receiver.start(statuses: "400")
        let router = try makeRouter(receiver, spool: "\(directory)/spool")
        let alerts = (0..<2).map { TestSupport.makeAlert($0) }
        for alert in alerts { router.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.uuids.count >= 1 })
        await router.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        #expect(receiver.uuids == [alerts[1].uuid])
        #expect(receiver.rejectedUUIDs == [alerts[0].uuid])
        let counters = try #require(router.counters().counters(for: "webhook"))
        #expect(counters.failed == 1)
        #expect(counters.delivered == 1)
        #expect(counters.retried == 0)
    }

    @Test func batchingSendsArraysInOrder() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let receiver = Receiver(directory: directory)
        try await receiver.start()
        let router = try makeRouter(receiver, spool: "\(directory)/spool", batch: 5)
        let alerts = (0..<12).map { TestSupport.makeAlert($0) }
        for alert in alerts { router.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.uuids.count >= 12 })
        await router.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        #expect(receiver.uuids == alerts.map(\.uuid))
        let sizes = receiver.received.compactMap { $0["batch_size"] as? Int }
        #expect(sizes.allSatisfy { $0 >= 1 && $0 <= 5 })
        #expect(sizes.contains { $0 > 1 })
    }

    @Test func httpsWithCAFileAndClientCertificate() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        try TestSupport.makeCertificates(in: directory)
        let receiver = Receiver(directory: directory)
        receiver.scheme = "https"
        try await receiver.start(extraArguments: [
            "--tls-cert", "\(directory)/server.pem", "--tls-key", "\(directory)/server.key", "--client-ca", "\(directory)/ca.pem",
        ])
        func router(clientCertificate: Bool, spool: String) throws -> AlertRouter {
            let tls = TLSSettings(
                caFile: "\(directory)/ca.pem", clientCertificateFile: clientCertificate ? "\(directory)/client.pem" : nil,
                clientKeyFile: clientCertificate ? "\(directory)/client.key" : nil)
            let sink = try WebhookAlertSink(url: receiver.url, tls: tls, timeoutMilliseconds: 2000, logger: TestSupport.logger)
            return try AlertRouter(
                sinks: [
                    RoutedSink(
                        settings: SinkSettings(name: "webhook", retry: retry, spool: SpoolSettings(directory: spool, writeAhead: true)),
                        sink: sink)
                ], logger: TestSupport.logger)
        }
        // Without a client certificate the receiver refuses the handshake: retried, not delivered, kept.
        let refused = try router(clientCertificate: false, spool: "\(directory)/spool-refused")
        refused.submit(TestSupport.makeAlert(0))
        #expect(await TestSupport.waitUntil { (refused.counters().counters(for: "webhook")?.retried ?? 0) >= 2 })
        await refused.shutdown(drainTimeout: .milliseconds(100))
        #expect(refused.counters().counters(for: "webhook")?.delivered == 0)
        #expect(refused.counters().sinks.first?.spooled == 1)
        #expect(receiver.uuids.isEmpty)
        // With it, delivered, and the receiver saw who we are.
        let accepted = try router(clientCertificate: true, spool: "\(directory)/spool-accepted")
        let alerts = (1..<4).map { TestSupport.makeAlert($0) }
        for alert in alerts { accepted.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.uuids.count >= 3 })
        await accepted.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        #expect(receiver.uuids == alerts.map(\.uuid))
        #expect(receiver.received.allSatisfy { $0["client_cn"] as? String == "vigil-test-client" })
    }

    /// Records in a spool directory's segment files (the harness holds the spool's lock, so read the files).
    func spooledRecords(_ directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var count = 0
        for name in names where name.hasSuffix(".seg") {
            guard let bytes = FileManager.default.contents(atPath: "\(directory)/\(name)").map(Array.init) else { continue }
            var at = 0
            while let (_, next) = AlertSpool.parseRecord(bytes, at: at) {
                count += 1
                at = next
            }
        }
        return count
    }

    @Test func harnessKilledWhileReceiverIsDownDeliversTheSpoolAfterRestart() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let receiver = Receiver(directory: directory)
        let config = "\(directory)/outputs.json"
        try #"""
        {"aggregation": {"enabled": false},
         "sinks": [{"type": "webhook", "name": "siem", "url": "\#(receiver.url)", "headers": {"Authorization": "Bearer t0ken"},
                    "retry": {"initial_ms": 50, "max_ms": 300}, "timeout_ms": 2000}]}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let alerts = (0..<25).map { TestSupport.makeAlert($0) }
        let input = "\(directory)/alerts.jsonl"
        try alerts.map(\.jsonString).joined(separator: "\n").appending("\n").write(toFile: input, atomically: true, encoding: .utf8)
        let spool = "\(directory)/spool"
        let harness = TestSupport.harness
        try #require(FileManager.default.isExecutableFile(atPath: harness.executable), "harness not found: \(harness.executable)")

        // Receiver down: the first run spools everything and keeps retrying; it is killed without warning.
        let first = try ChildProcess(
            harness.executable,
            harness.leadingArguments + ["send", "--outputs", config, "--spool-dir", spool, "--drain-timeout", "600"],
            directory: directory, name: "send1", stdinPath: input)
        let spooled = await TestSupport.waitUntil { spooledRecords("\(spool)/siem") == 25 }
        #expect(spooled, "spooled \(spooledRecords("\(spool)/siem")) of 25; stderr: \(first.stderr)")
        #expect(await TestSupport.waitUntil { first.stderr.contains("delivery failed, retrying") })
        #expect(first.isRunning)
        first.killHard()
        #expect(first.terminationSignal == SIGKILL)

        // Receiver back, harness restarted with nothing new on stdin: the spool is delivered.
        try await receiver.start()
        let second = try ChildProcess(
            harness.executable,
            harness.leadingArguments + ["send", "--outputs", config, "--spool-dir", spool, "--drain-timeout", "60"],
            directory: directory, name: "send2")
        let status = await second.waitForExit(timeout: .seconds(90))
        second.stop()
        receiver.stop()
        #expect(status == 0, "stderr: \(second.stderr)")
        #expect(receiver.uuids == alerts.map(\.uuid), "every alert once, in order")
        #expect(second.stderr.contains(#""delivered":25"#))
        #expect(second.stderr.contains(#""pending":0"#))
        #expect(spooledRecords("\(spool)/siem") - 25 <= 0)
    }
}
