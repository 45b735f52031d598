import Alerts
import AuditStream
import ControlSocket
import Baselines
import Dispatch
import Logging
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
    /// The control socket (`vigil tail`): outlives reloads like the enricher; nil when disabled.
    var control: ControlServer? = nil
    /// So do the baselines (nil when `baselines.enabled` is false); a reload applies their knobs.
    var baselines: BaselineEngine? = nil

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
            matchMode: Ruleset.MatchMode(rawValue: configuration.rules.matchMode) ?? .all,
            appendOutput: configuration.appendOutput)
        var ruleset = matcher.ruleset
        for name in configuration.rules.disabled { ruleset.setEnabled(false, ruleNamePattern: name) }
        let active = configuration.rules.disabled.isEmpty ? matcher : RuleMatcher(ruleset: ruleset, hostname: configuration.hostname)
        for d in active.ruleset.diagnostics { DaemonLog.write("rules: \(d)") }
        let router: AlertRouter
        do {
            router = try AlertRouter(configuration: configuration.effectiveOutputs, logger: Logger(label: "vigil.alerts"))
        } catch {
            throw DaemonError.configuration("outputs: \(error)")
        }
        let processor = RuleProcessor(matcher: active, enricher: enricher, router: router, printEvents: printEvents)
        processor.control = control
        control?.setDefinitions(active.ruleset)
        if let baselines {
            baselines.settings = BaselineConfig.settings(configuration.baselines)
            processor.baselines = BaselineTap(
                engine: baselines, priority: AlertPriority(name: configuration.baselines.priority) ?? .warning,
                hostname: active.hostname)
        }
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
    var alertWatermark: (handed: UInt64, settled: UInt64) { (0, 0) }
    func drain(timeoutSeconds: Double) { out.flush() }
    func report(into metrics: DaemonMetrics) {}
    func tick(nowNanos: UInt64) {}
}

/// Rules over live events; alerts go to the router, which owns the sinks (queues, spools, retries).
final class RuleProcessor: EventProcessor {
    let matcher: RuleMatcher
    let enricher: Enricher
    let printEvents: Bool
    let router: AlertRouter
    let events: OutputBuffer?
    var writer = JSONWriter()
    let nodes = NodeTable()
    private(set) var alertsWritten = 0
    private(set) var conversionFailures = 0
    private var lastSweep: UInt64 = 0
    /// Subscribers of the control socket see alerts (with the event behind them) and, if asked, events.
    var control: ControlServer?
    var baselines: BaselineTap?

    init(matcher: RuleMatcher, enricher: Enricher, router: AlertRouter, printEvents: Bool) {
        self.matcher = matcher
        self.enricher = enricher
        self.router = router
        self.printEvents = printEvents
        events = printEvents ? OutputBuffer(fd: 1) : nil
    }

    func process(_ event: AuditEvent, decoded: DecodedEvent) {
        if let events {
            writer.reset()
            EventJSON.write(event, decoded: decoded, nodes: nodes, into: &writer)
            events.append(writer.bytes)
            events.append(CollectionOfOne(10))
            events.flush()
        }
        let enriched = enricher.enrich(event, decoded)
        let source = matcher.fieldSource(decoded, enriched: enriched)
        var eventKey: String? = nil
        matcher.match(source) { alert in
            if eventKey == nil { eventKey = (nodes.name(event.key.node) ?? "") + " " + event.stamp.text }
            emit(alert, source: source, eventKey: eventKey)
        }
        if let control, control.wantsEvents { control.publishEvent(source) }
        // Deviations have no event source for tail filters: they pass as the monitor's notices do.
        baselines?.observe(enriched) { submit($0) }
    }

    /// The rules engine renders Falco's JSON; the router's model is read back from it, so both outputs agree
    /// byte for byte on what Falco consumers see.
    func emit(_ alert: RuleEngine.Alert, source: AuditFieldSource? = nil, eventKey: String? = nil) {
        do {
            var routed = try Alerts.Alert(json: matcher.formatter.json(alert))
            if let eventKey { routed.uuid = Alerts.Alert.stableUUID(host: matcher.hostname, event: eventKey, rule: alert.rule) }
            submit(routed, source: source)
            alertsWritten += 1
        } catch {
            conversionFailures += 1
            DaemonLog.write("alert of rule \(Printable.escape(Array(alert.rule.utf8))) could not be routed: \(error)")
        }
    }

    func notice(kind: String, message: String, priority: String) {
        DaemonLog.write("\(priority): \(kind): \(message)")
        let p = AlertPriority(name: priority) ?? .critical
        let now = Daemon.wallClockNanos()
        let alert = Alerts.Alert(
            time: AlertTime(nanosecondsSinceEpoch: now), priority: p, rule: "Vigil monitor: \(kind)",
            message: message, source: "internal", hostname: matcher.hostname,
            outputFields: ["vigil.notice": .string(kind)], tags: ["vigil", "monitor"])
        submit(alert)
    }

