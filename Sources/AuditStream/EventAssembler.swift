import HeapModule

/// Groups records into events by (node, time, serial).
///
/// Semantics follow auparse, the reference consumer: an event completes on EOE, on a standalone record type, on
/// the PROCTITLE that ends a syscall event, or when *stream* time (the newest stamp seen) has moved past it by
/// `window`; a wall-clock flush exists for live sources that go quiet. The most recent completed keys are
/// remembered (`maxDoneKeys`), so a record that arrives after its event was emitted is reported as *late* instead
/// of silently becoming a second, partial event.
public final class EventAssembler {
    public struct Configuration: Sendable {
        /// Stream-time window after which an open event is complete (auparse `end_of_event_timeout`, 2 s).
        public var windowMillis: Int64 = 2_000
        /// Upper bound on open events; beyond it the oldest is emitted early and counted.
        public var maxOpenEvents: Int = 65_536
        /// How many completed keys are remembered to recognise late records. By count, not by stream time: a log
        /// sorted or concatenated out of time order jumps years ahead and back, and a time-based memory would
        /// forget a key just before its late record comes (go-libaudit's audit-rhel7.log). 65 536 keys ≈ 3 MB.
        public var maxDoneKeys: Int = 65_536
        public init() {}
    }

    public enum Output {
        case event(AuditEvent)
        /// A record whose event was already emitted.
        case late(AuditRecord)
    }

    public struct Statistics: Sendable, Equatable {
        public var records = 0
        public var events = 0
        public var late = 0
        /// EOE markers for which no record arrived (auparse eats these too).
        public var orphanEOE = 0
        public var evicted = 0
        public var expired = 0
        public init() {}
    }

    private final class Open {
        var records: [AuditRecord]
        let arrivalNanos: UInt64
        /// PATH records still missing: the SYSCALL's `items` minus the PATHs that arrived; nil until the SYSCALL
        /// record has come.
        var pathsMissing: Int?
        var pathsSeen = 0

        init(_ r: AuditRecord, _ now: UInt64) {
            records = []
            records.reserveCapacity(8)
            arrivalNanos = now
            _ = add(r)
        }

        /// Adds a record; true when it completes a syscall event. Auditd's log files carry no EOE, and holding
        /// every event for the whole window keeps thousands of them (megabytes of lines) open, decoded long after
        /// their bytes left the cache. The kernel writes a syscall event's records in one order — SYSCALL, its
        /// companions, CWD, PATHs, PROCTITLE, EOE — so a PROCTITLE after the SYSCALL and all the PATHs it counted
        /// ends the event, as auparse takes it. A log whose records come out of that order (PROCTITLE before the
        /// SYSCALL or a PATH) keeps the event open until EOE or the window, as before.
        func add(_ r: AuditRecord) -> Bool {
            records.append(r)
            switch r.type.code {
            case RecordType.syscall.code:
                if pathsMissing == nil {
                    let items = r.index(of: "items").flatMap { Number.decimal(r.rawValue(at: $0)) } ?? 0
                    pathsMissing = max(0, Int(clamping: items) - pathsSeen)
                }
            case RecordType.path.code:
                pathsSeen += 1
                if let m = pathsMissing, m > 0 { pathsMissing = m - 1 }
            case RecordType.proctitle.code:
                return pathsMissing == 0
            default: break
            }
            return false
        }
    }

    public let configuration: Configuration
    public private(set) var statistics = Statistics()
    private var open: [EventKey: Open] = [:]
    /// The event the previous record went to. A kernel writes an event's records one after another, so most
    /// records find their event here without hashing their key (cleared when that event completes).
    private var lastKey = EventKey(node: .max, stamp: EventStamp(seconds: .min, milliseconds: 0, serial: 0))
    private var lastOpen: Open?
    private let done: CompletedKeys
    /// The newest stamp time among completed events: a record newer than that cannot be late, so the common case
    /// (a new event at the head of the stream) skips the `done` lookup.
    private var doneNewest: Int64 = .min
    /// The largest serial ever completed: a key above it is not among the completed ones either. Events of one
    /// millisecond are common, so time alone sent most new events to the lookup; serials only grow (until they
    /// wrap, and then the lookup answers).
    private var doneSerialMax: UInt32 = 0
    private var streamTime: Int64 = .min
    /// Open events by stamp time, for expiry without scanning every open event. Entries of events completed
    /// otherwise stay until their time comes and are skipped then.
    private var expiry = Heap<Expiry>()
    /// The newest open event, not yet in `expiry`: most events end (PROCTITLE, EOE) before the next one begins and
    /// never need a heap entry. It goes in when another event opens, or when its time is up.
    private var unscheduled: Expiry?

