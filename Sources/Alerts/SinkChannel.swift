import DequeModule
import Logging
import NIOConcurrencyHelpers

/// One sink's queue, spool and delivery task. The hot path (`submit`) only takes a short lock and appends
/// to a bounded in-memory queue; everything that can wait — disk, network, retries — happens in `run()`.
///
/// Order is kept by one invariant: the in-memory queue always holds the newest alerts. Whenever the spool
/// has alerts, the queue is appended to the spool before the spool is read, and an overflow moves the queue
/// and then the new alert to the spool's tail.
final class SinkChannel: Sendable {
    let settings: SinkSettings
    let sink: any AlertSink
    let spool: AlertSpool?
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    /// Held while alerts move from the queue to the spool, so moves by the task and by an overflow on the
    /// hot path cannot interleave.
    private let spoolOrder = NIOLock()

    private struct State: Sendable {
        var queue = Deque<Alert>()
        /// Alerts taken from the queue for a delivery that has not finished yet (in memory only).
        var inFlight = 0
        /// Every alert handed to this channel, filtered ones included.
        var handed: UInt64 = 0
        var waiter: CheckedContinuation<Void, Never>?
        /// The write-ahead spooler task, when it waits for alerts.
        var spoolerWaiter: CheckedContinuation<Void, Never>?
        var closing = false
        var deadline: ContinuousClock.Instant?
        var counters = SinkCounters()
        /// Uuids this sink already holds from before a resume; each is skipped once (`skipAlreadyDelivered`).
        var delivered = Set<String>()
        var dropsNotLogged: UInt64 = 0
        var lastDropReason = ""
        var lastDropLog: ContinuousClock.Instant?
        /// The last move of the queue to the spool failed (disk trouble): a write-ahead sink then delivers from
        /// memory rather than not at all.
        var spoolWriteFailed = false
    }

    init(settings: SinkSettings, sink: any AlertSink, spool: AlertSpool?, logger: Logger) {
        self.settings = settings
        self.sink = sink
        self.spool = spool
        var logger = logger
        logger[metadataKey: "sink"] = "\(settings.name)"
        self.logger = logger
        self.state = NIOLockedValueBox(State())
    }

    /// Every alert goes through the spool before delivery.
    var isWriteAhead: Bool { spool != nil && settings.spool?.writeAhead == true }

    // MARK: Hot path

    func submit(_ alert: Alert) {
        guard alert.priority >= settings.minimumPriority else {
            state.withLockedValue {
                $0.counters.filtered += 1
                $0.handed += 1
            }
            return
        }
        enum Outcome { case queued(CheckedContinuation<Void, Never>?), spill, drop(String) }
        let outcome: Outcome? = state.withLockedValue { state in
            state.handed += 1
            if !state.delivered.isEmpty, state.delivered.remove(alert.uuid) != nil {
                state.counters.alreadyDelivered += 1
                return nil
            }
            if state.closing { return .drop("router is shut down") }
            if state.queue.count < settings.queueCapacity {
                state.queue.append(alert)
                // With write-ahead the spooler moves it to disk; otherwise the delivery task takes it.
                if isWriteAhead {
                    defer { state.spoolerWaiter = nil }
                    return .queued(state.spoolerWaiter)
                }
                defer { state.waiter = nil }
                return .queued(state.waiter)
            }
            return settings.overflow == .spill && spool != nil ? .spill : .drop("queue full")
        }
        switch outcome {
        case nil:
            break
        case .queued(let waiter):
            waiter?.resume()
        case .spill:
            spill(alert)
        case .drop(let reason):
            recordDrop(1, reason: reason)
        }
    }

    private func spill(_ alert: Alert) {
        guard let spool else { return }
        let waiter: CheckedContinuation<Void, Never>? = spoolOrder.withLock {
            let queued = state.withLockedValue { state in
                let queued = Array(state.queue)
                state.queue.removeAll()
                return queued
            }
            let alerts = queued + [alert]
            do {
                let dropped = try spool.append(alerts.map(\.jsonBytes))
                return state.withLockedValue { state in
                    state.counters.spooled += UInt64(alerts.count)
                    state.counters.dropped += UInt64(dropped)
                    defer { state.waiter = nil }
                    return state.waiter
                }
            } catch {
                logger.error("queue full and the spool cannot be written", metadata: ["error": "\(error)"])
                // Keep what fits back in memory (these are older than anything queued since), drop the rest.
                let lost = state.withLockedValue { state in
                    let room = max(0, settings.queueCapacity - state.queue.count)
                    let kept = Array(queued.suffix(room))
                    state.queue.insert(contentsOf: kept, at: 0)
                    return alerts.count - kept.count
                }
                recordDrop(lost, reason: "queue full, spool failed")
                return nil
            }
        }
        waiter?.resume()
    }

