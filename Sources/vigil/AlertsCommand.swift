// Compiled only where the Alerts module is linked into this target (see the Package.swift lines in the
// Alerts hand-over); until then the file is empty and the rest of `vigil` builds as before.
#if canImport(Alerts)
import Alerts
import ArgumentParser
import Foundation
import Logging
import NIOPosix

/// `vigil alerts`: tools around alert delivery.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Test and operate alert outputs.",
        subcommands: [Send.self]
    )

    /// `vigil alerts send --outputs CONFIG.json`: Falco JSON alerts from stdin through the configured sinks,
    /// like `falco --test-output` but with your own alerts; also replays what a previous run left in the spools.
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver Falco JSON alerts (one per line on standard input) through the configured outputs.",
            discussion: """
                Reads the outputs configuration (JSON: {"spool_directory": …, "aggregation": {…}, "sinks": [ … ]}), \
                starts the sinks (delivering first whatever earlier runs left in their spools), submits each \
                line of standard input as an alert, and at end of input waits up to --drain-timeout seconds for \
                delivery. Alerts still undelivered then stay in the sinks' spools for the next run. A summary goes \
                to standard error, last line prefixed 'alerts-send-summary ' and followed by JSON. \
                Exit status: 0 when every alert was delivered or spooled, 1 if a line was invalid or an alert \
                was dropped or rejected, 2 for usage errors.
                """
        )

        @Option(help: ArgumentHelp("Outputs configuration file (JSON).", valueName: "CONFIG.json"))
        var outputs: String

        @Option(name: .customLong("spool-dir"), help: ArgumentHelp("Parent directory of the sinks' spools (overrides spool_directory).", valueName: "DIR"))
        var spoolDirectory: String?

        @Option(help: "Seconds to keep delivering after end of input before leaving the rest in the spools.")
        var drainTimeout: Double = 10

        @Option(help: "Log level for Vigil's own messages on standard error (trace … critical).")
        var logLevel: String = "info"

        func validate() throws {
            guard drainTimeout >= 0 else { throw ValidationError("--drain-timeout must be ≥ 0") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        }

        func run() async throws {
            var logger = Logger(label: "vigil.alerts") { label in StreamLogHandler.standardError(label: label) }
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let configuration: OutputsConfiguration
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: outputs))
                configuration = try JSONDecoder().decode(OutputsConfiguration.self, from: data)
            } catch {
                throw ValidationError("cannot read outputs configuration \(outputs): \(error)")
            }
            let router: AlertRouter
            do {
                router = try AlertRouter(configuration: configuration, spoolDirectory: spoolDirectory, logger: logger)
            } catch {
                logger.critical("cannot start the outputs", metadata: ["error": "\(error)"])
                throw ExitCode(1)
            }
            var read = 0
            var invalid = 0
            var lineNumber = 0
            for try await line in StandardInputLines() {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    router.submit(try Alert(json: line))
                    read += 1
                } catch {
                    invalid += 1
                    logger.error("skipping invalid alert", metadata: ["line": "\(lineNumber)", "error": "\(error)"])
                }
            }
            await router.shutdown(drainTimeout: .milliseconds(Int64(drainTimeout * 1000)))
            let counters = router.counters()
            var problems = invalid
            var sinks: [String] = []
            for sink in counters.sinks {
                let c = sink.counters
                problems += Int(c.dropped + c.failed)
                FileHandle.standardError.write(Data(
                    "alerts send: \(sink.name): delivered \(c.delivered), failed \(c.failed), dropped \(c.dropped), spooled \(c.spooled), pending in spool \(sink.spooled), retried \(c.retried), below threshold \(c.filtered)\n".utf8))
                sinks.append(
                    "{\"name\":\"\(sink.name)\",\"delivered\":\(c.delivered),\"failed\":\(c.failed),\"dropped\":\(c.dropped),\"spooled\":\(c.spooled),\"pending\":\(sink.spooled),\"retried\":\(c.retried),\"filtered\":\(c.filtered)}")
            }
            FileHandle.standardError.write(Data(
                "alerts-send-summary {\"read\":\(read),\"invalid\":\(invalid),\"aggregated\":\(counters.aggregated),\"sinks\":[\(sinks.joined(separator: ","))]}\n".utf8))
            if problems > 0 { throw ExitCode(1) }
        }
    }
}

/// Lines of standard input, read on NIO's thread pool so the blocking `read(2)` never occupies a
/// cooperative thread the sinks need.
private struct StandardInputLines: AsyncSequence {
    typealias Element = [UInt8]

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: [UInt8] = []
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            while true {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    let line = Array(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    return line
                }
                if finished {
                    guard !buffer.isEmpty else { return nil }
                    defer { buffer.removeAll() }
                    return buffer
                }
                let chunk: [UInt8] = try await NIOThreadPool.singleton.runIfActive {
                    var bytes = [UInt8](repeating: 0, count: 65_536)
                    while true {
                        let n = bytes.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
                        if n < 0 && errno == EINTR { continue }
                        return n > 0 ? Array(bytes[0..<n]) : []
                    }
                }
                if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}
#endif
