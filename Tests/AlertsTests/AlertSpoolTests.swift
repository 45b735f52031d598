import Foundation
import Testing

@testable import Alerts

#if canImport(Glibc)
import Glibc
#endif

@Suite("Disk spool")
struct AlertSpoolTests {
    func payload(_ index: Int, size: Int = 40) -> [UInt8] {
        let text = "record-\(index)-"
        return Array((text + String(repeating: "x", count: max(0, size - text.count))).utf8)
    }

    @Test func fifoAcrossSegmentsAndRestarts() throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        do {
            let spool = try AlertSpool(directory: directory, maximumBytes: 1 << 20, segmentBytes: 1024, logger: TestSupport.logger)
            try spool.append((0..<30).map { payload($0) })
            try spool.append((30..<60).map { payload($0) })
            #expect(spool.pendingCount == 60)
            let first = try spool.read(maximum: 25)
            #expect(first.map(\.payload) == (0..<25).map { payload($0) })
            spool.commit(first[24].end)
            #expect(spool.pendingCount == 35)
            // Reading without committing does not consume.
            _ = try spool.read(maximum: 10)
            #expect(spool.pendingCount == 35)
            spool.close()
        }
        // A new instance (a restart) continues at the saved cursor.
        let reopened = try AlertSpool(directory: directory, maximumBytes: 1 << 20, segmentBytes: 1024, logger: TestSupport.logger)
        defer { reopened.close() }
        #expect(reopened.pendingCount == 35)
        let rest = try reopened.read(maximum: 100)
        #expect(rest.map(\.payload) == (25..<60).map { payload($0) })
        reopened.commit(rest.last!.end)
        #expect(reopened.isEmpty)
        // Consumed segments are removed from disk.
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }
        #expect(segments.count == 1)
    }

    @Test func recordsLargerThanAReadChunk() throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let spool = try AlertSpool(directory: directory, maximumBytes: 16 << 20, segmentBytes: 1 << 20, logger: TestSupport.logger)
        defer { spool.close() }
        let payloads = [payload(0), payload(1, size: 200_000), payload(2), payload(3, size: 70_000), payload(4)]
        try spool.append(payloads)
        var read: [[UInt8]] = []
        while read.count < payloads.count {
            let batch = try spool.read(maximum: 2)
            try #require(!batch.isEmpty)
            read += batch.map(\.payload)
            spool.commit(batch.last!.end)
        }
        #expect(read == payloads)
        #expect(spool.isEmpty)
    }

    @Test func tornTailFromACrashIsCutOff() throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        do {
            let spool = try AlertSpool(directory: directory, logger: TestSupport.logger)
            try spool.append((0..<3).map { payload($0) })
            spool.close()
        }
        let segment = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".seg") })
        // Half a record, as a power cut in the middle of write(2) could leave.
        let handle = try #require(FileHandle(forWritingAtPath: "\(directory)/\(segment)"))
        handle.seekToEndOfFile()
        handle.write(Data([0, 0, 0, 40, 1, 2, 3, 4]) + Data("record-3-partial".utf8))
        handle.closeFile()
        let spool = try AlertSpool(directory: directory, logger: TestSupport.logger)
        defer { spool.close() }
        #expect(spool.pendingCount == 3)
        try spool.append([payload(4)])
        #expect(try spool.read(maximum: 10).map(\.payload) == [payload(0), payload(1), payload(2), payload(4)])
    }

    @Test func sizeBoundDropsOldestAndCountsThem() throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let spool = try AlertSpool(directory: directory, maximumBytes: 4096, segmentBytes: 1024, logger: TestSupport.logger)
        defer { spool.close() }
        var dropped = 0
        for index in 0..<200 { dropped += try spool.append([payload(index, size: 92)]) }
        #expect(dropped > 0)
        #expect(spool.diskBytes <= 4096 + 1024)
        #expect(spool.pendingCount + dropped == 200)
        let remaining = try spool.read(maximum: 1000).map(\.payload)
        // What is left is the newest, contiguous, in order.
        #expect(remaining == (dropped..<200).map { payload($0, size: 92) })
    }

    @Test func oneProcessPerSpoolDirectory() throws {
        let directory = TestSupport.temporaryDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let spool = try AlertSpool(directory: directory, logger: TestSupport.logger)
        #expect(throws: AlertSpoolError.self) { try AlertSpool(directory: directory, logger: TestSupport.logger) }
        spool.close()
        let again = try AlertSpool(directory: directory, logger: TestSupport.logger)
        again.close()
    }
}