    /// Counts a drop; logs at once, then at most every 10 s with the count since the last line (a flood of
    /// drops must not become a flood of logs). The remainder is logged when the sink catches up (`.wait`),
    /// during retries, and at shutdown, so every dropped alert appears in some line's count.
    private func recordDrop(_ count: Int, reason: String) {
        guard count > 0 else { return }
        state.withLockedValue { state in
            state.counters.dropped += UInt64(count)
            state.dropsNotLogged += UInt64(count)
            state.lastDropReason = reason
        }
        logPendingDrops(force: false)
    }

    private func logPendingDrops(force: Bool) {
        let report: (UInt64, String)? = state.withLockedValue { state in
            guard state.dropsNotLogged > 0 else { return nil }
            let now = ContinuousClock.now
            if !force, let last = state.lastDropLog, now - last < .seconds(10) { return nil }
            state.lastDropLog = now
            defer { state.dropsNotLogged = 0 }
            return (state.dropsNotLogged, state.lastDropReason)
        }
        if let (dropped, reason) = report {
            logger.error(
                "alerts dropped", metadata: ["reason": "\(reason)", "dropped": "\(dropped)", "policy": "\(settings.overflow)"])
        }
    }

    // MARK: Delivery task

    private enum Step {
        case memory([Alert])
        case spool
        case wait
        case finished
        /// Alerts of a write-ahead sink arrived after the queue was moved: move again.
        case again
    }

