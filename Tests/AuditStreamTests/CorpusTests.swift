import AuditStream
import Foundation
import Testing

/// Every real log of the corpus parses without a crash and gives exactly the counts of its expected.json.
struct CorpusTests {
    struct Expected: Decodable {
        struct File: Decodable {
            let records: Int
            let distinct_event_ids: Int
            let records_without_event_id: Int
        }
        let files: [String: File]
    }

    static let expected: Expected = {
        let data = try! Data(contentsOf: TestSupport.corpus.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    static let names = expected.files.keys.sorted()

    @Test func corpusIsPresent() {
        #expect(Self.names.count >= 31, "corpus at \(TestSupport.corpus.path)")
    }

    @Test(arguments: names)
    func countsMatchExpected(name: String) throws {
        let path = TestSupport.corpus.appendingPathComponent(name).path
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let pipeline = AuditStreamPipeline()
        var events = Set<EventKey>()
        var duplicates = 0
        var reader = LineReader(fd: fd, blockSize: 4096)  // small blocks: lines straddle reads
        let sink: (AuditStreamPipeline.Output) -> Void = {
            if case .event(let e) = $0, !events.insert(e.key).inserted { duplicates += 1 }
        }
        try reader.forEachLine { line, n in pipeline.push(line: line, number: n, emit: sink) }
        pipeline.finish(emit: sink)
        let s = pipeline.statistics
        let want = try #require(Self.expected.files[name])
        #expect(s.lines == want.records)
        #expect(s.records + s.malformed == want.records)
        #expect(s.malformed == want.records_without_event_id)
        #expect(s.events == want.distinct_event_ids)
        #expect(duplicates == 0, "an event id was emitted twice")
    }
}