    /// Every alert leaves through here: to the sinks, and to the control socket's subscribers (`source`: the
    /// event behind it, nil for alerts that have none).
    func submit(_ alert: Alerts.Alert, source: AuditFieldSource? = nil) {
        router.submit(alert)
        if let control, control.isActive { control.publish(alert, source: source) }
    }

    var alertWatermark: (handed: UInt64, settled: UInt64) { router.deliveryWatermark }

    func skipAlertsAlreadyDelivered() -> [(sink: String, held: Int)] { router.skipAlertsAlreadyDelivered() }

    func reopenOutputs() {
        let router = self.router
        AsyncBridge.wait { await router.reopen() }
    }

    func drain(timeoutSeconds: Double) {
        events?.flush()
        baselines?.flush()
        let router = self.router
        AsyncBridge.wait { await router.shutdown(drainTimeout: .milliseconds(Int(timeoutSeconds * 1000))) }
    }

    func tick(nowNanos: UInt64) {
        baselines?.tick()
        if nowNanos - lastSweep >= 30_000_000_000 {
            enricher.sweep()
            lastSweep = nowNanos
        }
    }

    func report(into metrics: DaemonMetrics) {
        baselines?.report(into: metrics)
        for (rule, n) in matcher.matches {
            metrics.counter("vigil_rule_matches_total", [("rule", rule)], help: "events that matched a rule", value: Int64(n))
        }
        let e = enricher.statistics
        metrics.gauge("vigil_process_table_size", help: "processes in the shadow process table", value: Double(e.processes))
        metrics.gauge("vigil_process_records_retained", help: "process records in memory (table + kept ancestors)", value: Double(e.retainedRecords))
        metrics.counter("vigil_process_table_evictions_total", help: "process records evicted at capacity", value: Int64(e.evictions))
        metrics.counter("vigil_process_proc_reads_total", help: "processes read from /proc because no audit event described them", value: Int64(e.readFromProc))
        metrics.counter("vigil_process_container_lookups_total", help: "container metadata lookups", value: Int64(e.containerLookups))
        metrics.counter("vigil_process_attributed_by_device_total", help: "processes gone before their cgroup was read, placed in a container by their executable's device", value: Int64(e.attributedByDevice))
        let c = router.counters()
        metrics.counter("vigil_alerts_submitted_total", help: "alerts handed to the router", value: Int64(c.submitted))
        metrics.counter("vigil_alerts_aggregated_total", help: "repeats folded into aggregated alerts", value: Int64(c.aggregated))
        if let control {
            let t = control.counters()
            metrics.gauge("vigil_control_clients", help: "clients connected to the control socket", value: Double(t.clients))
            metrics.counter("vigil_control_refused_total", help: "control socket connections refused (credentials, too many)", value: Int64(t.refused))
            metrics.counter("vigil_control_delivered_total", help: "alerts and events handed to control socket clients", value: Int64(t.delivered))
            metrics.counter("vigil_control_missed_total", help: "items dropped for control socket clients that read too slowly", value: Int64(t.missed))
        }
        for s in c.sinks {
            let l = [("sink", s.name)]
            metrics.counter("vigil_alerts_delivered_total", l, help: "alerts a sink delivered", value: Int64(s.counters.delivered))
            metrics.counter("vigil_alerts_failed_total", l, help: "alerts a sink gave up on (rejected)", value: Int64(s.counters.failed))
            metrics.counter("vigil_alerts_dropped_total", l, help: "alerts dropped (queue full with policy drop, spool full)", value: Int64(s.counters.dropped))
            metrics.counter("vigil_alerts_spooled_total", l, help: "alerts written to the sink's disk spool", value: Int64(s.counters.spooled))
            metrics.counter("vigil_alerts_retried_total", l, help: "delivery retries", value: Int64(s.counters.retried))
            metrics.counter("vigil_alerts_already_delivered_total", l, help: "alerts raised again after a resume and skipped: the sink already held them", value: Int64(s.counters.alreadyDelivered))
            metrics.gauge("vigil_sink_queue_depth", l, help: "alerts waiting in the sink's memory queue", value: Double(s.queued))
            metrics.gauge("vigil_sink_spool_backlog", l, help: "alerts waiting in the sink's spool", value: Double(s.spooled))
        }
    }
}

/// Runs async work (the router's reopen and shutdown) to completion from the daemon's synchronous loop.
enum AsyncBridge {
    static func wait(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await body()
            done.signal()
        }
        done.wait()
    }
}
