import Alerts
import ArgumentParser
import AuditStream
import ControlSocket
import ProcessState
import RuleEngine
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// `vigil tail --file LOG --rules R [--follow]`: the investigation view without a daemon. The log goes through
/// the same parser, assembler, enricher and rules as `vigil replay` and the daemon, and the request through the
/// same ``TailSubscription`` as a daemon's subscriber, so what is selected and printed is the same.
struct TailReplay {
    let file: String
    let rulesPaths: [String]
    let follow: Bool
    let request: TailRequest
    let formatter: TailFormatter
    let out: OutputBuffer

    func run() throws {
        let matcher: RuleMatcher
        let subscription: TailSubscription
        do {
            matcher = try RuleMatcher(paths: rulesPaths)
        } catch {
            FileHandleOut.stderr("vigil tail: \(error)\n")
            throw ExitCode(1)
        }
        do {
            subscription = try TailSubscription(request: request, definitions: matcher.ruleset)
        } catch {
            FileHandleOut.stderr("vigil tail: \(TerminalText.clean(error.message))\n")
            throw ExitCode(1)
        }
        // A followed log is being written on this machine now (its /proc is the log's); a recorded one is not.
        let enricher = follow ? Enricher.live() : Enricher.replay()
        let pipeline = AuditStreamPipeline()
        let handle: (AuditStreamPipeline.Output) -> Void = { output in
            guard case .event(let event) = output else { return }
            let decoded = EventDecoder.decode(event)
            let source = matcher.fieldSource(decoded, enriched: enricher.enrich(event, decoded))
            matcher.match(source) { match in
                guard let alert = try? Alerts.Alert(json: matcher.formatter.json(match)),
                    let message = subscription.message(for: alert, source: source)
                else { return }
                out.append(formatter.lines(message))
            }
            if let message = subscription.message(forEvent: source) { out.append(formatter.lines(message)) }
        }
        if follow {
            let source = FollowedFileSource(path: file, stateFile: nil, fromStart: true)
            while true {
                let now = Self.monotonicNanos()
                _ = try source.drain(into: pipeline, now: now, emit: handle)
                source.flush(into: pipeline, now: now, emit: handle)
                out.flush()
                if out.failed { return }
                usleep(100_000)
            }
        }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            FileHandleOut.stderr("vigil tail: cannot open \(TerminalText.clean(file)): \(String(cString: strerror(errno)))\n")
            throw ExitCode(1)
        }
        defer { close(fd) }
        var reader = LineReader(fd: fd)
        try reader.forEachLine { line, number in pipeline.push(line: line, number: number, emit: handle) }
        pipeline.finish(emit: handle)
        out.flush()
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
