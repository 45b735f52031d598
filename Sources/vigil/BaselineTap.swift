import Alerts
import AuditControl
import AuditStream
import Baselines
import ProcessState
import VigilDaemon

/// The daemon's side of the baselines: hands each enriched event to the engine (created once in `vigil run`, so
/// it outlives reloads) and turns deviations into alerts for the same router as rule alerts (source `baseline`).
final class BaselineTap {
    let engine: BaselineEngine
    let priority: AlertPriority
    let hostname: String

    init(engine: BaselineEngine, priority: AlertPriority, hostname: String) {
        self.engine = engine
        self.priority = priority
        self.hostname = hostname
    }

    static func nowMillis() -> Int64 { Daemon.wallClockNanos() / 1_000_000 }

    func observe(_ e: EnrichedEvent, submit: (Alerts.Alert) -> Void) {
        engine.observe(e, nowMillis: Self.nowMillis()) { d in submit(Self.alert(d, priority: priority, hostname: hostname)) }
    }

    private var reportedStoreErrors = 0

    func tick() {
        engine.tick(nowMillis: Self.nowMillis())
        let errors = engine.storeErrors
        if errors > reportedStoreErrors {
            DaemonLog.write("baselines: \(errors - reportedStoreErrors) database write(s) failed: \(engine.lastStoreError ?? "?")")
            reportedStoreErrors = errors
        }
    }
    func flush() { engine.flush(nowMillis: Self.nowMillis()) }

    func report(into metrics: DaemonMetrics) {
        let s = engine.statistics
        metrics.gauge("vigil_baseline_profiles", help: "workload profiles held", value: Double(engine.profiles.count))
        for mode in ProfileMode.allCases {
            metrics.gauge("vigil_baseline_profiles_by_mode", [("mode", mode.rawValue)], help: "profiles per mode",
                value: Double(engine.profiles.values.filter { $0.mode == mode }.count))
        }
        metrics.counter("vigil_baseline_events_total", help: "events of profiled workloads", value: Int64(s.profiledEvents))
        metrics.counter("vigil_baseline_items_learned_total", help: "items added to profiles while learning", value: Int64(s.itemsLearned))
        metrics.counter("vigil_baseline_deviations_total", help: "deviations alerted", value: Int64(s.deviations))
        metrics.counter("vigil_baseline_repeats_suppressed_total", help: "repeated deviations folded into a later alert", value: Int64(s.repeatsSuppressed))
        for d in Dimension.allCases {
            metrics.counter("vigil_baseline_items_dropped_total", [("dimension", d.rawValue)],
                help: "items not learned because a profile cap was reached", value: Int64(s.dropped[d.index]))
        }
        metrics.counter("vigil_baseline_profiles_refused_total", help: "events of workloads not profiled (max_profiles reached)", value: Int64(s.profilesRefused))
        metrics.counter("vigil_baseline_store_errors_total", help: "failed batch writes to the baselines database", value: Int64(engine.storeErrors))
    }

