/// The keys of the most recent completed events, oldest forgotten first: what tells a late record from a new event.
///
/// A set with a fixed capacity: an open-addressing table (linear probing, backward-shift deletion) over a ring of
/// the keys in completion order. The assembler adds one key per event and forgets one, so both are the common case
/// here; a `Dictionary` plus an order array did that with SipHash and a growing array, 3 % of a replay.
final class CompletedKeys {
    let capacity: Int
    /// Keys in completion order; `next` is where the next one goes (the oldest once the ring is full). Allocated
    /// for `allocated` keys, doubled as keys come until `capacity`: a pipeline that sees a few events (a test, a
    /// fuzzer's input, a small file) does not pay for the megabytes a long stream needs.
    private var ring: UnsafeMutablePointer<EventKey>
    /// Each ring key's hash, read in ring order when the oldest is forgotten (not the key itself: a cache miss).
    private var ringHash: UnsafeMutablePointer<UInt32>
    private var allocated: Int
    private var next = 0
    private(set) var count = 0
    /// Per slot: the key's 32-bit hash (high half) and its ring position + 1 (low half; 0 = empty). Twice the
    /// ring rounded up to a power of two. Probes and removals read the hash, not the ring: the ring is
    /// megabytes, and a key compared per probed slot was a cache miss each.
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    /// Per-process seed: bucket collisions cannot be planned from a log.
    private let seed = UInt64.random(in: 0...UInt64.max)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        allocated = min(self.capacity, 256)
        ring = .allocate(capacity: allocated)
        ringHash = .allocate(capacity: allocated)
        (slots, mask) = Self.table(for: allocated)
    }

    deinit {
        ring.deinitialize(count: count)
        ring.deallocate()
        ringHash.deallocate()
        slots.deallocate()
    }

    private static func table(for keys: Int) -> (UnsafeMutablePointer<UInt64>, Int) {
        var size = 16
        while size < keys * 2 { size <<= 1 }
        let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        return (slots, size - 1)
    }

    /// Doubles the ring (up to `capacity`) and rehashes. Only before the ring first fills, so keys sit at
    /// positions 0..<count and keep them.
    private func grow() {
        let bigger = min(capacity, allocated * 2)
        let newRing = UnsafeMutablePointer<EventKey>.allocate(capacity: bigger)
        newRing.moveInitialize(from: ring, count: count)
        ring.deallocate()
        ring = newRing
        let newHash = UnsafeMutablePointer<UInt32>.allocate(capacity: bigger)
        newHash.initialize(from: ringHash, count: count)
        ringHash.deallocate()
        ringHash = newHash
        allocated = bigger
        slots.deallocate()
        (slots, mask) = Self.table(for: bigger)
        for position in 0..<count {
            var i = Int(ringHash[position]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt64(ringHash[position]) << 32 | UInt64(position + 1)
        }
    }

    func contains(_ key: EventKey) -> Bool {
        let h = hash(key)
        var i = Int(h) & mask
        while true {
            let e = slots[i]
            if e == 0 { return false }
            if UInt32(truncatingIfNeeded: e >> 32) == h, ring[Int(UInt32(truncatingIfNeeded: e)) - 1] == key { return true }
            i = (i + 1) & mask
        }
    }

    /// Adds a key not in the set; when full, the oldest key is forgotten first.
    func insert(_ key: EventKey) {
        if count == capacity {
            forget(position: next)
            ring[next] = key
        } else {
            if count == allocated { grow() }
            (ring + next).initialize(to: key)
            count += 1
        }
        let h = hash(key)
        ringHash[next] = h
        var i = Int(h) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = UInt64(h) << 32 | UInt64(next + 1)
        next = next + 1 == capacity ? 0 : next + 1
    }

    private func hash(_ key: EventKey) -> UInt32 {
        var x = key.word ^ seed
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: x ^ (x >> 31))
    }

    /// Removes the slot of the key at ring `position`, found by its hash and position alone.
    private func forget(position: Int) {
        let tag = UInt64(position + 1)
        var i = Int(ringHash[position]) & mask
        while slots[i] & 0xFFFF_FFFF != tag {
            if slots[i] == 0 { return }
            i = (i + 1) & mask
        }
        // Backward shift: later entries of the probe run move into the hole unless their home lies cyclically
        // in (hole, j], so no lookup stops early at it.
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let e = slots[j]
            if e == 0 { break }
            let home = Int(UInt32(truncatingIfNeeded: e >> 32)) & mask
            let stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !stays {
                slots[hole] = e
                hole = j
            }
        }
        slots[hole] = 0
    }
}
