/// The shadow process table: pid → the process now using that pid, bounded.
///
/// Memory stays flat however long the daemon runs:
/// - a process that exits (exit_group) leaves the table `exitGraceMillis` of stream time later (late events of it
///   still find it);
/// - at most `capacity` records are in the table; beyond that the least recently seen one is evicted (counted in
///   `evictions`) — this is what bounds it when exits are not audited or processes die by signal;
/// - records outside the table live on only as some record's ancestor, and every ancestry chain is cut to
///   `maxAncestors` levels once it grows past `2 × maxAncestors` (see `attach`): retained records ≤
///   capacity × (2 × maxAncestors + 1) in the worst case, and in practice a few per live process;
/// - fork hints (clone/fork results not yet seen as a process) are a FIFO of at most `hintCapacity`.
final class ProcessTable {
    let capacity: Int
    let maxAncestors: Int
    let exitGraceMillis: Int64
    let hintCapacity: Int
    let counter = RecordCounter()

    private var byPid: [Int64: ProcessRecord] = [:]
    /// Least recently seen at `oldest`, most recent at `newest`.
    private var oldest: ProcessRecord?
    private var newest: ProcessRecord?
    private var exited: [(record: ProcessRecord?, at: Int64)] = []
    private var exitedHead = 0

    struct ForkHint {
        var parent: ProcessRecord
        var parentPid: Int64
        var millis: Int64
    }
    private var hints: [Int64: ForkHint] = [:]
    private var hintOrder: [(pid: Int64, millis: Int64)] = []
    private var hintHead = 0

    private(set) var evictions = 0
    private(set) var expired = 0
    private(set) var chainCuts = 0
    private(set) var hintsDropped = 0

    init(capacity: Int, maxAncestors: Int, exitGraceMillis: Int64, hintCapacity: Int) {
        self.capacity = max(1, capacity)
        self.maxAncestors = max(1, maxAncestors)
        self.exitGraceMillis = exitGraceMillis
        self.hintCapacity = max(1, hintCapacity)
    }

    deinit {
        // Break the recency list's reference pairs.
        var r = oldest
        while let cur = r {
            r = cur.newer
            cur.newer = nil
            cur.older = nil
        }
    }

    var count: Int { byPid.count }
    var hintCount: Int { hints.count }
    var retainedRecords: Int { counter.live }

    subscript(pid: Int64) -> ProcessRecord? { byPid[pid] }

    /// Marks a record as just seen.
    func touch(_ r: ProcessRecord, now: Int64) {
        r.lastSeenMillis = max(r.lastSeenMillis, now)
        guard r.inTable, newest !== r else { return }
        unlink(r)
        append(r)
    }

    /// Puts a record in the table (replacing whatever used its pid), evicting the least recently seen at capacity.
    func insert(_ r: ProcessRecord) {
        if let old = byPid[r.pid] { remove(old) }
        while byPid.count >= capacity, let victim = oldest {
            remove(victim)
            evictions += 1
        }
        byPid[r.pid] = r
        r.inTable = true
        append(r)
    }

    func remove(_ r: ProcessRecord) {
        guard r.inTable else { return }
        if byPid[r.pid] === r { byPid.removeValue(forKey: r.pid) }
        unlink(r)
        r.inTable = false
    }

    /// Links a child to its parent. When the parent's chain has grown past twice `maxAncestors` (a long line of
    /// processes that each forked and exited), the parent's own ancestry is replaced by a frozen copy of its
    /// nearest `maxAncestors - 1` ancestors: everyone keeps at least `maxAncestors` levels, and no chain grows
    /// without end.
    func attach(_ child: ProcessRecord, to parent: ProcessRecord?) {
        if let parent, parent.depth >= 2 * maxAncestors, let grand = parent.parent {
            parent.setParent(grand.frozenChain(levels: maxAncestors - 1))
            chainCuts += 1
        }
        child.setParent(parent)
    }

    func markExited(_ r: ProcessRecord, now: Int64) {
        guard r.exitedMillis == nil else { return }
        r.exitedMillis = now
        exited.append((r, now))
    }

    /// Removes exited processes whose grace period is over and forgets stale fork hints.
    func expire(now: Int64) {
        while exitedHead < exited.count, exited[exitedHead].at + exitGraceMillis <= now {
            let r = exited[exitedHead].record
            exited[exitedHead].record = nil
            exitedHead += 1
            if let r, r.inTable, r.exitedMillis != nil {
                remove(r)
                expired += 1
            }
        }
        if exitedHead > 256, exitedHead * 2 > exited.count {
            exited.removeFirst(exitedHead)
            exitedHead = 0
        }
        // Fork hints older than the grace period will not be claimed any more (the child's first event comes
        // within milliseconds); drop them so `hintOrder` cannot grow with every fork.
        while hintHead < hintOrder.count, hintOrder[hintHead].millis + max(exitGraceMillis, 1_000) <= now {
            let (pid, millis) = hintOrder[hintHead]
            hintHead += 1
            if let h = hints[pid], h.millis == millis { hints.removeValue(forKey: pid) }
        }
        compactHints()
    }

    /// Skips order entries whose hint was already taken, and reclaims the consumed prefix.
    private func compactHints() {
        while hintHead < hintOrder.count {
            let (pid, millis) = hintOrder[hintHead]
            if let h = hints[pid], h.millis == millis { break }
            hintHead += 1
        }
        if hintHead > 1024, hintHead * 2 > hintOrder.count {
            hintOrder.removeFirst(hintHead)
            hintHead = 0
        }
    }

    func addHint(child: Int64, parent: ProcessRecord, now: Int64) {
        if hints.updateValue(ForkHint(parent: parent, parentPid: parent.pid, millis: now), forKey: child) == nil {
            hintOrder.append((child, now))
        }
        while hints.count > hintCapacity, hintHead < hintOrder.count {
            let (pid, millis) = hintOrder[hintHead]
            hintHead += 1
            if let h = hints[pid], h.millis == millis {
                hints.removeValue(forKey: pid)
                hintsDropped += 1
            }
        }
        compactHints()
    }

    func takeHint(child: Int64) -> ForkHint? { hints.removeValue(forKey: child) }

    /// Every record in the table, least recently seen first.
    func records() -> [ProcessRecord] {
        var out: [ProcessRecord] = []
        out.reserveCapacity(byPid.count)
        var r = oldest
        while let cur = r {
            out.append(cur)
            r = cur.newer
        }
        return out
    }

    private func append(_ r: ProcessRecord) {
        r.older = newest
        r.newer = nil
        newest?.newer = r
        newest = r
        if oldest == nil { oldest = r }
    }

    private func unlink(_ r: ProcessRecord) {
        if let o = r.older { o.newer = r.newer } else if oldest === r { oldest = r.newer }
        if let n = r.newer { n.older = r.older } else if newest === r { newest = r.older }
        r.older = nil
        r.newer = nil
    }
}
