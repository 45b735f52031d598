import Foundation

/// Writes the engine's learning to the store off the hot path: the engine hands over a batch at each tick
/// (a lock and an append), a thread of its own commits the batches every `interval` in one transaction, and polls
/// the profiles' revisions to pick up what `vigil baseline …` changed. A crash loses at most the batches of one
/// interval plus one tick.
public final class BaselineWriter: @unchecked Sendable {
    let store: BaselineStore
    let interval: Double
    private let condition = NSCondition()
    private var pending = BaselineStore.Batch()
    private var reloaded: [ProfileDocument] = []
    private var removed: [String] = []
    private var stopping = false
    private var flushRequests = 0
    private var flushesDone = 0
    private var thread: Thread?
    private var finished = false
    /// The revision of each profile as the engine last had it; a different one in the store is a change made by
    /// an operator's command.
    private var known: [String: Int64]
    /// Profiles the engine merged away: their rows may still be in the store until the batch is written.
    private var removedKeys: Set<String> = []
    private var errors = 0
    private var lastErrorText: String?
    private var written = 0

    /// Failed batch writes (each is logged by the daemon with the last error).
    public var writeErrors: Int { locked { errors } }
    public var lastError: String? { locked { lastErrorText } }
    public var batchesWritten: Int { locked { written } }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    public init(store: BaselineStore, interval: Double = 1.0, known: [String: Int64]) {
        self.store = store
        self.interval = interval
        self.known = known
    }

    public func start() {
        let t = Thread { [self] in loop() }
        t.name = "vigil-baselines"
        thread = t
        t.start()
    }

    func enqueue(_ batch: BaselineStore.Batch) {
        guard !batch.isEmpty else { return }
        condition.lock()
        pending.merge(batch)
        for p in batch.profiles where known[p.key] == nil { known[p.key] = p.revision }
        for r in batch.removed {
            known[r.key] = nil
            removedKeys.insert(r.key)
        }
        condition.unlock()
    }

    /// Profiles an operator changed since the last call (to replace the engine's copies) and keys removed.
    func takeReloaded() -> [ProfileDocument] {
        condition.lock()
        defer { condition.unlock() }
        let r = reloaded
        reloaded = []
        return r
    }

    /// Writes what is pending now and waits for it (shutdown, tests, the CLI's view of a running daemon).
    public func flush() {
        condition.lock()
        guard thread != nil, !stopping else {
            condition.unlock()
            writePending()
            return
        }
        flushRequests += 1
        let target = flushRequests
        condition.broadcast()
        while flushesDone < target && !stopping { condition.wait() }
        condition.unlock()
    }

    /// Waits for the thread's last write, then writes what is left, in order.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while thread != nil && !finished { condition.wait() }
        condition.unlock()
        writePending()
    }

    private func loop() {
        while true {
            condition.lock()
            let deadline = Date().addingTimeInterval(interval)
            while !stopping && flushRequests == flushesDone && condition.wait(until: deadline) {}
            let done = stopping
            let requests = flushRequests
            if done {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            writePending()
            pollRevisions()
            condition.lock()
            flushesDone = requests
            condition.broadcast()
            condition.unlock()
        }
    }

    private func writePending() {
        condition.lock()
        let batch = pending
        pending = BaselineStore.Batch()
        condition.unlock()
        guard !batch.isEmpty else { return }
        do {
            try store.write(batch)
            locked { written += 1 }
        } catch {
            locked {
                errors += 1
                lastErrorText = "\(error)"
            }
        }
    }

    private func pollRevisions() {
        guard let revisions = try? store.revisions() else { return }
        condition.lock()
        removedKeys = removedKeys.filter { revisions[$0] != nil }
        let changed = revisions.filter { known[$0.key] != $0.value && !removedKeys.contains($0.key) }.map(\.key)
        condition.unlock()
        var docs: [ProfileDocument] = []
        for key in changed {
            if let doc = try? store.load(key) { docs.append(doc) }
        }
        condition.lock()
        for d in docs { known[d.key] = d.revision }
        reloaded += docs
        condition.unlock()
    }
}
