import AuditStream
import Foundation
import Testing

struct EventAssemblerTests {
    @Test func item4_eventsWithoutEOECompleteByStreamTime() {
        var lines: [String] = []
        lines.append("type=SYSCALL msg=audit(100.000:1): arch=c000003e syscall=59")
        lines.append("type=CWD msg=audit(100.000:1): cwd=\"/\"")
        lines.append("type=SYSCALL msg=audit(101.000:2): arch=c000003e syscall=59")
        // 2.5 s later: event 1 (and 2) have expired before the stream ends.
        lines.append("type=SYSCALL msg=audit(103.500:3): arch=c000003e syscall=59")
        let p = AuditStreamPipeline()
        var seen: [(UInt32, AuditEvent.Completion)] = []
        for (i, l) in lines.enumerated() {
            p.push(line: Array(l.utf8), number: i + 1) { if case .event(let e) = $0 { seen.append((e.stamp.serial, e.completion)) } }
        }
        #expect(seen.map(\.0) == [1, 2])
        #expect(seen.allSatisfy { $0.1 == .expired })
        p.finish { if case .event(let e) = $0 { seen.append((e.stamp.serial, e.completion)) } }
        #expect(seen.map(\.0) == [1, 2, 3])
        #expect(seen.last?.1 == .flushed)
    }

    /// auditd's files carry no EOE: the PROCTITLE the kernel writes last ends a syscall event at once (auparse's
    /// `audit_is_last_record`), unless a PATH the SYSCALL counted or the SYSCALL itself has not come yet.
    @Test func proctitleEndsASyscallEventWhoseRecordsHaveAllCome() {
        let p = AuditStreamPipeline()
        var seen: [(UInt32, AuditEvent.Completion, Int)] = []
        let sink: (AuditStreamPipeline.Output) -> Void = {
            if case .event(let e) = $0 { seen.append((e.stamp.serial, e.completion, e.records.count)) }
        }
        let lines = [
            // Complete: SYSCALL (items=2), CWD, both PATHs, PROCTITLE.
            "type=SYSCALL msg=audit(100.000:1): arch=c000003e syscall=59 success=yes exit=0 items=2 pid=7",
            "type=CWD msg=audit(100.000:1): cwd=\"/\"",
            "type=PATH msg=audit(100.000:1): item=0 name=\"/bin/ls\" nametype=NORMAL",
            "type=PATH msg=audit(100.000:1): item=1 name=\"/lib64/ld.so\" nametype=NORMAL",
            "type=PROCTITLE msg=audit(100.000:1): proctitle=6C73",
            // A PATH after the PROCTITLE (reordered log): the event waits for it.
            "type=SYSCALL msg=audit(100.001:2): arch=c000003e syscall=257 success=yes exit=3 items=1 pid=7",
            "type=PROCTITLE msg=audit(100.001:2): proctitle=6C73",
            "type=PATH msg=audit(100.001:2): item=0 name=\"/etc/passwd\" nametype=NORMAL",
            // PROCTITLE before its SYSCALL: no early end either.
            "type=PROCTITLE msg=audit(100.002:3): proctitle=6C73",
            "type=SYSCALL msg=audit(100.002:3): arch=c000003e syscall=42 success=yes exit=0 items=0 pid=7",
        ]
        for (i, l) in lines.enumerated() {
            p.push(line: Array(l.utf8), number: i + 1, emit: sink)
            if i == 4 {
                #expect(seen.map(\.0) == [1])
                #expect(seen.first?.1 == .lastRecord)
                #expect(seen.first?.2 == 5)
            }
        }
        #expect(seen.count == 1)
        p.finish(emit: sink)
        #expect(seen.map(\.0) == [1, 2, 3])
        #expect(seen.dropFirst().allSatisfy { $0.1 == .flushed })
        #expect(seen.map(\.2) == [5, 3, 2])
        #expect(p.statistics.late == 0)
    }

