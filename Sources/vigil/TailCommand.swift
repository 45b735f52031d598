import Alerts
import ArgumentParser
import ControlSocket
import Foundation
import RuleEngine
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// `vigil tail`: `tail -f` for security — live alerts from the daemon's control socket and, on demand, the
/// enriched events around them; or the same view over a recorded audit log.
struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show alerts (and with --events, enriched events) as they happen.",
        discussion: """
            Connects to the daemon's control socket (root and members of control.group). Filters run in the daemon \
            with the rules engine, against the loaded rules' macros and lists: \
            vigil tail -f 'container.name=web and evt.type in (execve, connect)'. The monitor's own notices \
            (kernel loss, tampering) pass --filter and --container; --priority and --rule apply to every alert. \
            Without a daemon: vigil tail --file audit.log --rules rules/ [--follow]. Text from events is printed \
            with control characters and escape sequences made visible; colour only on a terminal without NO_COLOR.
            """
    )

    @Option(help: "Configuration file, for the socket path and the alerts file (missing is fine).")
    var config: String = "/etc/vigil/vigil.yaml"

    @Option(help: "Control socket (default: control.socket of the configuration, /run/vigil/vigil.sock).")
    var socket: String?

    @Flag(help: "Also show enriched events (every audited event the filter admits).")
    var events = false

    @Flag(name: .customLong("no-alerts"), help: "With --events: events only.")
    var noAlerts = false

    @Option(name: [.customShort("f"), .customLong("filter")], help: "A Falco condition events and alerts must meet.")
    var filter: String?

    @Option(help: "Lowest alert priority to show (emergency … debug).")
    var priority: String?

    @Option(name: .customLong("rule"), help: "Only this rule (repeatable; '*' wildcards).")
    var rules: [String] = []

    @Option(help: "Only this container (name or id).")
    var container: String?

    @Flag(help: "Falco JSON alerts, one per line (events and markers as protocol lines), for piping.")
    var json = false

    @Flag(help: "Print the process ancestry of each alert, with command lines.")
    var tree = false

    @Option(help: "First show alerts of this recent past from the alerts file (10m, 2h, 90s, 1d).")
    var since: String?

    @Option(help: "JSON-lines alerts file for --since (default: the file sink of the configuration).")
    var alertsFile: String?

    @Option(help: "Recorded audit log to replay instead of connecting to a daemon.")
    var file: String?

    @Option(name: .customLong("rules"), help: "With --file: rules file or directory (repeatable).")
    var rulesPaths: [String] = []

    @Flag(help: "With --file: after the end of the log, keep following what is appended (across rotation).")
    var follow = false

    @Flag(help: "No colour even on a terminal.")
    var noColor = false

    var request: TailRequest {
        TailRequest(alerts: !noAlerts, events: events, filter: filter, priority: priority, rules: rules, container: container)
    }

    func validate() throws {
        if noAlerts && !events { throw ValidationError("--no-alerts needs --events") }
        if file == nil && (!rulesPaths.isEmpty || follow) { throw ValidationError("--rules and --follow go with --file") }
        if file != nil && rulesPaths.isEmpty { throw ValidationError("--file needs --rules") }
        if let since, Self.seconds(since) == nil { throw ValidationError("--since '\(since)' is not a duration such as 90s, 10m, 2h, 1d") }
        if let priority, AlertPriority(name: priority) == nil {
            throw ValidationError("--priority '\(priority)' is not one of \(AlertPriority.allCases.map { $0.name.lowercased() }.joined(separator: ", "))")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        // A parent may hand down a blocked signal mask (test runners, some supervisors): Ctrl-C and SIGTERM must
        // still end a viewer that otherwise waits forever on its socket.
        var stop = sigset_t()
        sigemptyset(&stop)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&stop, s) }
        sigprocmask(SIG_UNBLOCK, &stop, nil)
        let formatter = TailFormatter(json: json, colour: !noColor && TailFormatter.wantsColour(), tree: tree)
        let out = OutputBuffer(fd: 1)
        let configuration = loadConfiguration()
        if let file {
            try TailReplay(file: file, rulesPaths: rulesPaths, follow: follow, request: request, formatter: formatter, out: out).run()
            return
        }
        let path = socket ?? configuration.control.socketPath
        let connection: TailConnection
        do {
            connection = try TailConnection(path: path, request: request)
        } catch {
            FileHandleOut.stderr("vigil tail: \(TerminalText.clean(error.description))\n")
            throw ExitCode(1)
        }
        var history = Set<String>()
        if let since {
            history = try showHistory(since: Self.seconds(since)!, configuration: configuration, formatter: formatter, out: out)
        }
        do {
            try connection.forEachMessage { message in
                if case .alert(let alert, _) = message, history.contains(alert.uuid) { return }
                if case .subscribed = message {
                    let what = events ? (noAlerts ? "events" : "alerts and events") : "alerts"
                    FileHandleOut.stderr("vigil tail: watching \(what) from \(TerminalText.clean(path))\(filter.map { " where " + TerminalText.clean($0) } ?? "")\n")
                    return
                }
                out.append(formatter.lines(message))
            } flush: {
                out.flush()
                if out.failed { throw ExitCode(0) }  // the reader went away (a closed pipe): stop quietly
            }
        } catch let e as TailProtocolError {
            out.flush()
            FileHandleOut.stderr("vigil tail: \(TerminalText.clean(e.message))\n")
            throw ExitCode(1)
        }
        out.flush()
    }

    func loadConfiguration() -> DaemonConfiguration {
        guard access(config, R_OK) == 0, let loaded = try? ConfigurationLoader.load(path: config) else { return DaemonConfiguration() }
        return loaded.0
    }

    /// Prints the alerts of the last `seconds` from the file sink; returns their uuids so the live stream does not
    /// print them again (the connection subscribed first, so nothing falls between the two).
    func showHistory(since seconds: Double, configuration: DaemonConfiguration, formatter: TailFormatter, out: OutputBuffer) throws -> Set<String> {
        var path = alertsFile
        if path == nil {
            path = configuration.effectiveOutputs.sinks.compactMap { sink -> String? in
                if case .file(let f) = sink.destination { return f.path }
                return nil
            }.first
        }
        guard let path else {
            FileHandleOut.stderr("vigil tail: --since needs the alerts file: give --alerts-file or set output.file in \(config)\n")
            throw ExitCode(2)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandleOut.stderr("vigil tail: cannot read the alerts file \(TerminalText.clean(path))\n")
            throw ExitCode(1)
        }
        let selection = try? TailSubscription(request: TailRequest(priority: priority, rules: rules), definitions: RuleLoader.empty)
        if filter != nil {
            FileHandleOut.stderr("vigil tail: note: --filter needs the event behind an alert; it does not apply to the alerts of --since\n")
        }
        let cutoff = Daemon.wallClockNanos() - Int64(seconds * 1e9)
        var seen = Set<String>()
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            guard let alert = try? Alerts.Alert(json: line), alert.time.nanosecondsSinceEpoch >= cutoff else { continue }
            guard noAlerts == false, selection?.admits(alert) ?? true, matchesContainer(alert) else { continue }
            seen.insert(alert.uuid)
            out.append(formatter.lines(.alert(alert, context: [:])))
        }
        out.flush()
        return seen
    }

    /// `--container` over a past alert's own output fields (there is no event to ask).
    func matchesContainer(_ alert: Alerts.Alert) -> Bool {
        guard let container, !container.isEmpty else { return true }
        for key in ["container.name", "container.id", "container.full_id"] {
            if case .string(let v)? = alert.outputFields[key], v == container || (key == "container.full_id" && v.hasPrefix(container)) { return true }
        }
        return false
    }

    /// `90s`, `10m`, `2h`, `1d`, or plain seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        if let last = text.last, let unit = units[last], let n = Double(text.dropLast()), n >= 0 { return n * unit }
        if let n = Double(text), n >= 0 { return n }
        return nil
    }
}

extension RuleLoader {
    /// No rules, no lists, no macros: what selection without a filter compiles against.
    static var empty: Ruleset { (try? RuleLoader().load(sources: [])) ?? { fatalError("an empty ruleset always loads") }() }
}
