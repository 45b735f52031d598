import ArgumentParser
import AuditStream
import Baselines
import Dispatch
import Foundation
import ProcessState

#if canImport(Glibc)
import Glibc
#endif

/// `vigil baseline bench LOG`: the cost of the baselines on a recorded audit log (scripts/bench-baselines.sh).
///
/// A recorded log has no containers, so each event is attributed to a synthetic container whose image is named
/// after the process (`bench/<comm>:1`): one profile per program, as one image per service would give. Pass 1
/// learns every profile; then all switch to monitoring and pass 2 replays the same log. Events are parsed,
/// decoded and enriched in chunks first; only `BaselineEngine.observe` is timed.
struct BaselineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure baseline learning and checking on a recorded audit log.", shouldDisplay: false)

    @Argument(help: "An audit log (auditd's format).") var log: String
    @Option(help: "Also write the learned profiles to this SQLite file and report its size.") var db: String?
    @Option(help: "Events enriched per timed chunk (small: the daemon checks an event while it is in cache).") var chunk = 512

    func run() throws {
        var settings = BaselineSettings()
        settings.learningMillis = .max
        let memory = try BaselineEngine(settings: settings, store: nil)
        let learn = try pass(memory)
        let keys = Array(memory.profiles.keys)
        for k in keys { memory.setMode(k, .monitoring, nowMillis: 0) }
        memory.tick(nowMillis: 0)
        let monitor = try pass(memory)

        let sizes = memory.profiles.values.map(\.itemCount).sorted()
        var perDimension = Array(repeating: 0, count: Dimension.allCases.count)
        for p in memory.profiles.values { for d in Dimension.allCases { perDimension[d.index] += p.items[d.index].count } }
        let s = memory.statistics
        print("events: \(learn.events) (\(learn.profiled) attributed to \(keys.count) profiles)")
        print(String(format: "learning:   %.0f ns/event (observe only)", learn.nanos / Double(max(learn.events, 1))))
        print(String(format: "monitoring: %.0f ns/event (observe only), %d deviations alerted, %d repeats folded", monitor.nanos / Double(max(monitor.events, 1)), s.deviations, s.repeatsSuppressed))
        print("profile items: total \(sizes.reduce(0, +)), largest \(sizes.last ?? 0), median \(sizes.isEmpty ? 0 : sizes[sizes.count / 2])")
        print("items per dimension: " + Dimension.allCases.map { "\($0.rawValue) \(perDimension[$0.index])" }.joined(separator: ", "))
        print("dropped at caps: " + Dimension.allCases.map { "\($0.rawValue) \(s.dropped[$0.index])" }.joined(separator: ", "))
        let top = memory.profiles.values.sorted { $0.itemCount > $1.itemCount }.prefix(5)
        print("largest profiles: " + top.map { "\($0.key) \($0.itemCount)" }.joined(separator: ", "))

        if let db {
            unlink(db)
            let stored = try BaselineEngine(settings: settings, store: BaselineStore(path: db))
            _ = try pass(stored)
            let start = DispatchTime.now().uptimeNanoseconds
            stored.close(nowMillis: 0)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            var st = stat()
            stat(db, &st)
            var wal = stat()
            let walSize = stat(db + "-wal", &wal) == 0 ? Int(wal.st_size) : 0
            print(String(format: "database: %d bytes (+%d WAL) for %d items; final flush %.0f ms", Int(st.st_size), walSize, sizes.reduce(0, +), ms))
        }
    }

    struct Pass {
        var events = 0
        var profiled = 0
        var nanos = 0.0
    }

    func pass(_ engine: BaselineEngine) throws -> Pass {
        let fd = open(log, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ValidationError("\(log): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let pipeline = AuditStreamPipeline()
        let enricher = Enricher.replay()
        var result = Pass()
        let before = engine.statistics.profiledEvents
        var batch: [EnrichedEvent] = []
        batch.reserveCapacity(chunk)
        var containers: [String: ContainerView] = [:]
        func view(_ name: String) -> ContainerView {
            if let v = containers[name] { return v }
            var id = String(UInt64(truncatingIfNeeded: ItemHash.hash(.process, name)), radix: 16)
            id = String(repeating: "0", count: 16 - id.count) + id
            var m = ContainerMetadata(runtime: .docker)
            m.image = "bench/\(name):1"
            let v = ContainerView(identity: ContainerIdentity(runtime: .docker, fullID: String(repeating: id, count: 4)), metadata: m)
            containers[name] = v
            return v
        }
        func drain() {
            let start = DispatchTime.now().uptimeNanoseconds
            // By index: the daemon hands the engine the event it just made, without a copy.
            for i in batch.indices { engine.observe(batch[i], nowMillis: 1) { _ in } }
            result.nanos += Double(DispatchTime.now().uptimeNanoseconds - start)
            result.events += batch.count
            batch.removeAll(keepingCapacity: true)
            engine.tick(nowMillis: 1)
        }
        let handle: (AuditStreamPipeline.Output) -> Void = { out in
            guard case .event(let event) = out else { return }
            let e = enricher.enrich(event, EventDecoder.decode(event))
            let name = e.process.name.map { Printable.escape($0) } ?? "unknown"
            batch.append(e.attributed(to: view(name.isEmpty ? "unknown" : name)))
            if batch.count >= chunk { drain() }
        }
        var reader = LineReader(fd: fd)
        try reader.forEachLine { line, number in pipeline.push(line: line, number: number, emit: handle) }
        pipeline.finish(emit: handle)
        drain()
        result.profiled = engine.statistics.profiledEvents - before
        return result
    }
}
