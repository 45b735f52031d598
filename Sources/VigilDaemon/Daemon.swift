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
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Runs until SIGTERM/SIGINT (or the end of a finite source). Returns after draining and restoring audit.
    public func run() {
        var lastStatus = Self.monotonicNanos()
        var lastFlush = lastStatus
        var reportedLost = 0
        let handler: (AuditStreamPipeline.Output) -> Void = { [self] out in
            switch out {
            case .event(let e):
                counters.events += 1
                processor.process(e, decoded: EventDecoder.decode(e))
            case .late(let r):
                counters.late += 1
                log("late record \(r.type.name) for event \(r.stamp.text) (already emitted)")
            case .malformed(let err):
                counters.malformed += 1
                log("malformed record from \(source.name): \(err)")
            }
        }
        loop: while true {
            var fds: [pollfd] = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)]
            if let fd = source.pollDescriptor { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), 200)
            for s in signals.pending() {
                switch s {
                case .terminate: break loop
                case .reopen: processor.reopenOutputs()
                case .reload:
                    if let p = reload() {
                        processor.drain(timeoutSeconds: 5)
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
                pipeline.flush(now: now, emit: handler)
                lastFlush = now
            }
            if let session, Double(now - lastStatus) / 1e9 >= statusInterval {
                lastStatus = now
                for n in session.check() {
                    processor.notice(kind: n.kind.rawValue, message: n.detail, priority: n.kind == .kernelLoss ? "critical" : "alert")
                }
            }
            if source.finished { break loop }
        }
        pipeline.finish(emit: handler)
        processor.drain(timeoutSeconds: 10)
        session?.restore()
    }
}
