import AuditStream
import ProcessState
import RuleEngine
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
    /// Process and container state outlives reloads: it is built from the stream, not from the rules.
    let enricher: Enricher

    func make() throws -> Built {
        let paths = try RuleLoader.expand(paths: configuration.rules.paths)
        if paths.isEmpty {
            return Built(processor: EventPrinter(printEvents: printEvents), eventTypes: [], summary: "no rules files")
        }
        guard let priority = Priority(parsing: configuration.rules.minimumPriority) else {
            throw DaemonError.configuration("rules.minimum_priority '\(configuration.rules.minimumPriority)' is not a Falco priority")
        }
        let matcher = try RuleMatcher(
            paths: configuration.rules.paths, hostname: configuration.hostname, minimumPriority: priority,
            matchMode: Ruleset.MatchMode(rawValue: configuration.rules.matchMode) ?? .all)
        var ruleset = matcher.ruleset
        for name in configuration.rules.disabled { ruleset.setEnabled(false, ruleNamePattern: name) }
        let active = configuration.rules.disabled.isEmpty ? matcher : RuleMatcher(ruleset: ruleset, hostname: configuration.hostname)
        for d in active.ruleset.diagnostics { DaemonLog.write("rules: \(d)") }
        let processor = RuleProcessor(matcher: active, enricher: enricher, configuration: configuration, printEvents: printEvents)
        return Built(
            processor: processor, eventTypes: active.syscallNames,
            summary: "\(active.ruleset.enabledRules.count) rules from \(paths.count) files")
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
    func report(into metrics: DaemonMetrics) {}
    func tick(nowNanos: UInt64) {}
}

/// Rules over live events; alerts as Falco JSON (or text) lines on standard output and to a JSON-lines file.
final class RuleProcessor: EventProcessor {
    let matcher: RuleMatcher
    let enricher: Enricher
    let printEvents: Bool
    let stdout: OutputBuffer?
    let json: Bool
    let filePath: String
    var file: OutputBuffer?
    var writer = JSONWriter()
    let nodes = NodeTable()

    init(matcher: RuleMatcher, enricher: Enricher, configuration: DaemonConfiguration, printEvents: Bool) {
        self.matcher = matcher
        self.enricher = enricher
        self.printEvents = printEvents
        stdout = configuration.output.stdout ? OutputBuffer(fd: 1) : nil
        json = configuration.output.stdoutJSON
        filePath = configuration.output.file
        reopenOutputs()
    }

    func process(_ event: AuditEvent, decoded: DecodedEvent) {
        if printEvents, let stdout {
            writer.reset()
            EventJSON.write(event, decoded: decoded, nodes: nodes, into: &writer)
            stdout.append(writer.bytes)
            stdout.append(CollectionOfOne(10))
        }
        matcher.match(decoded, enriched: enricher.enrich(event, decoded)) { alert in
            emit(alert)
        }
        stdout?.flush()
        file?.flush()
    }

    func emit(_ alert: RuleEngine.Alert) {
        alertsWritten += 1
        if let stdout {
            stdout.append(json ? matcher.formatter.json(alert) : matcher.formatter.textLine(alert))
            stdout.append(CollectionOfOne(10))
        }
        if let file {
            file.append(matcher.formatter.json(alert))
            file.append(CollectionOfOne(10))
        }
    }

    func notice(kind: String, message: String, priority: String) {
        DaemonLog.write("\(priority): \(kind): \(message)")
    }

    func reopenOutputs() {
        file?.flush()
        guard !filePath.isEmpty else { return }
        let fd = open(filePath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        if fd >= 0 { file = OutputBuffer(fd: fd) } else { DaemonLog.write("cannot open \(filePath): \(String(cString: strerror(errno)))") }
    }

    func drain(timeoutSeconds: Double) {
        stdout?.flush()
        file?.flush()
    }

    private var lastSweep: UInt64 = 0

    func tick(nowNanos: UInt64) {
        if nowNanos - lastSweep >= 30_000_000_000 {
            enricher.sweep()
            lastSweep = nowNanos
        }
    }

    func report(into metrics: DaemonMetrics) {
        for (rule, n) in matcher.matches {
            metrics.counter("vigil_rule_matches_total", [("rule", rule)], help: "events that matched a rule", value: Int64(n))
        }
        let e = enricher.statistics
        metrics.gauge("vigil_process_table_size", help: "processes in the shadow process table", value: Double(e.processes))
        metrics.gauge("vigil_process_records_retained", help: "process records in memory (table + kept ancestors)", value: Double(e.retainedRecords))
        metrics.counter("vigil_process_table_evictions_total", help: "process records evicted at capacity", value: Int64(e.evictions))
        metrics.counter("vigil_alerts_total", [("sink", "stdout")], help: "alerts written", value: Int64(alertsWritten))
    }

    private(set) var alertsWritten = 0
}
