import Foundation
import Testing

@testable import Alerts

/// Syslog sinks against a real rsyslogd (Debian packages `rsyslog`, `rsyslog-gnutls`), started by the test
/// with a private configuration in a temporary directory: TCP (RFC 6587 octet counting), TLS (RFC 5425,
/// certificates made with `openssl`), UDP and a Unix datagram socket. rsyslog parses what arrives with its
/// RFC 5424 parser and writes its view (raw message, structured data, severity, facility…) as JSON lines.
@Suite("Syslog to a real rsyslogd", .serialized)
struct SyslogReceiverTests {
    /// One rsyslogd with TCP, TLS, UDP and Unix socket inputs, each writing to its own file.
    final class Receiver {
        let directory: String
        let tcpPort = TestSupport.freePort()
        let tlsPort = TestSupport.freePort()
        let udpPort = TestSupport.freePort(udp: true)
        var process: ChildProcess?

        var caFile: String { "\(directory)/ca.pem" }
        var unixSocket: String { "\(directory)/log.sock" }
        func received(_ input: String) -> [[String: Any]] { TestSupport.jsonLines("\(directory)/\(input).jsonl") }

        init() throws {
            directory = TestSupport.temporaryDirectory("vigil-rsyslog")
            try TestSupport.makeCertificates(in: directory)
            try writeConfiguration()
        }

        func writeConfiguration() throws {
            let d = directory
            let template =
                #"{\"raw\":\"%rawmsg:::json%\",\"sd\":\"%structured-data:::json%\",\"severity\":%syslogseverity%,\"facility\":%syslogfacility%,\"app\":\"%app-name:::json%\",\"procid\":\"%procid:::json%\",\"msgid\":\"%msgid:::json%\",\"hostname\":\"%hostname:::json%\",\"version\":\"%protocol-version%\",\"msg\":\"%msg:::json%\"}\n"#
            let configuration = """
                global(workDirectory="\(d)/work"
                       defaultNetstreamDriverCAFile="\(d)/ca.pem"
                       defaultNetstreamDriverCertFile="\(d)/server.pem"
                       defaultNetstreamDriverKeyFile="\(d)/server.key")
                module(load="imtcp")
                module(load="imudp")
                module(load="imuxsock" SysSock.Use="off")
                template(name="jsonl" type="string" string="\(template)")
                ruleset(name="tcp") { action(type="omfile" file="\(d)/tcp.jsonl" template="jsonl") }
                ruleset(name="tls") { action(type="omfile" file="\(d)/tls.jsonl" template="jsonl") }
                ruleset(name="udp") { action(type="omfile" file="\(d)/udp.jsonl" template="jsonl") }
                ruleset(name="unix") { action(type="omfile" file="\(d)/unix.jsonl" template="jsonl") }
                input(type="imtcp" address="127.0.0.1" port="\(tcpPort)" ruleset="tcp")
                input(type="imtcp" address="127.0.0.1" port="\(tlsPort)" ruleset="tls"
                      streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
                input(type="imudp" address="127.0.0.1" port="\(udpPort)" ruleset="udp")
                input(type="imuxsock" Socket="\(d)/log.sock" UseSpecialParser="off" ParseHostname="on" ruleset="unix")

                """
            try FileManager.default.createDirectory(atPath: "\(d)/work", withIntermediateDirectories: true)
            try configuration.write(toFile: "\(d)/rsyslog.conf", atomically: true, encoding: .utf8)
        }

        func start() async throws {
            let rsyslogd = try #require(TestSupport.which("rsyslogd"), "rsyslogd is needed (Debian packages rsyslog, rsyslog-gnutls)")
            process = try ChildProcess(
                rsyslogd, ["-n", "-f", "\(directory)/rsyslog.conf", "-i", "\(directory)/rsyslogd.pid"],
                directory: directory, name: "rsyslogd")
            let ready = await TestSupport.waitUntil(timeout: .seconds(15)) {
                TestSupport.isListening(port: tcpPort) && TestSupport.isListening(port: tlsPort)
                    && FileManager.default.fileExists(atPath: unixSocket)
            }
            try #require(ready, "rsyslogd did not start: \(process?.stderr ?? "")")
        }

        func stop() {
            process?.stop()
            process = nil
        }

        deinit {
            stop()
            TestSupport.removeDirectory(directory)
        }
    }

    func routedSink(_ name: String, _ transport: SyslogTransport, spool: String) throws -> RoutedSink {
        let sink = try SyslogAlertSink(
            transport: transport, formatter: SyslogFormatter(facility: .local4), logger: TestSupport.logger)
        return RoutedSink(
            settings: SinkSettings(
                name: name, retry: RetryBackoff(initialMilliseconds: 50, maximumMilliseconds: 400),
                spool: SpoolSettings(directory: "\(spool)/\(name)", fsync: .never, writeAhead: true)),
            sink: sink)
    }

    /// Splits rsyslog's `%structured-data%` (`[id k="v" …]`) into the SD-ID and unescaped parameters.
    func parseStructuredData(_ text: String) -> (id: String, params: [String: String])? {
        var scalars = Array(text.unicodeScalars)
        guard scalars.first == "[", scalars.last == "]" else { return nil }
        scalars = Array(scalars.dropFirst().dropLast())
        var index = 0
        var id = ""
        while index < scalars.count, scalars[index] != " " { id.unicodeScalars.append(scalars[index]); index += 1 }
        var params: [String: String] = [:]
        while index < scalars.count {
            guard scalars[index] == " " else { return nil }
            index += 1
            var name = ""
            while index < scalars.count, scalars[index] != "=" { name.unicodeScalars.append(scalars[index]); index += 1 }
            guard index + 1 < scalars.count, scalars[index + 1] == "\"" else { return nil }
            index += 2
            var value = ""
            while index < scalars.count, scalars[index] != "\"" {
                if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                value.unicodeScalars.append(scalars[index])
                index += 1
            }
            index += 1
            params[name] = value
        }
        return (id, params)
    }

