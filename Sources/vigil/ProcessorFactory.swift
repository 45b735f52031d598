import AuditStream
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// Builds the event processor from the configuration: used at start-up and again on SIGHUP, so a reload goes
/// through exactly the same validation as a start.
struct ProcessorFactory {
    struct Built {
        var processor: EventProcessor
        /// Event types (syscall names) the loaded rules need audited.
        var eventTypes: [String]
        var summary: String
    }

    let configuration: DaemonConfiguration
    let printEvents: Bool

    func make() throws -> Built {
        Built(processor: EventPrinter(printEvents: printEvents), eventTypes: [], summary: "no rules engine")
    }
}

/// Prints decoded events (the `--events` debugging view) and the daemon's own notices.
final class EventPrinter: EventProcessor {
    let printEvents: Bool
    let out = OutputBuffer(fd: 1)
    var writer = JSONWriter()
    let nodes = NodeTable()

    init(printEvents: Bool) { self.printEvents = printEvents }

    func process(_ event: AuditEvent, decoded: DecodedEvent) {
        guard printEvents else { return }
        writer.reset()
        EventJSON.write(event, decoded: decoded, nodes: nodes, into: &writer)
        out.append(writer.bytes)
        out.append(CollectionOfOne(10))
        out.flush()
    }

    func notice(kind: String, message: String, priority: String) {
        DaemonLog.write("\(priority): \(kind): \(message)")
    }

    func reopenOutputs() {}
    func drain(timeoutSeconds: Double) { out.flush() }
}
