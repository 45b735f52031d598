@testable import AuditStream
import Testing

struct CompletedKeysTests {
    /// The table against a plain model (a set plus the keys in order), over random keys drawn from a small space so
    /// that keys come back after being forgotten and probe runs collide, wrap around and lose members.
    @Test func behavesAsABoundedSetForgettingTheOldestFirst() {
        var rng = SystemRandomNumberGenerator()
        for capacity in [1, 2, 7, 64, 1000, 5000] {
            let keys = CompletedKeys(capacity: capacity)
            var model: [EventKey] = []
            var members = Set<EventKey>()
            for _ in 0..<20_000 {
                let key = EventKey(
                    node: UInt32.random(in: 0...2, using: &rng),
                    stamp: EventStamp(
                        seconds: Int64.random(in: 0...3, using: &rng), milliseconds: UInt16.random(in: 0...3, using: &rng),
                        serial: UInt32.random(in: 0...(UInt32(capacity) * 4), using: &rng)))
                #expect(keys.contains(key) == members.contains(key))
                if members.contains(key) { continue }  // the assembler adds only keys not in the set
                keys.insert(key)
                model.append(key)
                members.insert(key)
                if model.count > capacity { members.remove(model.removeFirst()) }
                #expect(keys.count == members.count)
            }
            for key in model { #expect(keys.contains(key)) }
        }
    }
}