    @Test func item5_interleavedAndOutOfOrderRecordsAssemble() {
        let out = TestSupport.assemble([
            "type=NETFILTER_CFG msg=audit(1481076984.827:17): table=filter family=2 entries=0",
            "type=SYSCALL msg=audit(1481076984.830:18): arch=c000003e syscall=59",
            "type=SYSCALL msg=audit(1481076984.827:17): arch=c000003e syscall=313 comm=\"modprobe\"",
            "type=PATH msg=audit(1481076984.830:18): item=0 name=\"/bin/x\"",
            "type=EOE msg=audit(1481076984.827:17): ",
            "type=EOE msg=audit(1481076984.830:18): ",
        ])
        #expect(out.events.count == 2)
        let first = out.events.first { $0.stamp.serial == 17 }
        #expect(first?.records.map(\.type.name) == ["NETFILTER_CFG", "SYSCALL"])
        #expect(out.events.first { $0.stamp.serial == 18 }?.records.count == 2)
        #expect(out.late.isEmpty)
    }

    @Test func outOfOrderCorpusFileReportsTheLateRecord() throws {
        let text = try String(contentsOf: TestSupport.corpus.appendingPathComponent("go-libaudit__out_of_order.log"), encoding: .utf8)
        let out = TestSupport.assemble(text.split(separator: "\n").map(String.init))
        #expect(out.events.count == 5)
        // PATH item=1 of :60 arrives 7.8 s of stream time after its event: reported late, not a second event.
        #expect(out.late.count == 1)
        #expect(out.late.first?.stamp.serial == 60)
        #expect(out.late.first?.type == .path)
    }

    @Test func item6_serialRolloverKeepsEventsApart() {
        let out = TestSupport.assemble([
            "type=SYSCALL msg=audit(1492037289.295:4294967294): arch=c000003e syscall=59",
            "type=SYSCALL msg=audit(1492037289.296:4294967295): arch=c000003e syscall=59",
            "type=SYSCALL msg=audit(1492037289.297:0): arch=c000003e syscall=59",
            "type=SYSCALL msg=audit(1492037289.298:1): arch=c000003e syscall=59",
        ])
        #expect(out.events.map(\.stamp.serial) == [4_294_967_294, 4_294_967_295, 0, 1])
    }

    @Test func standaloneUserRecordsCompleteAtOnce() {
        let p = AuditStreamPipeline()
        var got: [AuditEvent] = []
        p.push(line: Array("type=USER_LOGIN msg=audit(1.000:1): pid=1 uid=0 msg='op=login res=success'".utf8), number: 1) {
            if case .event(let e) = $0 { got.append(e) }
        }
        #expect(got.count == 1)
        #expect(got.first?.completion == .standalone)
    }

    @Test func wallClockFlushForQuietLiveSources() {
        let p = AuditStreamPipeline()
        var got: [AuditEvent] = []
        p.push(line: Array("type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59".utf8), number: 1, now: 1_000_000_000) { _ in }
        p.flush(now: 2_000_000_000) { if case .event(let e) = $0 { got.append(e) } }
        #expect(got.isEmpty)  // only 1 s old
        p.flush(now: 3_100_000_000) { if case .event(let e) = $0 { got.append(e) } }
        #expect(got.count == 1)
        #expect(got.first?.completion == .flushed)
    }

    @Test func openEventsAreBoundedAndEvictionIsCounted() {
        var c = EventAssembler.Configuration()
        c.maxOpenEvents = 3
        var lines: [String] = []
        for i in 0..<5 { lines.append("type=SYSCALL msg=audit(1.000:\(i)): arch=c000003e syscall=59") }
        let out = TestSupport.assemble(lines, configuration: c)
        #expect(out.stats.evicted == 2)
        #expect(out.events.count == 5)
        #expect(out.events.prefix(2).allSatisfy { $0.completion == .evicted })
    }

    @Test func orphanEOEIsCountedNotEmitted() {
        let out = TestSupport.assemble(["type=EOE msg=audit(1.000:1): "])
        #expect(out.events.isEmpty)
        #expect(out.stats.orphanEOE == 1)
    }
}
