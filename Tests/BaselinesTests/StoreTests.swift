import Foundation
import ProcessState
import Testing
import VigilTestSupport

@testable import Baselines

/// Profiles in a real SQLite file: they survive a restart, are written without a shutdown, and an operator's
/// change through a second connection (what `vigil baseline` does) reaches a running engine.
struct StoreTests {
    static func learn(_ engine: BaselineEngine, _ t: inout TestEvents, pid: Int64 = 100, at now: Int64 = 1_000) {
        for e in t.enrich(t.workload(pid: pid), container: TestEvents.container(id: TestEvents.idA, image: "web:1")) {
            engine.observe(e, nowMillis: now) { _ in Issue.record("no deviation while learning") }
        }
    }

    @Test func profilesSurviveARestart() throws {
        let dir = TemporaryDirectory("baselines-store")
        let path = dir.path("state/baselines.sqlite")
        var t = TestEvents()
        do {
            let engine = try BaselineEngine(settings: EngineTests.settings(learning: 0, quiet: 0), store: BaselineStore(path: path))
            Self.learn(engine, &t)
            engine.tick(nowMillis: 2_000)  // learning 0 s, quiet 0 s: monitoring now
            engine.close(nowMillis: 2_000)
        }
        let reopened = try BaselineEngine(settings: EngineTests.settings(), store: BaselineStore(path: path))
        let p = try #require(reopened.profiles[ProfileKey(parsing: "web:1")])
        #expect(p.mode == .monitoring)
        #expect(p.itemCount == 13)
        #expect(p.events == 7)
        #expect(p.items[Dimension.process.index] == ["/bin/cat <- /bin/busybox"])
        // And it monitors: the learned workload is silent, a new file write is not.
        var deviations: [Deviation] = []
        for e in t.enrich(t.workload(pid: 900) + t.lines("openat", pid: 900, exit: 3, args: [0xffffff9c, 0, 0o101, 0], paths: [.init(name: "/root/.ssh/authorized_keys")]),
            container: TestEvents.container(id: TestEvents.idB, image: "web:1"))
        {
            reopened.observe(e, nowMillis: 3_000) { deviations.append($0) }
        }
        #expect(deviations.map(\.item) == ["w /root/.ssh/authorized_keys"])
        reopened.close(nowMillis: 3_000)
    }

    /// Without any shutdown, learning reaches the file within a flush interval (what a crash can lose).
    @Test func learningIsWrittenWithinAFlushInterval() throws {
        let dir = TemporaryDirectory("baselines-flush")
        let path = dir.path("b.sqlite")
        var t = TestEvents()
        let engine = try BaselineEngine(settings: EngineTests.settings(), store: BaselineStore(path: path), flushInterval: 0.2)
        defer { engine.close(nowMillis: 0) }
        Self.learn(engine, &t)
        engine.tick(nowMillis: 1_000)
        let reader = try BaselineStore(path: path)
        #expect(eventually(3) { (try? reader.load("web:1"))?.itemCount == 13 })
    }

    @Test func operatorChangesReachARunningEngine() throws {
        let dir = TemporaryDirectory("baselines-cli")
        let path = dir.path("b.sqlite")
        var t = TestEvents()
        let engine = try BaselineEngine(settings: EngineTests.settings(), store: BaselineStore(path: path), flushInterval: 0.1)
        defer { engine.close(nowMillis: 0) }
        Self.learn(engine, &t)
        engine.flush(nowMillis: 1_000)
        let cli = try BaselineStore(path: path)
        let key = ProfileKey(parsing: "web:1")

        try cli.setMode("web:1", .monitoring, nowMillis: 2_000)
        #expect(eventually(3) { engine.tick(nowMillis: 2_100); return engine.profiles[key]?.mode == .monitoring })

        // A deviation is recorded; accepting it (all pending) makes it part of the profile.
        let write = t.lines("openat", pid: 100, exit: 3, args: [0xffffff9c, 0, 0o101, 0], paths: [.init(name: "/srv/cache/x")])
        var seen = 0
        for e in t.enrich(write, container: TestEvents.container(id: TestEvents.idA, image: "web:1")) {
            engine.observe(e, nowMillis: 3_000) { _ in seen += 1 }
        }
        #expect(seen == 1)
        engine.flush(nowMillis: 3_000)
        #expect(try cli.deviations("web:1").map(\.item) == ["w /srv/cache/x"])
        #expect(try cli.acceptAllDeviations("web:1", nowMillis: 4_000) == 1)
        #expect(try cli.deviations("web:1").isEmpty)
        #expect(eventually(3) { engine.tick(nowMillis: 4_100); return engine.profiles[key]?.contains(.file, "w /srv/cache/x") == true })
        for e in t.enrich(write, container: TestEvents.container(id: TestEvents.idA, image: "web:1")) {
            engine.observe(e, nowMillis: 5_000) { _ in Issue.record("accepted item alerted") }
        }
    }

