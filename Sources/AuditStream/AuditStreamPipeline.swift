/// Parser and assembler joined: lines in, events (plus late records and parse errors) out.
///
/// This is the stage every source feeds (file, plugin stdin, netlink) and the unit the fuzzer and the benchmark
/// drive, so it has no I/O of its own.
public final class AuditStreamPipeline {
    public enum Output {
        case event(AuditEvent)
        case late(AuditRecord)
        case malformed(ParseError)
    }

    public let parser: RecordParser
    public let assembler: EventAssembler
    private var malformed = 0
    private var lines = 0
    private var bytes = 0

    public init(configuration: EventAssembler.Configuration = .init(), nodes: NodeTable = NodeTable()) {
        parser = RecordParser(nodes: nodes)
        assembler = EventAssembler(configuration: configuration)
    }

    public var nodes: NodeTable { parser.nodes }

    /// Feeds one text line (any byte collection; tests and fuzzers).
    public func push<C: Collection>(line: C, number: Int, now: UInt64 = 0, emit: (Output) -> Void)
    where C.Element == UInt8 {
        Array(line).withUnsafeBufferPointer { push(line: $0, number: number, now: now, emit: emit) }
    }

    /// Feeds one text line.
    public func push(line: UnsafeBufferPointer<UInt8>, number: Int, now: UInt64 = 0, emit: (Output) -> Void) {
        lines += 1
        bytes += line.count + 1
        switch parser.parse(line: line, number: number) {
        case .success(let record): pushRecord(record, now: now, emit: emit)
        case .failure(let error):
            malformed += 1
            emit(.malformed(error))
        }
    }

    /// Feeds one netlink message.
    public func push(netlinkType: UInt16, body: UnsafeRawBufferPointer, now: UInt64, emit: (Output) -> Void) {
        lines += 1
        bytes += body.count
        switch parser.parse(netlinkType: netlinkType, body: body) {
        case .success(let record): pushRecord(record, now: now, emit: emit)
        case .failure(let error):
            malformed += 1
            emit(.malformed(error))
        }
    }

    private func pushRecord(_ record: AuditRecord, now: UInt64, emit: (Output) -> Void) {
        assembler.push(record, now: now) { out in
            switch out {
            case .event(let e): emit(.event(e))
            case .late(let r): emit(.late(r))
            }
        }
    }

    public func flush(now: UInt64, emit: (Output) -> Void) {
        assembler.flush(now: now) { if case .event(let e) = $0 { emit(.event(e)) } }
    }

    public func finish(emit: (Output) -> Void) {
        assembler.finish { if case .event(let e) = $0 { emit(.event(e)) } }
    }

    public var statistics: AuditStreamStatistics {
        var s = AuditStreamStatistics()
        let a = assembler.statistics
        s.lines = lines
        s.records = a.records
        s.malformed = malformed
        s.events = a.events
        s.late = a.late
        s.orphanEOE = a.orphanEOE
        s.evicted = a.evicted
        s.bytes = bytes
        return s
    }
}
