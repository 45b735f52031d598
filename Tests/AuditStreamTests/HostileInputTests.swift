import AuditStream
import Foundation
import Testing

/// The parser and assembler read what attackers control. Deterministic mutations of real corpus lines must
/// never crash them, and every line must come out as exactly one record or one counted malformed line.
struct HostileInputTests {
    /// SplitMix64: reproducible without Foundation's random sources.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let seedLines: [[UInt8]] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestSupport.corpus.path)) ?? []
        var lines: [[UInt8]] = []
        for name in names.sorted() where name.hasSuffix(".log") {
            guard let data = FileManager.default.contents(atPath: TestSupport.corpus.appendingPathComponent(name).path)
            else { continue }
            lines += data.split(separator: 10).prefix(60).map(Array.init)
        }
        return lines
    }()

    @Test func mutatedCorpusLinesNeverCrashAndAreAllAccountedFor() {
        #expect(Self.seedLines.count > 400)
        var rng = Rng(state: 0x5EED)
        let interesting: [UInt8] = Array("=\"' ()[]{}:\u{1d}\u{01}\\\n%0Aa-".utf8) + [0, 0xff, 0x80]
        let pipeline = AuditStreamPipeline()
        var emittedRecords = 0
        var malformed = 0
        let count = 20_000
        for i in 0..<count {
            var line = Self.seedLines[rng.below(Self.seedLines.count)]
            for _ in 0...rng.below(6) {
                guard !line.isEmpty else { break }
                switch rng.below(5) {
                case 0: line[rng.below(line.count)] = interesting[rng.below(interesting.count)]
                case 1: line.remove(at: rng.below(line.count))
                case 2: line.insert(interesting[rng.below(interesting.count)], at: rng.below(line.count + 1))
                case 3: line = Array(line.prefix(rng.below(line.count + 1)))
                default: line[rng.below(line.count)] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            line.removeAll { $0 == 10 }
            pipeline.push(line: line, number: i + 1) { out in
                switch out {
                case .event(let e):
                    emittedRecords += e.records.count
                    _ = EventDecoder.decode(e)
                    var w = JSONWriter()
                    EventJSON.write(e, decoded: EventDecoder.decode(e), nodes: pipeline.nodes, into: &w)
                    #expect(String(validating: w.bytes, as: UTF8.self) != nil)
                case .late(let r): emittedRecords += 1; _ = r
                case .malformed: malformed += 1
                }
            }
        }
        pipeline.finish { if case .event(let e) = $0 { emittedRecords += e.records.count } }
        let s = pipeline.statistics
        #expect(s.lines == count)
        #expect(s.records + s.malformed == count)
        #expect(malformed == s.malformed)
        // Every parsed record is in exactly one event or reported late, except EOE markers, which end events.
        #expect(emittedRecords <= s.records)
    }

    @Test func oversizedLineIsMalformedNotACrash() {
        let huge = "type=SYSCALL msg=audit(1.000:1): " + String(repeating: "old x=1 ", count: 9_000)
        let out = TestSupport.assemble([huge, "type=SYSCALL msg=audit(1.000:2): " + String(repeating: "old a=b ", count: 7_000)])
        #expect(out.malformed.first?.reason == .tooLong)
        #expect(out.events.count == 1)  // the 56 000-byte line still parses, its synthetic names bounded
    }
}
