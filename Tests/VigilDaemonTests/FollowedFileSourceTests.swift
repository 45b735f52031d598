import AuditStream
import Foundation
import Testing
import VigilDaemon
import VigilTestSupport

/// The file source against real files: a log larger than one read chunk is renamed away (auditd's rotation)
/// while it is being read and a new file appears at the path. Every event of both files comes out exactly once:
/// the old file is read to its end before the new one is opened.
struct FollowedFileSourceTests {
    static func events(_ range: ClosedRange<Int>) -> String {
        var text = ""
        for i in range {
            let stamp = "\(1795900000 + i / 1000).\(String(format: "%03d", i % 1000)):\(i)"
            text += "type=SYSCALL msg=audit(\(stamp)): arch=c000003e syscall=59 success=yes exit=0 pid=\(i) comm=\"true\" exe=\"/usr/bin/true\"\n"
            text += "type=EXECVE msg=audit(\(stamp)): argc=2 a0=\"true\" a1=\"n\(i)\"\ntype=EOE msg=audit(\(stamp)): \n"
        }
        return text
    }

    @Test func rotationWhileALargeFileIsBeingReadLosesNothing() throws {
        let dir = TemporaryDirectory("vigil-rotate")
        let path = dir.path("audit.log")
        FileManager.default.createFile(atPath: path, contents: Data())
        let source = FollowedFileSource(path: path, stateFile: dir.path("offset"))
        let pipeline = AuditStreamPipeline()
        var serials: [UInt32] = []
        let collect: (AuditStreamPipeline.Output) -> Void = { out in
            if case .event(let e) = out { serials.append(e.stamp.serial) }
        }
        // About 3.5 MiB: several read chunks.
        try Self.events(1...16_000).write(toFile: path, atomically: false, encoding: .utf8)
        var now: UInt64 = 1
        _ = try source.drain(into: pipeline, now: now, emit: collect)
        #expect(source.hasMore, "the first read stops at its chunk budget")
        // Rotated while most of the old file is unread.
        try FileManager.default.moveItem(atPath: path, toPath: dir.path("audit.log.1"))
        try Self.events(16_001...18_000).write(toFile: path, atomically: false, encoding: .utf8)
        for _ in 0..<200 {
            now += 1_000_000
            _ = try source.drain(into: pipeline, now: now, emit: collect)
            if !source.hasMore && serials.count >= 18_000 { break }
        }
        source.finish(into: pipeline, emit: collect)
        #expect(source.rotations == 1)
        #expect(serials.count == 18_000)
        #expect(Set(serials) == Set((1...18_000).map(UInt32.init)))
    }
}
