import Foundation
import Testing

@testable import Alerts

@Suite("Outputs configuration")
struct OutputsConfigurationTests {
    func decode(_ json: String) throws -> OutputsConfiguration {
        try JSONDecoder().decode(OutputsConfiguration.self, from: Data(json.utf8))
    }

    @Test func emptyConfigurationHasDefaults() throws {
        let configuration = try decode("{}")
        #expect(configuration.spoolDirectory == "/var/lib/vigil/spool")
        #expect(configuration.aggregation.enabled)
        #expect(configuration.aggregation.windowSeconds == 60)
        #expect(configuration.sinks.map(\.name) == ["stdout"])
    }

    @Test func everySinkTypeDecodesWithItsDefaults() throws {
        let configuration = try decode(
            #"""
            {"spool_directory": "/tmp/spool",
             "aggregation": {"window_seconds": 5, "exclude_rules": ["Terminal shell in container"]},
             "sinks": [
               {"type": "stdout"},
               {"type": "file", "path": "/var/log/vigil/alerts.json", "max_bytes": 1048576, "fsync": "never"},
               {"type": "syslog", "name": "siem", "transport": "tls", "host": "collector", "ca_file": "/ca.pem",
                "facility": "authpriv", "minimum_priority": "warning"},
               {"type": "syslog", "name": "local"},
               {"type": "webhook", "url": "http://127.0.0.1:2801/", "headers": {"Authorization": "Bearer x"},
                "overflow": "drop", "retry": {"initial_ms": 100}},
               {"type": "program", "command": "logger -t vigil", "format": "text", "enabled": false}
             ]}
            """#)
        #expect(configuration.aggregation.settings.window == .seconds(5))
        #expect(configuration.aggregation.settings.excludedRules == ["Terminal shell in container"])
        let sinks = configuration.sinks
        #expect(sinks.map(\.name) == ["stdout", "file", "siem", "local", "webhook", "program"])
        guard case .stdout(let stdout) = sinks[0].destination else { Issue.record("stdout"); return }
        #expect(stdout.format == .text)
        guard case .file(let file) = sinks[1].destination else { Issue.record("file"); return }
        #expect(file.format == .json && file.maxBytes == 1_048_576 && file.fsync == .never && file.maxFiles == 5)
        #expect(!sinks[1].effectiveWriteAhead)
        guard case .syslog(let siem) = sinks[2].destination else { Issue.record("syslog"); return }
        #expect(siem.transport == .tls && siem.port == nil && siem.facility == .authpriv && siem.tls.caFile == "/ca.pem")
        #expect(sinks[2].minimumPriority == .warning)
        #expect(sinks[2].effectiveWriteAhead)
        guard case .syslog(let local) = sinks[3].destination else { Issue.record("syslog"); return }
        #expect(local.transport == .unix && local.path == "/dev/log" && local.facility == .user)
        #expect(!sinks[3].effectiveWriteAhead)
        guard case .webhook(let webhook) = sinks[4].destination else { Issue.record("webhook"); return }
        #expect(webhook.headers == ["Authorization": "Bearer x"] && webhook.batchMaxAlerts == 1 && webhook.timeoutMs == 10_000)
        #expect(sinks[4].overflow == .drop && sinks[4].retry.initialMilliseconds == 100 && sinks[4].retry.maximumMilliseconds == 30_000)
        #expect(sinks[4].effectiveWriteAhead && sinks[4].spoolEnabled && sinks[4].queueCapacity == 10_000)
        guard case .program(let program) = sinks[5].destination else { Issue.record("program"); return }
        #expect(program.command == "logger -t vigil" && program.format == .text && !sinks[5].enabled)
        // Encoding and decoding again gives the same configuration.
        let again = try JSONDecoder().decode(OutputsConfiguration.self, from: JSONEncoder().encode(configuration))
        #expect(again == configuration)
    }

    @Test(arguments: [
        #"{"sinks": [{"type": "carrier-pigeon"}]}"#,
        #"{"sinks": [{"type": "file"}]}"#,
        #"{"sinks": [{"type": "webhook", "url": "http://x/", "minimum_priority": "loud"}]}"#,
        #"{"sinks": [{"type": "syslog", "facility": "nope"}]}"#,
        #"{"sinks": [{"type": "file", "path": "/x", "fsync": "sometimes"}]}"#,
    ])
    func invalidConfigurationsAreRejected(_ json: String) {
        #expect(throws: DecodingError.self) { try decode(json) }
    }

    @Test func routerFromConfigurationWritesToTheConfiguredFileAndSpoolsUnderTheGivenDirectory() async throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let configuration = try decode(
            #"""
            {"spool_directory": "/nonexistent/never-used",
             "aggregation": {"enabled": false},
             "sinks": [{"type": "file", "path": "\#(directory)/alerts.json", "fsync": "always", "minimum_priority": "error"},
                       {"type": "webhook", "url": "http://127.0.0.1:1/", "spool": false, "enabled": false}]}
            """#)
        let router = try AlertRouter(configuration: configuration, spoolDirectory: "\(directory)/spool", logger: TestSupport.logger)
        router.submit(TestSupport.makeAlert(0, priority: .critical))
        router.submit(TestSupport.makeAlert(1, priority: .notice))
        await router.shutdown(drainTimeout: .seconds(5))
        #expect(router.counters().sinks.map(\.name) == ["file"])
        #expect(TestSupport.jsonLines("\(directory)/alerts.json").compactMap { $0["priority"] as? String } == ["Critical"])
        #expect(FileManager.default.fileExists(atPath: "\(directory)/spool/file/lock"))
        #expect(router.counters().counters(for: "file")?.filtered == 1)
    }

    @Test func sinkNamesMustBeUsableAsDirectoryNames() throws {
        let configuration = try decode(#"{"sinks": [{"type": "stdout", "name": "../etc"}]}"#)
        #expect(throws: AlertRouterError.self) {
            try AlertRouter(configuration: configuration, spoolDirectory: "/tmp/unused", logger: TestSupport.logger)
        }
    }
}