    /// The alert of a deviation: the container, the image, the process and its ancestry, the deviating item, the
    /// nearest learned items and the command that accepts it.
    static func alert(_ d: Deviation, priority: AlertPriority, hostname: String) -> Alerts.Alert {
        let e = d.event
        var f: [String: AlertValue] = [:]
        func text(_ b: Bytes?) -> AlertValue { b.map { .string(Printable.escape($0)) } ?? .null }
        func int(_ i: Int64?) -> AlertValue { i.map { .integer($0) } ?? .null }
        f["baseline.profile"] = .string(d.profile.description)
        f["baseline.mode"] = .string(d.mode.rawValue)
        f["baseline.dimension"] = .string(d.dimension.rawValue)
        f["baseline.item"] = .string(d.item)
        f["baseline.nearest"] = .array(d.nearest.map { .string($0) })
        f["baseline.repeats"] = .integer(Int64(d.repeats))
        f["baseline.accept"] = .string(d.acceptCommand)
        if let a = d.action { f["baseline.action"] = .string(a) }
        f["evt.type"] = e.event.syscall?.name.map { .string($0) } ?? .null
        f["proc.pid"] = int(e.process.pid)
        f["proc.ppid"] = int(e.process.ppid)
        f["proc.name"] = text(e.process.name)
        f["proc.exepath"] = text(e.process.exePath)
        f["proc.cmdline"] = text(e.process.cmdline)
        f["user.uid"] = int(e.user.uid)
        if let parent = e.ancestor(1) {
            f["proc.pname"] = text(parent.name)
            f["proc.pexepath"] = text(parent.exePath)
        }
        for level in 2...4 {
            guard let a = e.ancestor(level) else { break }
            f["proc.aname[\(level)]"] = text(a.name)
            f["proc.aexepath[\(level)]"] = text(a.exePath)
            f["proc.apid[\(level)]"] = int(a.pid)
        }
        if let c = e.container {
            f["container.id"] = .string(c.id)
            f["container.name"] = c.name.map { .string($0) } ?? .null
            f["container.image"] = c.image.map { .string($0) } ?? .null
            f["container.image.repository"] = c.imageRepository.map { .string($0) } ?? .null
            f["container.image.tag"] = c.imageTag.map { .string($0) } ?? .null
        }
        return Alerts.Alert(
            time: AlertTime(nanosecondsSinceEpoch: d.timeMillis * 1_000_000), priority: priority, rule: d.rule,
            message: TextEscaping.escapeLine(d.message), source: "baseline", hostname: hostname, outputFields: f,
            tags: ["baseline", d.dimension.rawValue])
    }
}

/// `baselines:` of vigil.yaml as the engine's settings and the audit rule it may add.
enum BaselineConfig {
    static func settings(_ c: DaemonConfiguration.Baselines) -> BaselineSettings {
        var s = BaselineSettings()
        s.learningMillis = Int64(c.learningSeconds * 1000)
        s.quietMillis = Int64(c.quietSeconds * 1000)
        s.maxItemsPerDimension = c.maxItemsPerDimension
        s.maxItemsPerProfile = c.maxItemsPerProfile
        s.maxProfiles = c.maxProfiles
        s.repeatWindowMillis = Int64(c.repeatWindowSeconds * 1000)
        s.alertFileReads = c.alertFileReads
        s.hostUnits = c.hostUnits
        s.defaultProtect = action(c.protectAction, c.protectCommand)
        for (k, a) in c.protectProfiles { s.protect[ProfileKey(parsing: k).description] = action(a, c.protectCommand) }
        s.protectAfterLearning = Set(c.protectAfterLearning.map { ProfileKey(parsing: $0).description })
        return s
    }

    static func action(_ name: String, _ command: [String]) -> ProtectAction {
        switch name {
        case "kill": .kill
        case "freeze": .freeze
        case "command": .command(command)
        default: .none
        }
    }

    static func usesCommand(_ c: DaemonConfiguration.Baselines) -> Bool {
        c.enabled && (c.protectAction == "command" || c.protectProfiles.values.contains("command"))
    }

    /// `-a always,exit -F arch=ARCH -S all -F pid!=VIGIL -k KEY` per arch: what `audit_all_syscalls` adds. The
    /// key is Vigil's own (so the session installs, checks and removes it with the others) with a second key
    /// `baseline-all` naming why it is there.
    static func auditAllRules(_ cfg: DaemonConfiguration, excludedPid: Int32) -> [AuditRule] {
        guard cfg.baselines.enabled, cfg.baselines.auditAllSyscalls else { return [] }
        return cfg.audit.arches.compactMap(AuditRule.Arch.init(rawValue:)).map {
            AuditRule(arch: $0, syscalls: ["all"], key: cfg.audit.key + "\u{1}baseline-all", excludedPid: excludedPid,
                fields: cfg.baselines.auditAllFields)
        }
    }
}