    func run() async {
        while true {
            switch nextStep() {
            case .memory(let batch):
                await deliverFromMemory(batch)
            case .spool:
                if !(await deliverFromSpool()) { await finishAfterDeadline(); return }
            case .wait:
                spool?.sync()
                logPendingDrops(force: true)
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLockedValue { state in
                        if state.closing || (!isWriteAhead && !state.queue.isEmpty) || spool?.isEmpty == false {
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            case .again:
                continue
            case .finished:
                spool?.sync()
                return
            }
        }
    }

    /// For write-ahead sinks: moves each alert from the queue to the spool as soon as it arrives, so that
    /// what was accepted is on disk within milliseconds even while a delivery attempt hangs on a dead
    /// receiver; then wakes the delivery task.
    func runSpooler() async {
        while true {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state in
                    if !state.queue.isEmpty || state.closing { return true }
                    state.spoolerWaiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            let (closing, empty) = state.withLockedValue { ($0.closing, $0.queue.isEmpty) }
            if closing && (empty || pastDeadline) { return }
            moveQueueToSpoolIfNeeded()
            let (waiter, stuck) = state.withLockedValue { state in
                defer { state.waiter = nil }
                return (state.waiter, !state.queue.isEmpty)
            }
            waiter?.resume()
            // The spool refused the alerts (disk full?): they stay queued; try again shortly.
            if stuck { try? await Task.sleep(for: .milliseconds(100)) }
        }
    }

    /// Decides under `spoolOrder`, so that an overflow on the hot path cannot move alerts to the spool
    /// between the check of the spool and the taking of a batch from memory (which would reorder them).
    private func nextStep() -> Step {
        spoolOrder.withLock {
            if let spool {
                moveQueueToSpoolHoldingOrderLock()
                if !spool.isEmpty { return pastDeadline ? .finished : .spool }
            }
            return state.withLockedValue { state in
                if !state.queue.isEmpty {
                    // Write-ahead: alerts submitted since the move above go to the spool too. Taken from memory they
                    // would, if their delivery failed until a shutdown, be spooled behind newer ones (seen: a restart
                    // delivered 5–11 before 0–4).
                    if isWriteAhead, !state.spoolWriteFailed { return .again }
                    let count = min(settings.batchMaximum, state.queue.count)
                    let batch = Array(state.queue.prefix(count))
                    state.queue.removeFirst(count)
                    state.inFlight = count
                    return .memory(batch)
                }
                return state.closing ? .finished : .wait
            }
        }
    }

    /// With write-ahead, or while the spool holds older alerts, queued alerts belong at the spool's tail.
    /// Called before each step and during retry backoff, so that alerts arriving while the destination is
    /// down reach the disk at once instead of waiting in memory.
    private func moveQueueToSpoolIfNeeded() {
        spoolOrder.withLock { moveQueueToSpoolHoldingOrderLock() }
    }

    private func moveQueueToSpoolHoldingOrderLock() {
        guard let spool else { return }
        let moving: [Alert] = state.withLockedValue { state in
            guard !state.queue.isEmpty, settings.spool?.writeAhead == true || !spool.isEmpty else { return [] }
            let all = Array(state.queue)
            state.queue.removeAll()
            return all
        }
        guard !moving.isEmpty else { return }
        do {
            let dropped = try spool.append(moving.map(\.jsonBytes))
            state.withLockedValue {
                $0.counters.spooled += UInt64(moving.count)
                $0.counters.dropped += UInt64(dropped)
                $0.spoolWriteFailed = false
            }
        } catch {
            // Disk trouble: keep them in memory, in front of anything newer.
            logger.error("cannot write to the spool; keeping alerts in memory", metadata: ["error": "\(error)"])
            state.withLockedValue {
                $0.queue.insert(contentsOf: moving, at: 0)
                $0.spoolWriteFailed = true
            }
        }
    }

    private var pastDeadline: Bool {
        state.withLockedValue { state in state.deadline.map { ContinuousClock.now >= $0 } ?? false }
    }

    /// Delivers a batch taken from memory, retrying until it is delivered, rejected, or shutdown's deadline
    /// passes (then it goes to the spool, or is counted as dropped).
    private func deliverFromMemory(_ batch: [Alert]) async {
        defer { state.withLockedValue { $0.inFlight = 0 } }
        var remaining = batch[...]
        var attempt = 0
        while !remaining.isEmpty {
            do throws(AlertDeliveryError) {
                try await sink.deliver(Array(remaining))
                state.withLockedValue { $0.counters.delivered += UInt64(remaining.count) }
                return
            } catch {
                let delivered = min(max(0, error.delivered), remaining.count)
                state.withLockedValue { $0.counters.delivered += UInt64(delivered) }
                remaining = remaining.dropFirst(delivered)
                if remaining.isEmpty { return }
                if !error.retryable {
                    rejected(remaining.first, error)
                    remaining = remaining.dropFirst()
                    attempt = 0
                    continue
                }
                if !(await backoff(attempt: attempt, error: error)) {
                    saveOrDrop(Array(remaining))
                    return
                }
                attempt += 1
            }
        }
    }

    /// Delivers one batch from the head of the spool. Returns false when shutdown's deadline passed with
    /// the batch still undelivered (it stays in the spool for the next run).
    private func deliverFromSpool() async -> Bool {
        guard let spool else { return true }
        let records: [AlertSpool.Record]
        do {
            records = try spool.read(maximum: settings.batchMaximum)
        } catch {
            logger.error("cannot read the spool", metadata: ["error": "\(error)"])
            return await backoff(attempt: 5, error: AlertDeliveryError(retryable: true, reason: "\(error)"))
        }
        guard !records.isEmpty else {
            // Counted but not readable yet (cannot happen with one writer; guard against a busy loop anyway).
            try? await Task.sleep(for: .milliseconds(50))
            return true
        }
        var alerts: [Alert] = []
        var ends: [AlertSpool.Position] = []
        for record in records {
            do {
                alerts.append(try Alert(json: record.payload))
                ends.append(record.end)
            } catch {
                // Not ours or damaged beyond the CRC's reach: count it, skip it.
                logger.error("undecodable alert in the spool, skipped", metadata: ["error": "\(error)"])
                state.withLockedValue { $0.counters.failed += 1 }
                if alerts.isEmpty { spool.commit(record.end) } else { break }
            }
        }
        var start = 0
        var attempt = 0
        while start < alerts.count {
            do throws(AlertDeliveryError) {
                try await sink.deliver(Array(alerts[start...]))
                spool.commit(ends[alerts.count - 1])
                state.withLockedValue { $0.counters.delivered += UInt64(alerts.count - start) }
                return true
            } catch {
                let delivered = min(max(0, error.delivered), alerts.count - start)
                if delivered > 0 {
                    spool.commit(ends[start + delivered - 1])
                    state.withLockedValue { $0.counters.delivered += UInt64(delivered) }
                    start += delivered
                }
                if !error.retryable {
                    if start < alerts.count {
                        rejected(alerts[start], error)
                        spool.commit(ends[start])
                        start += 1
                    }
                    attempt = 0
                    continue
                }
                if !(await backoff(attempt: attempt, error: error)) { return false }
                attempt += 1
            }
        }
        return true
    }

    private func rejected(_ alert: Alert?, _ error: AlertDeliveryError) {
        state.withLockedValue { $0.counters.failed += 1 }
        logger.error(
            "alert rejected by the destination, skipped",
            metadata: ["uuid": "\(alert?.uuid ?? "?")", "rule": "\(alert?.rule ?? "?")", "reason": "\(error.reason)"])
    }

    /// Waits before the next attempt. Returns false if shutdown's deadline comes first.
    private func backoff(attempt: Int, error: AlertDeliveryError) async -> Bool {
        var delay = settings.retry.delay(attempt: attempt)
        if let wish = error.retryAfter, wish > delay { delay = min(wish, .seconds(300)) }
        let deadline = state.withLockedValue { state in
            state.counters.retried += 1
            return state.deadline
        }
        if attempt == 0 || attempt % 10 == 0 {
            logger.warning(
                "delivery failed, retrying", metadata: ["reason": "\(error.reason)", "attempt": "\(attempt + 1)"])
        }
        let now = ContinuousClock.now
        if let deadline {
            if now >= deadline { return false }
            if now + delay > deadline { delay = deadline - now }
        }
        // Sleep in short slices so that a shutdown that starts meanwhile is noticed.
        let wakeUp = now + delay
        while ContinuousClock.now < wakeUp {
            let slice = min(wakeUp - ContinuousClock.now, .milliseconds(100))
            try? await Task.sleep(for: slice)
            moveQueueToSpoolIfNeeded()
            logPendingDrops(force: false)
            if let deadline = state.withLockedValue({ $0.deadline }), ContinuousClock.now >= deadline { return false }
        }
        return true
    }

    private func saveOrDrop(_ alerts: [Alert]) {
        guard !alerts.isEmpty else { return }
        if let spool {
            do {
                // Memory order is batch, then queue. If an overflow put newer alerts in the spool while this
                // batch was being retried, the batch lands after them: the one case (a full queue, then a
                // shutdown deadline, with a sink that was failing) where delivery order is not kept.
                try spoolOrder.withLock {
                    let queued: [Alert] = state.withLockedValue { state in
                        let all = Array(state.queue)
                        state.queue.removeAll()
                        return all
                    }
                    let all = alerts + queued
                    let dropped = try spool.append(all.map(\.jsonBytes))
                    state.withLockedValue {
                        $0.counters.spooled += UInt64(all.count)
                        $0.counters.dropped += UInt64(dropped)
                    }
                }
                return
            } catch {
                logger.error("cannot spool undelivered alerts at shutdown", metadata: ["error": "\(error)"])
            }
        }
        recordDrop(alerts.count, reason: "shutdown before delivery, no spool")
    }

    private func finishAfterDeadline() async {
        let queued: [Alert] = state.withLockedValue { state in
            let all = Array(state.queue)
            state.queue.removeAll()
            return all
        }
        saveOrDrop(queued)
        spool?.sync()
    }

    // MARK: Control

    /// Stops taking alerts; the task delivers what it holds until `deadline`, then spools or drops the rest.
    func beginShutdown(deadline: ContinuousClock.Instant) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
            state.closing = true
            state.deadline = deadline
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        let spoolerWaiter = state.withLockedValue { state in
            defer { state.spoolerWaiter = nil }
            return state.spoolerWaiter
        }
        spoolerWaiter?.resume()
    }

    /// After the task ended: alerts still queued (a deadline hit while delivering from memory) are saved or dropped.
    func finish() async {
        await finishAfterDeadline()
        logPendingDrops(force: true)
        if let spool, !spool.isEmpty {
            logger.notice("undelivered alerts stay in the spool for the next start", metadata: ["pending": "\(spool.pendingCount)"])
        }
        await sink.close()
        spool?.close()
    }

    /// Alerts that only exist in this process (queued or being delivered from memory): what a SIGKILL now would
    /// lose. Alerts in the spool are on disk and do not count.
    var volatileCount: Int { state.withLockedValue { $0.queue.count + $0.inFlight } }

    /// Reads back what the sink (and its spool) already hold, so that those alerts are not handed over again.
    /// Returns how many uuids were found.
    func skipAlreadyDelivered(scanning bytes: Int) -> Int {
        var found = sink.deliveredUUIDs(scanning: bytes) ?? []
        if let spool { found.formUnion(spool.uuids(scanning: bytes)) }
        state.withLockedValue { $0.delivered = found }
        return found.count
    }

    /// How many of the alerts handed to this channel are settled (delivered, given up on, dropped and counted,
    /// or in the spool). The channel is first in, first out, so they are exactly the first that many.
    var settledPrefix: UInt64 {
        state.withLockedValue { $0.handed - UInt64($0.queue.count + $0.inFlight) }
    }

    func snapshot() -> (counters: SinkCounters, queued: Int, spooled: Int) {
        let (counters, queued) = state.withLockedValue { ($0.counters, $0.queue.count) }
        return (counters, queued, spool?.pendingCount ?? 0)
    }
}