    private struct Expiry: Comparable {
        let time: Int64
        let key: EventKey
        static func < (a: Expiry, b: Expiry) -> Bool { a.time < b.time }
        static func == (a: Expiry, b: Expiry) -> Bool { a.time == b.time && a.key == b.key }
    }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        done = CompletedKeys(capacity: configuration.maxDoneKeys)
    }

    /// Number of events still open.
    public var openCount: Int { open.count }

    /// The smallest source line number among the records of events still open (nil when none is open): where
    /// a restarted reader must resume so that no open event loses records.
    public var oldestOpenLine: Int? {
        var best: Int? = nil
        for (_, ev) in open {
            for r in ev.records where r.line > 0 {
                if best == nil || r.line < best! { best = r.line }
            }
        }
        return best
    }

    /// Adds a record; completed events and late records go to `emit`, oldest first.
    /// `now` is a monotonic wall clock in nanoseconds, used only by `flush(olderThan:now:)`.
    public func push(_ record: AuditRecord, now: UInt64 = 0, emit: (Output) -> Void) {
        statistics.records += 1
        let key = record.key
        let t = record.stamp.timeMillis
        // Stream time moves first: events this record's time expires are older than it and go out before
        // whatever it completes (a standalone record, an EOE), so output stays in stream order.
        advance(t, emit)
        if record.type.code == RecordType.eoe.code {
            if let ev = open.removeValue(forKey: key) {
                finish(key, ev.records, .endOfEvent, emit)
            } else if !mayBeDone(key, t) || !done.contains(key) {
                statistics.orphanEOE += 1
            }
            return
        }
        if let last = lastOpen, key == lastKey {
            if last.add(record) { completeLast(key, last, emit) }
        } else if let ev = open[key] {
            lastKey = key
            lastOpen = ev
            if ev.add(record) { completeLast(key, ev, emit) }
        } else if mayBeDone(key, t), done.contains(key) {
            statistics.late += 1
            emit(.late(record))
        } else if record.type.isStandalone {
            finish(key, [record], .standalone, emit)
        } else {
            let ev = Open(record, now)
            open[key] = ev
            lastKey = key
            lastOpen = ev
            if let u = unscheduled { expiry.insert(u) }
            unscheduled = Expiry(time: t, key: key)
            if open.count > configuration.maxOpenEvents { evictOldest(emit) }
        }
    }

    private func completeLast(_ key: EventKey, _ ev: Open, _ emit: (Output) -> Void) {
        open.removeValue(forKey: key)
        finish(key, ev.records, .lastRecord, emit)
    }

    /// Completes every open event whose first record arrived more than the window ago in wall time — for live
    /// sources, where a quiet system would otherwise hold the last events forever.
    public func flush(now: UInt64, emit: (Output) -> Void) {
        let limit = UInt64(configuration.windowMillis) * 1_000_000
        let stale = open.filter { now &- $0.value.arrivalNanos >= limit && now >= $0.value.arrivalNanos }
        emitAll(stale.map { $0.key }, .flushed, emit)
    }

    /// Completes everything still open: the source has ended.
    public func finish(emit: (Output) -> Void) {
        emitAll(Array(open.keys), .flushed, emit)
    }

    private func advance(_ t: Int64, _ emit: (Output) -> Void) {
        guard t > streamTime else { return }
        streamTime = t
        let cutoff = t - configuration.windowMillis
        if let u = unscheduled, u.time < cutoff {
            expiry.insert(u)
            unscheduled = nil
        }
        guard let first = expiry.min, first.time < cutoff else { return }
        var expired: [(EventKey, Open)] = []
        while let first = expiry.min, first.time < cutoff {
            _ = expiry.removeMin()
            if let ev = open.removeValue(forKey: first.key) { expired.append((first.key, ev)) }
        }
        if !expired.isEmpty {
            statistics.expired += expired.count
            // The heap orders by millisecond only; events of one millisecond go out by serial.
            if expired.count > 1 { expired.sort { $0.0.stamp < $1.0.stamp } }
            for (k, ev) in expired { finish(k, ev.records, .expired, emit) }
        }
    }

    /// False when `key` (stamp time `t`) cannot be among the completed keys.
    @inline(__always)
    private func mayBeDone(_ key: EventKey, _ t: Int64) -> Bool {
        t <= doneNewest && key.stamp.serial <= doneSerialMax
    }

    private func emitAll(_ keys: [EventKey], _ why: AuditEvent.Completion, _ emit: (Output) -> Void) {
        for k in keys.sorted(by: { $0.stamp < $1.stamp }) {
            if let ev = open.removeValue(forKey: k) { finish(k, ev.records, why, emit) }
        }
    }

    private func evictOldest(_ emit: (Output) -> Void) {
        guard let oldest = open.keys.min(by: { $0.stamp < $1.stamp }) else { return }
        statistics.evicted += 1
        emitAll([oldest], .evicted, emit)
    }

    private func finish(_ key: EventKey, _ records: [AuditRecord], _ why: AuditEvent.Completion, _ emit: (Output) -> Void) {
        statistics.events += 1
        if key == lastKey { lastOpen = nil }
        if let u = unscheduled, u.key == key { unscheduled = nil }
        done.insert(key)
        if key.stamp.timeMillis > doneNewest { doneNewest = key.stamp.timeMillis }
        if key.stamp.serial > doneSerialMax { doneSerialMax = key.stamp.serial }
        emit(.event(AuditEvent(key: key, records: records, completion: why)))
    }
}
