import AuditStream
import Foundation

/// Paths and helpers shared by the AuditStream tests.
enum TestSupport {
    /// The repository root (two levels above this file's folder).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// ../shared beside the repository (CI lays a copy there); VIGIL_SHARED overrides.
    static let shared: URL = {
        if let env = ProcessInfo.processInfo.environment["VIGIL_SHARED"] { return URL(fileURLWithPath: env) }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    static let corpus = shared.appendingPathComponent("corpus/audit")

    static func parse(_ line: String) throws -> AuditRecord {
        try RecordParser().parse(line: Array(line.utf8), number: 1).get()
    }

    /// Runs lines through parser + assembler and returns the events (finishing the stream at the end).
    static func assemble(_ lines: [String], configuration: EventAssembler.Configuration = .init())
        -> (events: [AuditEvent], late: [AuditRecord], malformed: [ParseError], stats: AuditStreamStatistics)
    {
        let p = AuditStreamPipeline(configuration: configuration)
        var events: [AuditEvent] = []
        var late: [AuditRecord] = []
        var bad: [ParseError] = []
        let sink: (AuditStreamPipeline.Output) -> Void = {
            switch $0 {
            case .event(let e): events.append(e)
            case .late(let r): late.append(r)
            case .malformed(let m): bad.append(m)
            }
        }
        for (i, l) in lines.enumerated() { p.push(line: Array(l.utf8), number: i + 1, emit: sink) }
        p.finish(emit: sink)
        return (events, late, bad, p.statistics)
    }

    static func decode(_ lines: [String]) -> DecodedEvent? {
        assemble(lines).events.first.map(EventDecoder.decode)
    }
}

extension AuditRecord {
    func text(_ name: StaticString) -> String? { string(name) }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

extension ArraySlice where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