    /// RFC 5424 §6 grammar for the header: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID `.
    func isRFC5424(_ raw: String) -> Bool {
        raw.wholeMatch(
            of: /<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)) ([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) (\[.*\]|-)( .*)?/
        ) != nil
    }

    @Test func messagesArriveOverTCPTLSUDPAndUnixSocketAsRFC5424WithStructuredData() async throws {
        let receiver = try Receiver()
        try await receiver.start()
        let spool = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(spool) }
        let router = try AlertRouter(
            sinks: [
                try routedSink("tcp", .tcp(host: "127.0.0.1", port: receiver.tcpPort), spool: spool),
                try routedSink("tls", .tls(host: "127.0.0.1", port: receiver.tlsPort, TLSSettings(caFile: receiver.caFile)), spool: spool),
                try routedSink("udp", .udp(host: "127.0.0.1", port: receiver.udpPort), spool: spool),
                try routedSink("unix", .unixSocket(path: receiver.unixSocket), spool: spool),
            ], logger: TestSupport.logger)
        var alerts: [Alert] = []
        for index in 0..<24 {
            var alert = TestSupport.makeAlert(
                index, rule: index % 3 == 0 ? #"Rule with "quotes" and ] bracket"# : "Terminal shell in container",
                priority: AlertPriority.allCases[index % 8], container: "ctr\(index % 4)")
            if index == 5 { alert.output += "\n[CRITICAL] fake" }
            alerts.append(alert)
            router.submit(alert)
        }
        for input in ["tcp", "tls", "udp", "unix"] {
            let arrived = await TestSupport.waitUntil(timeout: .seconds(20)) { receiver.received(input).count >= 24 }
            #expect(arrived, "\(input): \(receiver.received(input).count) of 24 arrived")
        }
        await router.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        for input in ["tcp", "tls", "udp", "unix"] {
            let received = receiver.received(input)
            #expect(received.count == 24, "\(input)")
            var byUUID: [String: [String: Any]] = [:]
            for message in received {
                let sd = try #require(parseStructuredData(message["sd"] as? String ?? ""), "\(input): \(message)")
                #expect(sd.id == "vigil@32473")
                byUUID[sd.params["uuid"] ?? ""] = message
            }
            if input == "tcp" || input == "tls" {
                // Stream transports keep the order.
                let order = received.compactMap { parseStructuredData($0["sd"] as? String ?? "")?.params["uuid"] }
                #expect(order == alerts.map(\.uuid), "\(input) order")
            }
            for alert in alerts {
                let message = try #require(byUUID[alert.uuid], "\(input): alert \(alert.uuid) missing")
                let raw = try #require(message["raw"] as? String)
                #expect(isRFC5424(raw), "\(input): not RFC 5424: \(raw)")
                #expect(message["version"] as? String == "1")
                #expect(message["severity"] as? Int == alert.priority.syslogSeverity)
                #expect(message["facility"] as? Int == SyslogFacility.local4.rawValue)
                #expect(message["app"] as? String == "vigil")
                #expect(message["msgid"] as? String == "alert")
                let sd = try #require(parseStructuredData(message["sd"] as? String ?? ""))
                #expect(sd.params["rule"] == alert.rule)
                #expect(sd.params["priority"] == alert.priority.name)
                #expect(sd.params["container"] == alert.containerID)
                #expect(message["msg"] as? String == alert.textLine)
                #expect(!(message["msg"] as? String ?? "").contains("\n"))
            }
        }
        let counters = router.counters()
        for sink in counters.sinks {
            #expect(sink.counters.delivered == 24, "\(sink.name)")
            #expect(sink.counters.dropped == 0, "\(sink.name)")
        }
    }

    @Test func tcpSinkReconnectsWithBackoffAfterTheCollectorRestarts() async throws {
        let receiver = try Receiver()
        try await receiver.start()
        let spool = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(spool) }
        let router = try AlertRouter(
            sinks: [
                try routedSink("tcp", .tcp(host: "127.0.0.1", port: receiver.tcpPort), spool: spool),
                try routedSink("tls", .tls(host: "127.0.0.1", port: receiver.tlsPort, TLSSettings(caFile: receiver.caFile)), spool: spool),
            ], logger: TestSupport.logger)
        let alerts = (0..<30).map { TestSupport.makeAlert($0) }
        for alert in alerts[0..<10] { router.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.received("tcp").count == 10 && receiver.received("tls").count == 10 })
        receiver.stop()
        // Give the sinks time to see the closed connections before the next alerts.
        try await Task.sleep(for: .milliseconds(300))
        for alert in alerts[10..<20] { router.submit(alert) }
        #expect(await TestSupport.waitUntil { (router.counters().counters(for: "tcp")?.retried ?? 0) >= 2 })
        try await receiver.start()
        for alert in alerts[20..<30] { router.submit(alert) }
        #expect(await TestSupport.waitUntil { receiver.received("tcp").count >= 30 && receiver.received("tls").count >= 30 })
        await router.shutdown(drainTimeout: .seconds(5))
        receiver.stop()
        for input in ["tcp", "tls"] {
            let uuids = receiver.received(input).compactMap { parseStructuredData($0["sd"] as? String ?? "")?.params["uuid"] }
            #expect(uuids == alerts.map(\.uuid), "\(input)")
            #expect(router.counters().counters(for: input)?.retried ?? 0 >= 1, "\(input)")
        }
    }
}
