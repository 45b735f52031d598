import AuditStream
import ProcessState
import RuleEngine
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// Audit bytes are what an attacker writes most directly (paths, argv, comm, socket addresses). Every line must
/// come out as one record or one counted malformed line, events must render as valid UTF-8 JSON, and the
/// enricher and the stock rules must take whatever the decoder makes of it.
enum RecordFuzzTarget {
    /// The rules in `VIGIL_FUZZ_RULES` (default `rules/`, Falco's stock rules and Vigil's own), loaded once: the
    /// evaluator sees fuzzed events, not fuzzed rules.
    nonisolated(unsafe) static let matcher: RuleMatcher? = {
        let path = getenv("VIGIL_FUZZ_RULES").map { String(cString: $0) } ?? "rules"
        return try? RuleMatcher(paths: [path], hostname: "fuzz")
    }()

    static func run(_ input: UnsafeRawBufferPointer) {
        let pipeline = AuditStreamPipeline()
        let enricher = Enricher.replay()
        var lines = 0
        var records = 0
        var writer = JSONWriter()
        let handle: (AuditStreamPipeline.Output) -> Void = { out in
            switch out {
            case .event(let e):
                records += e.records.count
                let decoded = EventDecoder.decode(e)
                writer.reset()
                EventJSON.write(e, decoded: decoded, nodes: pipeline.nodes, into: &writer)
                FuzzInvariant.check(String(validating: writer.bytes, as: UTF8.self) != nil, "event JSON is not UTF-8")
                FuzzInvariant.check(!writer.bytes.contains(10), "event JSON contains a raw newline")
                let enriched = enricher.enrich(e, decoded)
                matcher?.match(decoded, enriched: enriched) { alert in
                    let json = matcher!.formatter.json(alert)
                    FuzzInvariant.check(!json.contains(10), "alert JSON contains a raw newline")
                }
            case .late: records += 1
            case .malformed: break
            }
        }
        let bytes = input.bindMemory(to: UInt8.self)
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 10 {
            if i > start || i < bytes.count {
                lines += 1
                pipeline.push(line: UnsafeBufferPointer(rebasing: bytes[start..<i]), number: lines, emit: handle)
            }
            start = i + 1
        }
        pipeline.finish(emit: handle)
        let s = pipeline.statistics
        FuzzInvariant.check(s.lines == lines, "lines \(s.lines) != \(lines)")
        FuzzInvariant.check(s.records + s.malformed == lines, "records \(s.records) + malformed \(s.malformed) != lines \(lines)")
        FuzzInvariant.check(records <= s.records, "emitted \(records) records of \(s.records) parsed")
    }
}
