import AuditStream
import Foundation
import Testing

@testable import ProcessState

/// Memory stays flat: the table, the ancestry chains and the fork hints are bounded whatever the input.
struct TableBoundsTests {
    /// A decoded execve to copy: DecodedEvent's fields are public, its initialiser is not.
    static func template(_ syscall: String, exit: Int64 = 0) -> DecodedEvent {
        var a = AuditLines()
        let lines = a.event(
            syscall, pid: 7, ppid: 1, comm: "true", exe: "/usr/bin/true", exit: exit,
            argv: syscall == "execve" ? ["/usr/bin/true", "--flag"] : nil)
        var out: DecodedEvent? = nil
        let p = AuditStreamPipeline()
        for l in lines {
            p.push(line: Array(l.utf8), number: 1) { if case .event(let e) = $0 { out = EventDecoder.decode(e) } }
        }
        return out!
    }

    static func event(_ d: inout DecodedEvent, millis: Int64, serial: UInt32) -> AuditEvent {
        let key = EventKey(
            node: 0, stamp: EventStamp(seconds: millis / 1000, milliseconds: UInt16(millis % 1000), serial: serial))
        d.key = key
        return AuditEvent(key: key, records: [], completion: .endOfEvent)
    }

    /// 1 000 000 execs of new pids (no exit ever seen, parents chosen among recent pids): the table stays at its
    /// capacity, evicting the least recently seen, and the retained records stay under the documented bound.
    @Test func aMillionExecsStayBounded() {
        let config = ProcessState.Enricher.Configuration()  // capacity 32 768
        let rssBefore = Self.residentMiB()
        let started = Date()
        var rssSamples: [Int] = []
        let e = ProcessState.Enricher(mode: .replay, configuration: config)
        var d = Self.template("execve")
        var rng = SystemRandomNumberGenerator()
        var maxRetained = 0
        let n = 1_000_000
        for i in 0..<n {
            let pid = Int64(10 + i % 4_000_000)
            d.process.pid = pid
            d.process.ppid = i < 10 ? 1 : pid - Int64.random(in: 1...8, using: &rng)
            let ev = Self.event(&d, millis: 1_700_000_000_000 + Int64(i), serial: UInt32(i))
            _ = e.enrich(ev, d)
            if i % 65_536 == 0 { maxRetained = max(maxRetained, e.statistics.retainedRecords) }
            if i % 250_000 == 0 { rssSamples.append(Self.residentMiB()) }
        }
        let s = e.statistics
        #expect(s.events == n)
        #expect(s.processes == config.capacity)
        #expect(s.evictions == n - config.capacity)
        maxRetained = max(maxRetained, s.retainedRecords)
        #expect(maxRetained <= config.capacity * (2 * config.maxAncestors + 1))
        print(
            "1M execs: table \(s.processes), retained records \(s.retainedRecords) (max sampled \(maxRetained)), evictions \(s.evictions), chain cuts \(s.chainCuts), RSS MiB before \(rssBefore), every 250k \(rssSamples), end \(Self.residentMiB()) (whole test process), \(Int(Date().timeIntervalSince(started))) s"
        )
    }

    /// Resident set of this process (MiB), for the printed figures only: tests run in parallel, so it is not asserted.
    static func residentMiB() -> Int {
        let statm = LiveProcess.read("/proc/self/statm") ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (pages * Int(sysconf(Int32(_SC_PAGESIZE)))) >> 20
    }

    /// fork → exec → exit_group, 300 000 times (a day of this at 1000/s is the same loop, longer): only the live
    /// processes and those inside the exit grace window remain.
    @Test func forkExecExitCyclesLeaveNothingBehind() {
        let e = ProcessState.Enricher.replay()
        var exec = Self.template("execve")
        var fork = Self.template("clone", exit: 1)
        fork.syscall?.args = [0x1200011]
        var exit = Self.template("exit_group")
        var serial: UInt32 = 0
        var millis: Int64 = 1_700_000_000_000
        func send(_ d: inout DecodedEvent) {
            serial &+= 1
            millis += 1
            _ = e.enrich(Self.event(&d, millis: millis, serial: serial), d)
        }
        exec.process.pid = 100
        exec.process.ppid = 1
        send(&exec)
        for i in 0..<300_000 {
            let child = Int64(1_000 + i % 4_000_000)
            fork.process.pid = 100
            fork.process.ppid = 1
            fork.syscall?.exit = child
            send(&fork)
            exec.process.pid = child
            exec.process.ppid = 100
            send(&exec)
            exit.process.pid = child
            exit.process.ppid = 100
            send(&exit)
        }
        let s = e.statistics
        // 3 ms per cycle, 5 s grace: at most ~1 700 exited children wait for expiry.
        #expect(s.processes <= 2 + 5_000 / 3 + 1)
        #expect(s.retainedRecords <= s.processes + 1)
        #expect(s.evictions == 0)
        #expect(s.expired >= 300_000 - 5_000 / 3 - 1)
        print("300k fork/exec/exit: table \(s.processes), retained \(s.retainedRecords), expired \(s.expired)")
    }

    /// Each process forks a child and exits (a daemon walking away from its ancestry): without the chain cut, one
    /// live process would keep the whole line alive.
    @Test func aForkAndExitChainIsCut() throws {
        let e = ProcessState.Enricher.replay()
        var fork = Self.template("fork", exit: 1)
        var exit = Self.template("exit_group")
        var millis: Int64 = 1_700_000_000_000
        var serial: UInt32 = 0
        var last: EnrichedEvent? = nil
        for i in 0..<200_000 {
            let pid = Int64(1_000 + i)
            fork.process.pid = pid
            fork.process.ppid = pid - 1
            fork.syscall?.exit = pid + 1
            serial += 1
            millis += 1
            last = e.enrich(Self.event(&fork, millis: millis, serial: serial), fork)
            exit.process.pid = pid
            exit.process.ppid = pid - 1
            serial += 1
            millis += 1
            _ = e.enrich(Self.event(&exit, millis: millis, serial: serial), exit)
        }
        let s = e.statistics
        let maxA = e.configuration.maxAncestors
        #expect(s.chainCuts > 0)
        #expect(s.retainedRecords < 10_000)
        let ev = try #require(last)
        #expect(ev.ancestors.count >= maxA - 1 && ev.ancestors.count <= maxA)
        #expect(ev.ancestors.first?.pid == ev.process.pid.map { $0 - 1 })
        print("200k fork+exit chain: table \(s.processes), retained \(s.retainedRecords), chain cuts \(s.chainCuts)")
    }

    @Test func threadCloneHintsAreBounded() {
        var config = ProcessState.Enricher.Configuration()
        config.hintCapacity = 1_000
        let e = ProcessState.Enricher(mode: .replay, configuration: config)
        var clone3 = Self.template("clone3", exit: 1)  // clone3 hides its flags: threads look like forks
        for i in 0..<20_000 {
            clone3.process.pid = 100
            clone3.syscall?.exit = Int64(200 + i)
            _ = e.enrich(Self.event(&clone3, millis: 1_700_000_000_000 + Int64(i), serial: UInt32(i)), clone3)
        }
        #expect(e.statistics.pendingForks == 1_000)
        #expect(e.statistics.forkHintsDropped == 19_000)
        #expect(e.statistics.processes == 1)
    }
}
