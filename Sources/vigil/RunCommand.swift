import Foundation
import Alerts
import ArgumentParser
import Logging
import AuditControl
import AuditStream
import ControlSocket
import Baselines
import ProcessState
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// `vigil run`: the daemon.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the monitor on the live audit stream (or an auditd plugin's stdin, or a followed log).",
        discussion: """
            Signals: SIGHUP reloads configuration and rules (a broken rules file keeps the old rules running), \
            SIGUSR1 reopens output files, SIGTERM/SIGINT drain the outputs, remove Vigil's audit rules and exit 0.
            """
    )

    @Option(help: "Configuration file (YAML). The default path may be missing: every key has a default.")
    var config: String = "/etc/vigil/vigil.yaml"

    @Option(name: .customLong("rules"), help: "Rules file or directory (repeatable); replaces rules.paths of the configuration.")
    var rulesPaths: [String] = []

    @Option(help: "Source kind: auto, unicast, multicast, file, stdin (overrides source.kind).")
    var source: String?

    @Option(help: "Audit log to follow with --source file (overrides source.path).")
    var file: String?

    @Option(name: .customLong("audit-rules"), help: "'print': show the audit rules Vigil would install, as auditctl lines, and exit.")
    var auditRules: String?

    @Flag(help: "Validate configuration and rules, then exit (0 when everything loads).")
    var dryRun = false

    @Flag(help: "Print every decoded event as JSON on standard output (debugging).")
    var events = false

    func loadConfiguration() throws -> DaemonConfiguration {
        var cfg = DaemonConfiguration()
        let explicit = CommandLine.arguments.contains { $0 == "--config" || $0.hasPrefix("--config=") }
        if explicit || access(config, F_OK) == 0 {
            let (loaded, warnings) = try ConfigurationLoader.load(path: config)
            for w in warnings { DaemonLog.write("warning: \(w)") }
            cfg = loaded
        }
        if !rulesPaths.isEmpty { cfg.rules.paths = rulesPaths }
        if let source {
            guard let kind = DaemonConfiguration.SourceKind(rawValue: source) else {
                throw ValidationError("--source must be one of \(DaemonConfiguration.SourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            cfg.source.kind = kind
        }
        if let file { cfg.source.path = file }
        return cfg
    }

    func run() throws {
        // A reader that went away (stdout to a closed pipe, a syslog peer) must be an error to count, not a kill.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .notice
            return h
        }
        let cfg: DaemonConfiguration
        do {
            cfg = try loadConfiguration()
        } catch let e as ConfigurationLoader.Problem {
            DaemonLog.write("configuration error: \(e)")
            throw ExitCode(2)
        }
        // Live sources see this machine's processes; a followed file or plugin stdin does too (same host, now).
        let enricher = Enricher.live(runtimes: cfg.runtimeRoots)
        // Baselines, like the enricher, outlive reloads; a dry run or a print of the audit rules opens no database.
        let baselines: BaselineEngine?
        if !cfg.baselines.enabled || dryRun || auditRules != nil {
            baselines = nil
        } else {
            do {
                let store = try BaselineStore(path: cfg.baselinesDatabase)
                baselines = try BaselineEngine(
                    settings: BaselineConfig.settings(cfg.baselines), store: store,
                    flushInterval: Double(cfg.baselines.flushMillis) / 1000)
                DaemonLog.write("baselines: \(baselines!.profiles.count) profiles from \(cfg.baselinesDatabase)")
                // A damaged file is reported, not fatal: rules still run, and learning goes on in what is readable.
                if let verdict = try? store.integrityCheck(quick: true), verdict != ["ok"] {
                    DaemonLog.write("error: baselines: \(cfg.baselinesDatabase) failed its integrity check: \(verdict.prefix(5).joined(separator: "; ")) (see `vigil baseline check`)")
                }
            } catch {
                DaemonLog.write("configuration error: baselines: \(error)")
                throw ExitCode(2)
            }
        }
        let control = dryRun || auditRules != nil ? nil : Self.controlServer(cfg.control)
        // Whatever way `run` ends, the thread stops and the socket file goes.
        defer { control?.stop() }
        var factory = ProcessorFactory(configuration: cfg, printEvents: events, enricher: enricher, baselines: baselines)
        factory.control = control
        let built: ProcessorFactory.Built
        do {
            built = try factory.make()
        } catch {
            DaemonLog.write("\(error)")
            throw ExitCode(1)
        }
        var plan = AuditRulePlan(
            key: cfg.audit.key, extra: built.eventTypes + cfg.audit.extraSyscalls,
            arches: cfg.audit.arches.compactMap(AuditRule.Arch.init(rawValue:)), excludedPid: getpid())
        if !cfg.audit.rulesFile.isEmpty {
            guard let text = try? String(contentsOfFile: cfg.audit.rulesFile, encoding: .utf8) else {
                DaemonLog.write("configuration error: cannot read audit.rules_file \(cfg.audit.rulesFile)")
                throw ExitCode(2)
            }
            do {
                plan.extraRules = try AuditRulesFile.parse(text, key: cfg.audit.key, excludedPid: getpid())
            } catch {
                DaemonLog.write("configuration error: \(cfg.audit.rulesFile):\(error)")
                throw ExitCode(2)
            }
        }
        plan.fields = cfg.audit.ruleFields
        plan.extraRules += BaselineConfig.auditAllRules(cfg, excludedPid: getpid())
        if let auditRules {
            guard auditRules == "print" else { throw ValidationError("--audit-rules takes 'print'") }
            for line in plan.auditctlLines { print(line) }
            return
        }
        if dryRun {
            DaemonLog.write("configuration and rules are valid (\(built.summary)); audit rules: \(plan.rules.count)")
            return
        }

        if !cfg.stateDirectory.isEmpty { StateDirectory.prepare(cfg.stateDirectory) }
        let signals = try SignalChannel()
        var eventSocket: AuditEventSocket? = nil
        var session: AuditSession? = nil
        let recordSource: RecordSource
        do {
            switch cfg.source.kind {
            case .stdin:
                recordSource = StreamRecordSource(fd: 0)
            case .file:
                let offsetFile = cfg.stateDirectory.isEmpty ? nil : cfg.stateDirectory + "/file-source.offset"
                recordSource = FollowedFileSource(path: cfg.source.path, stateFile: offsetFile)
            case .auto, .unicast, .multicast:
                var mode: AuditEventSocket.Mode = cfg.source.kind == .unicast ? .unicast : .multicast
                if cfg.source.kind == .auto {
                    let status = try AuditControlSocket().status()
                    let holderAlive = status.pid != 0 && (kill(pid_t(status.pid), 0) == 0 || errno == EPERM)
                    mode = holderAlive ? .multicast : .unicast
                }
                let socket = try AuditEventSocket(mode: mode)
                session = try AuditSession(
                    plan: plan, backlogLimit: cfg.audit.backlogLimit, manageRules: cfg.audit.manageRules,
                    beingDaemon: mode == .unicast)
                if mode == .unicast { try socket.becomeAuditDaemon(control: session!.control) }
                eventSocket = socket
                recordSource = NetlinkRecordSource(socket: socket)
                DaemonLog.write("reading the kernel audit stream (\(mode.rawValue)); \(plan.rules.count) audit rules with key \(plan.key)")
            }
        } catch {
            session?.restore()
            DaemonLog.write("cannot start the audit source: \(error)")
            throw ExitCode(1)
        }
        if cfg.audit.manageRules, session == nil, cfg.source.kind == .file || cfg.source.kind == .stdin {
            // auditd owns the kernel connection; Vigil still makes sure the syscalls its rules need are audited.
            session = try? AuditSession(plan: plan, backlogLimit: cfg.audit.backlogLimit, manageRules: true, beingDaemon: false)
        }
        var pipelineConfig = EventAssembler.Configuration()
        pipelineConfig.windowMillis = cfg.source.windowMillis
        let daemon = Daemon(
            source: recordSource, pipeline: AuditStreamPipeline(configuration: pipelineConfig), session: session,
            signals: signals, statusInterval: cfg.audit.statusIntervalSeconds, processor: built.processor,
            reload: {
                do {
                    let fresh = try loadConfiguration()
                    var factory = ProcessorFactory(configuration: fresh, printEvents: events, enricher: enricher, baselines: baselines)
                    factory.control = control
                    return try factory.make().processor
                } catch {
                    DaemonLog.write("reload: \(error)")
                    return nil
                }
            },
            log: { DaemonLog.write($0) })
        if !cfg.metrics.listen.isEmpty {
            do {
                daemon.metricsServer = try MetricsServer(listen: cfg.metrics.listen)
                DaemonLog.write("metrics at http://\(cfg.metrics.listen.split(separator: ":").dropLast().joined(separator: ":")):\(daemon.metricsServer!.port)/metrics")
            } catch {
                DaemonLog.write("metrics disabled: \(error)")
            }
        }
        let environment = ProcessEnvironment.current
        let notifier = SystemdNotifier(environment: environment)
        if let interval = SystemdNotifier.watchdogInterval(environment: environment) {
            daemon.heartbeatInterval = interval
            daemon.heartbeat = { notifier.notify("WATCHDOG=1") }
        }
        if cfg.dropCapabilities {
            if let problem = SelfCapabilities.apply() {
                DaemonLog.write("capabilities not dropped: \(problem)")
            } else {
                DaemonLog.write("capabilities dropped to \(SelfCapabilities.kept.map(\.name).joined(separator: ", "))")
            }
        }
        if cfg.selfSeccomp {
            // A program sink restarts its command: only then may the daemon exec.
            let programs = cfg.effectiveOutputs.sinks.contains { if case .program = $0.destination { return true } else { return false } }
                || BaselineConfig.usesCommand(cfg.baselines)
            if let problem = SelfSeccomp.apply(extra: programs ? ["execve", "execveat", "fork", "vfork", "setsid", "setpgid", "chdir"] : []) {
                DaemonLog.write("self seccomp filter not applied: \(problem)")
            } else {
                DaemonLog.write("self seccomp filter applied (\(SelfSeccomp.allowed.count) syscalls allowed)")
            }
        }
        // After the filter: the control thread is created under it.
        control?.start()
        notifier.notify("READY=1")
        DaemonLog.write("running (\(built.summary))")
        daemon.run()
        baselines?.close(nowMillis: BaselineTap.nowMillis())
        notifier.notify("STOPPING=1")
        eventSocket?.resignAuditDaemon()
        DaemonLog.write("stopped: \(daemon.counters.records) records, \(daemon.counters.events) events, \(daemon.counters.malformed) malformed, \(daemon.counters.late) late")
    }
}

extension Run {
    /// The control socket `vigil tail` connects to; a problem disables it (logged) and never stops the monitor.
    static func controlServer(_ c: DaemonConfiguration.Control) -> ControlServer? {
        guard !c.socketPath.isEmpty else { return nil }
        do {
            let access = try ControlAccess(group: c.group)
            let server = try ControlServer(settings: .init(path: c.socketPath, access: access, queueSize: c.queueSize, maxClients: c.maxClients))
            DaemonLog.write("control socket at \(c.socketPath) (root\(c.group.isEmpty ? "" : " and group \(c.group)"))")
            return server
        } catch {
            DaemonLog.write("control socket disabled: \(error)")
            return nil
        }
    }
}

enum ProcessEnvironment {
    static var current: [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
    }
}
