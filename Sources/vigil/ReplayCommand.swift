import ArgumentParser
import AuditStream
import ProcessState
import RuleEngine
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// `vigil replay`: recorded audit logs through the same parser and assembler as the live daemon.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reassemble and decode recorded audit logs; print one JSON object per event.",
        discussion: """
            Reads auditd log files (raw or ENRICHED, with or without node= prefixes) or '-' for standard input. \
            Malformed lines are reported on standard error with their line number and reason and counted; \
            they never stop the replay. Replay never consults this machine's /proc, user database or runtime.
            """
    )

    @Argument(help: "Audit log files, or '-' for standard input.")
    var files: [String] = ["-"]

    @Flag(help: "Print counts (records, events, malformed, late) to standard error at the end.")
    var stats = false

    @Flag(help: "Decode every event but print only the counts (what the benchmark measures).")
    var quiet = false

    @Option(help: "Stream-time window in milliseconds after which an event without EOE is complete.")
    var windowMs: Int64 = 2_000

    @Option(name: .customLong("rules"), help: "Rules file or directory (repeatable): print alerts instead of events.")
    var rulesPaths: [String] = []

    @Flag(help: "With --rules: Falco's text line instead of its JSON alert.")
    var text = false

    @Option(help: "With --rules: hostname to put in alerts (default: this machine's).")
    var hostname: String?

    /// See the end of `run`: held, never freed.
    nonisolated(unsafe) static var keptUntilExit: [AnyObject] = []

    func run() throws {
        HeapPages.setUp()
        var rules: RuleMatcher? = nil
        if !rulesPaths.isEmpty {
            do {
                rules = try RuleMatcher(paths: rulesPaths, hostname: hostname)
            } catch {
                FileHandleOut.stderr("vigil replay: \(error)\n")
                throw ExitCode(1)
            }
        }
        var alerts = 0
        var configuration = EventAssembler.Configuration()
        configuration.windowMillis = windowMs
        let out = OutputBuffer(fd: 1)
        let err = OutputBuffer(fd: 2)
        var total = AuditStreamStatistics()
        var failures = 0
        for file in files {
            // Each file is its own stream: event ids of different hosts or days must not merge.
            let pipeline = AuditStreamPipeline(configuration: configuration)
            let fd: Int32 = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                err.append("vigil replay: cannot open \(file): \(String(cString: strerror(errno)))\n")
                failures += 1
                continue
            }
            defer { if fd != 0 { close(fd) } }
            var writer = JSONWriter(capacity: 4096)
            var decodedSyscalls = 0
            var events = 0
            // Replay builds process state from the log alone: never this machine's /proc, users or runtimes.
            let enricher = rules == nil ? nil : Enricher.replay()
            let name = file == "-" ? "<stdin>" : file
            let handle: (AuditStreamPipeline.Output) -> Void = { output in
                switch output {
                case .event(let event):
                    events &+= 1
                    if events & 1023 == 0 { HeapPages.advise() }
                    let decoded = EventDecoder.decode(event)
                    if let rules {
                        let enriched = enricher?.enrich(event, decoded)
                        rules.match(decoded, enriched: enriched) { alert in
                            alerts += 1
                            if !quiet {
                                out.append(text ? rules.formatter.textLine(alert) : rules.formatter.json(alert))
                                out.append(CollectionOfOne(10))
                            }
                        }
                        return
                    }
                    if quiet {
                        decodedSyscalls &+= decoded.syscall == nil ? 0 : 1
                        return
                    }
                    writer.reset()
                    EventJSON.write(event, decoded: decoded, nodes: pipeline.nodes, into: &writer)
                    out.append(writer.bytes)
                    out.append(CollectionOfOne(10))
                case .late(let record):
                    err.append("\(name):\(record.line): late record \(record.type.name) for event \(record.stamp.text), already emitted\n")
                case .malformed(let error):
                    err.append("\(name):\(error.line): malformed: \(error.reason.rawValue): \(error.excerpt)\n")
                }
            }
            var reader = LineReader(fd: fd)
            do {
                try reader.forEachLine { line, number in pipeline.push(line: line, number: number, emit: handle) }
            } catch {
                err.append("vigil replay: cannot read \(file): \(error)\n")
                failures += 1
            }
            pipeline.finish(emit: handle)
            // The last file's process table (tens of thousands of records) is not torn down record by record
            // just before the process exits; earlier files' tables are freed as the loop moves on.
            if let enricher { Replay.keptUntilExit = [enricher] }
            if quiet { err.append("\(name): syscall_events=\(decodedSyscalls)\n") }
            if let e = enricher?.statistics, stats || quiet {
                err.append("\(name): processes=\(e.processes) retained=\(e.retainedRecords) evictions=\(e.evictions) expired=\(e.expired) pending_forks=\(e.pendingForks)\n")
            }
            let s = pipeline.statistics
            total.lines += s.lines
            total.records += s.records
            total.malformed += s.malformed
            total.events += s.events
            total.late += s.late
            total.orphanEOE += s.orphanEOE
            total.evicted += s.evicted
            total.bytes += s.bytes
        }
        out.flush()
        if let rules { Replay.keptUntilExit.append(rules) }
        if stats || quiet {
            if rules != nil { err.append("alerts=\(alerts) ") }
            err.append(
                "records=\(total.records) malformed=\(total.malformed) lines=\(total.lines) events=\(total.events) late=\(total.late) orphan_eoe=\(total.orphanEOE) evicted=\(total.evicted) bytes=\(total.bytes)\n"
            )
        }
        err.flush()
        if out.failed { throw ExitCode(74) }
        if failures > 0 { throw ExitCode(1) }
    }
}