    /// A reset is not undone by learning the engine had not written yet: those writes carry the old revision.
    @Test func resetWinsOverLearningInFlight() throws {
        let dir = TemporaryDirectory("baselines-reset")
        let path = dir.path("b.sqlite")
        var t = TestEvents()
        let engine = try BaselineEngine(settings: EngineTests.settings(), store: BaselineStore(path: path), flushInterval: 0.1)
        defer { engine.close(nowMillis: 0) }
        Self.learn(engine, &t)
        engine.flush(nowMillis: 1_000)
        let cli = try BaselineStore(path: path)
        #expect(try cli.load("web:1")?.itemCount == 13)
        // Learned in memory (revision 0), not yet handed to the writer…
        for e in t.enrich(t.lines("openat", pid: 100, exit: 3, args: [0xffffff9c, 0, 0, 0], paths: [.init(name: "/etc/late")]), container: TestEvents.container(id: TestEvents.idA, image: "web:1")) {
            engine.observe(e, nowMillis: 1_500) { _ in }
        }
        try cli.reset("web:1", nowMillis: 2_000)  // …when the operator resets
        engine.flush(nowMillis: 2_100)
        #expect(try cli.load("web:1")?.itemCount == 0)
        #expect(eventually(3) { engine.tick(nowMillis: 2_200); return engine.profiles[ProfileKey(parsing: "web:1")]?.itemCount == 0 })
    }

    @Test func exportImportRoundTrip() throws {
        let dir = TemporaryDirectory("baselines-export")
        var t = TestEvents()
        let engine = try BaselineEngine(settings: EngineTests.settings(), store: BaselineStore(path: dir.path("a.sqlite")))
        Self.learn(engine, &t)
        engine.close(nowMillis: 1_000)
        let a = try BaselineStore(path: dir.path("a.sqlite"))
        let doc = try #require(try a.load("web:1"))
        let json = try JSONEncoder().encode(doc)
        let back = try JSONDecoder().decode(ProfileDocument.self, from: json)
        #expect(back.items == doc.items)

        let b = try BaselineStore(path: dir.path("b.sqlite"))
        try b.importProfile(back)
        let imported = try #require(try b.load("web:1"))
        #expect(imported.items == doc.items)
        #expect(imported.mode == doc.mode)
        #expect(imported.revision == 1)

        let broken = Data(#"{"vigil_baseline": 1, "key": "x:1", "mode": "learning", "items": {"colour": ["red"]}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProfileDocument.self, from: broken) }
        let future = Data(#"{"vigil_baseline": 7, "key": "x:1", "mode": "learning", "items": {}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProfileDocument.self, from: future) }
    }

    @Test func commandsOnAMissingProfileFailClearly() throws {
        let dir = TemporaryDirectory("baselines-missing")
        let store = try BaselineStore(path: dir.path("b.sqlite"))
        #expect(throws: BaselineStore.StoreError.self) { try store.reset("nope:1", nowMillis: 0) }
        #expect(throws: BaselineStore.StoreError.self) { try store.accept("nope:1", .file, ["r /x"], nowMillis: 0) }
        #expect(throws: BaselineStore.StoreError.self) { try store.setMode("nope:1", .monitoring, nowMillis: 0) }
        // Not a database: a clear error naming the file.
        let junk = dir.path("junk.sqlite")
        try "this is not sqlite, it is text long enough to fill a header page".write(toFile: junk, atomically: true, encoding: .utf8)
        #expect(throws: BaselineStore.StoreError.self) { try BaselineStore(path: junk) }
    }
}
