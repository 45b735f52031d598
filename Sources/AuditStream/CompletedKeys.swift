/// The keys of the most recent completed events, oldest forgotten first: what tells a late record from a new event.
///
/// A set with a fixed capacity: an open-addressing table (linear probing, backward-shift deletion) over a ring of
/// the keys in completion order. The assembler adds one key per event and forgets one, so both are the common case
/// here; a `Dictionary` plus an order array did that with SipHash and a growing array, 3 % of a replay.
final class CompletedKeys {
    let capacity: Int
    /// Keys in completion order; `next` is where the next one goes (the oldest once the ring is full).
    private let ring: UnsafeMutablePointer<EventKey>
    private var next = 0
    private(set) var count = 0
    /// Ring positions, or -1 for an empty slot; twice the capacity rounded up to a power of two.
    private let slots: UnsafeMutablePointer<Int32>
    private let mask: Int
    /// Per-process seed: bucket collisions cannot be planned from a log.
    private let seed = UInt64.random(in: 0...UInt64.max)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        var size = 16
        while size < self.capacity * 2 { size <<= 1 }
        mask = size - 1
        ring = .allocate(capacity: self.capacity)
        slots = .allocate(capacity: size)
        slots.initialize(repeating: -1, count: size)
    }

    deinit {
        ring.deinitialize(count: count)
        ring.deallocate()
        slots.deallocate()
    }

    func contains(_ key: EventKey) -> Bool { find(key) != nil }

    /// Adds a key not in the set; when full, the oldest key is forgotten first.
    func insert(_ key: EventKey) {
        if count == capacity {
            if let slot = find(ring[next]) { remove(slot: slot) }
            ring[next] = key
        } else {
            (ring + next).initialize(to: key)
            count += 1
        }
        var i = home(key)
        while slots[i] >= 0 { i = (i + 1) & mask }
        slots[i] = Int32(next)
        next = next + 1 == capacity ? 0 : next + 1
    }

    private func home(_ key: EventKey) -> Int {
        var x = key.word ^ seed
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: x ^ (x >> 31)) & mask
    }

    private func find(_ key: EventKey) -> Int? {
        var i = home(key)
        while true {
            let e = slots[i]
            if e < 0 { return nil }
            if ring[Int(e)] == key { return i }
            i = (i + 1) & mask
        }
    }

    /// Empties slot `i` and moves later entries of its probe run back, so no lookup stops early at the hole.
    private func remove(slot i: Int) {
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let e = slots[j]
            if e < 0 { break }
            let h = home(ring[Int(e)])
            // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !stays {
                slots[hole] = e
                hole = j
            }
        }
        slots[hole] = -1
    }
}
