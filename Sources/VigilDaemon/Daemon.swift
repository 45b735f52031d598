import AuditControl
import AuditStream

#if canImport(Glibc)
import Glibc
#endif

/// The live loop of `vigil run`: one thread polls the record source and the signal channel, pushes records
/// through parse → assemble → decode, and hands events to the processor. Periodic work (wall-clock flush of
/// quiet events, audit status and tamper checks) runs between reads.
public final class Daemon {
    public struct Counters: Sendable {
        public var records = 0
        public var events = 0
        public var malformed = 0
        public var late = 0
        public var reloads = 0
        public var failedReloads = 0
    }

    public private(set) var counters = Counters()
    let source: RecordSource
    let pipeline: AuditStreamPipeline
    let session: AuditSession?
    let signals: SignalChannel
    let statusInterval: Double
    var processor: EventProcessor
    /// Builds a new processor from the configuration on SIGHUP; nil keeps the old one (the error is reported).
    let reload: () -> EventProcessor?
    let log: (String) -> Void
    /// Optional Prometheus endpoint, served from this loop.
    public var metricsServer: MetricsServer?
    public let metrics = DaemonMetrics()
    /// Called about once a second (systemd watchdog pings).
    public var heartbeat: (() -> Void)?
    public var heartbeatInterval: Double = 1

    public init(
        source: RecordSource, pipeline: AuditStreamPipeline, session: AuditSession?, signals: SignalChannel,
        statusInterval: Double, processor: EventProcessor, reload: @escaping () -> EventProcessor?,
        log: @escaping (String) -> Void
    ) {
        self.source = source
        self.pipeline = pipeline
        self.session = session
        self.signals = signals
        self.statusInterval = statusInterval
        self.processor = processor
        self.reload = reload
        self.log = log
        if let file = source as? FollowedFileSource {
            file.alertWatermark = { [unowned self] in self.processor.alertWatermark }
            if file.resumed {
                for (sink, held) in processor.skipAlertsAlreadyDelivered() {
                    log("resuming \(file.path): sink '\(sink)' holds \(held) recent alerts; those raised again are not repeated to it")
                }
            }
        }
    }

    public static func wallClockNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Copies every counter into the Prometheus registry (at scrape time).
    public func updateMetrics() {
        let s = pipeline.statistics
        metrics.counter("vigil_records_total", help: "audit records read", value: Int64(s.records))
        metrics.counter("vigil_events_total", help: "audit events assembled", value: Int64(s.events))
        metrics.counter("vigil_malformed_records_total", help: "lines or messages that were not audit records", value: Int64(s.malformed))
        metrics.counter("vigil_late_records_total", help: "records that arrived after their event was emitted", value: Int64(s.late))
        metrics.counter("vigil_evicted_events_total", help: "events emitted early because too many were open", value: Int64(s.evicted))
        metrics.gauge("vigil_assembler_open_events", help: "events still being assembled", value: Double(pipeline.assembler.openCount))
        metrics.counter("vigil_source_overruns_total", [("source", source.name)], help: "times the source lost records (socket buffer full)", value: Int64(source.lost))
        metrics.counter("vigil_reloads_total", help: "successful SIGHUP reloads", value: Int64(counters.reloads))
        metrics.counter("vigil_reload_failures_total", help: "SIGHUP reloads rejected (old rules kept)", value: Int64(counters.failedReloads))
        if let session {
            metrics.counter("vigil_kernel_lost_total", help: "audit records the kernel dropped since Vigil started", value: Int64(session.lostSinceStart))
            metrics.gauge("vigil_kernel_backlog", help: "kernel audit backlog at the last status poll", value: Double(session.lastStatus.backlog))
            metrics.gauge("vigil_kernel_backlog_limit", help: "kernel audit backlog limit", value: Double(session.lastStatus.backlogLimit))
            metrics.counter("vigil_tamper_events_total", help: "audit disabled or Vigil's rules removed by someone else", value: Int64(session.tamperEvents))
        }
        let usage = DaemonMetrics.processUsage()
        metrics.gauge("vigil_resident_memory_bytes", help: "resident set size", value: usage.rssBytes)
        metrics.gauge("vigil_cpu_seconds", help: "user + system CPU time used", value: usage.cpuSeconds)
        processor.report(into: metrics)
    }

    /// Runs until SIGTERM/SIGINT (or the end of a finite source). Returns after draining and restoring audit.
    public func run() {
        var lastStatus = Self.monotonicNanos()
        var lastFlush = lastStatus
        var lastBeat = lastStatus
        var reportedLost = 0
        // Late and malformed records are counted one by one but logged at most 20 a second: a replayed or
        // corrupted log must not turn the daemon's own log into the flood.
        var problemLog = RateLimitedLog(perSecond: 20)
        let handler: (AuditStreamPipeline.Output) -> Void = { [self] out in
            switch out {
            case .event(let e):
                counters.events += 1
                processor.process(e, decoded: EventDecoder.decode(e))
            case .late(let r):
                counters.late += 1
                if problemLog.admit(now: Self.monotonicNanos()) {
                    log("late record \(r.type.name) for event \(r.stamp.text) (already emitted)")
                }
            case .malformed(let err):
                counters.malformed += 1
                if problemLog.admit(now: Self.monotonicNanos()) {
                    log("malformed record from \(source.name): \(err)")
                }
            }
        }
        loop: while true {
            var fds: [pollfd] = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)]
            if let fd = source.pollDescriptor { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if let m = metricsServer { fds.append(pollfd(fd: m.fd, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), source.hasMore ? 0 : 200)
            if let m = metricsServer, fds.last?.revents ?? 0 != 0 {
                m.serve { updateMetrics(); return metrics.render() }
            }
            for s in signals.pending() {
                switch s {
                case .terminate: break loop
                case .reopen: processor.reopenOutputs()
                case .reload:
                    if let p = reload() {
                        processor.drain(timeoutSeconds: 5)
                        (source as? FollowedFileSource)?.outputsDrained()
                        processor = p
                        counters.reloads += 1
                        log("reloaded configuration and rules")
                    } else {
                        counters.failedReloads += 1
                        log("reload failed; the previous rules keep running")
                    }
                }
            }
            let now = Self.monotonicNanos()
            do {
                counters.records += try source.drain(into: pipeline, now: now, emit: handler)
            } catch {
                log("source \(source.name) failed: \(error)")
                break loop
            }
            if source.lost > reportedLost {
                processor.notice(kind: "source_overrun", message: "the \(source.name) socket buffer overflowed \(source.lost - reportedLost) times; records were lost", priority: "critical")
                reportedLost = source.lost
            }
            if now - lastFlush >= 200_000_000 {
                source.flush(into: pipeline, now: now, emit: handler)
                processor.tick(nowNanos: now)
                lastFlush = now
            }
            if let suppressed = problemLog.takeSuppressed(now: now) {
                log("\(suppressed) more late or malformed records in the last second (counted in vigil_late_records_total, vigil_malformed_records_total)")
            }
            if let beat = heartbeat, Double(now - lastBeat) / 1e9 >= heartbeatInterval {
                beat()
                lastBeat = now
            }
            if let session, Double(now - lastStatus) / 1e9 >= statusInterval {
                lastStatus = now
                for n in session.check() {
                    processor.notice(kind: n.kind.rawValue, message: n.detail, priority: n.kind == .kernelLoss ? "critical" : "alert")
                }
            }
            if source.finished { break loop }
        }
        source.finish(into: pipeline, emit: handler)
        processor.drain(timeoutSeconds: 10)
        session?.restore()
    }
}
