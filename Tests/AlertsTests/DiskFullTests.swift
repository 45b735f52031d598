import Foundation
import Logging
import Testing

@testable import Alerts

#if canImport(Glibc)
import Glibc
#endif

/// A full disk under the file sink and its spool (a real 512 KiB tmpfs, mounted by the test as root): the router
/// keeps taking alerts, the sink counts what it could not write and retries, and once space returns every alert
/// that was not counted as dropped reaches the file, in order.
struct DiskFullTests {
    let fastRetry = RetryBackoff(initialMilliseconds: 5, maximumMilliseconds: 100)

    /// Mounts a tmpfs of `kib` KiB at a new directory; nil when mounting is not possible (not root).
    static func mountSmallTmpfs(kib: Int) -> String? {
        let dir = TestSupport.temporaryDirectory("vigil-diskfull")
        guard mount("tmpfs", dir, "tmpfs", 0, "size=\(kib)k,mode=0700") == 0 else {
            TestSupport.removeDirectory(dir)
            return nil
        }
        return dir
    }

    /// Fills the file system at `dir` with one file until ENOSPC; returns the file's path.
    static func fill(_ dir: String) -> String {
        let path = dir + "/filler"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let block = [UInt8](repeating: 0x41, count: 4096)
        while write(fd, block, block.count) > 0 {}
        close(fd)
        return path
    }

    @Test func fileSinkOnAFullDiskCountsRetriesAndRecoversWithoutLoss() async throws {
        let dir = try #require(Self.mountSmallTmpfs(kib: 512), "mounting a tmpfs needs root (CI runs as root)")
        defer {
            umount2(dir, Int32(MNT_DETACH))
            TestSupport.removeDirectory(dir)
        }
        let alertsPath = dir + "/alerts.json"
        let sink = FileAlertSink(path: alertsPath, fsync: .never, logger: TestSupport.logger)
        let settings = SinkSettings(
            name: "file", queueCapacity: 10_000, batchMaximum: 16, retry: fastRetry,
            spool: SpoolSettings(directory: dir + "/spool", fsync: .never))
        let router = try AlertRouter(sinks: [RoutedSink(settings: settings, sink: sink)], logger: TestSupport.logger)
        // A first alert proves the file works, then the disk fills up.
        let first = TestSupport.makeAlert(0)
        router.submit(first)
        #expect(await TestSupport.waitUntil { router.counters().counters(for: "file")?.delivered == 1 })
        let filler = Self.fill(dir)

        let alerts = (1...300).map { TestSupport.makeAlert($0) }
        let start = ContinuousClock.now
        for alert in alerts { router.submit(alert) }
        // Submitting never waits for the disk.
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(await TestSupport.waitUntil { (router.counters().counters(for: "file")?.retried ?? 0) >= 3 })
        let during = try #require(router.counters().counters(for: "file"))
        #expect(during.delivered < 301, "nothing more fits on the disk")

        // Space returns: delivery resumes by itself.
        try FileManager.default.removeItem(atPath: filler)
        #expect(await TestSupport.waitUntil {
            let c = router.counters().counters(for: "file")
            return (c?.delivered ?? 0) + (c?.dropped ?? 0) >= 301
        })
        await router.shutdown(drainTimeout: .seconds(5))
        let after = try #require(router.counters().counters(for: "file"))
        #expect(after.dropped == 0, "the memory queue held everything while the disk was full")
        #expect(after.delivered == 301)
        let lines = try String(contentsOfFile: alertsPath, encoding: .utf8).split(separator: "\n")
        let uuids = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["uuid"] as? String
        }
        #expect(uuids == ([first] + alerts).map(\.uuid), "every alert once, in order")
    }

    /// The same disk also holds the spool, and the memory queue is small: what neither the file nor the spool can
    /// take is counted as dropped (and logged), never silently lost; delivered + dropped accounts for every alert,
    /// and alerts after the space returns are delivered.
    @Test func fullSpoolCountsDropsAndNewAlertsFlowOnceSpaceReturns() async throws {
        let dir = try #require(Self.mountSmallTmpfs(kib: 512), "mounting a tmpfs needs root (CI runs as root)")
        defer {
            umount2(dir, Int32(MNT_DETACH))
            TestSupport.removeDirectory(dir)
        }
        let sink = FileAlertSink(path: dir + "/alerts.json", fsync: .never, logger: TestSupport.logger)
        let settings = SinkSettings(
            name: "file", queueCapacity: 8, overflow: .spill, batchMaximum: 4, retry: fastRetry,
            spool: SpoolSettings(directory: dir + "/spool", fsync: .never))
        let router = try AlertRouter(sinks: [RoutedSink(settings: settings, sink: sink)], logger: TestSupport.logger)
        let filler = Self.fill(dir)
        for i in 0..<400 { router.submit(TestSupport.makeAlert(i)) }
        #expect(await TestSupport.waitUntil { (router.counters().counters(for: "file")?.dropped ?? 0) > 0 })
        try FileManager.default.removeItem(atPath: filler)
        for i in 400..<410 { router.submit(TestSupport.makeAlert(i)) }
        #expect(await TestSupport.waitUntil {
            let c = router.counters().counters(for: "file")
            return (c?.delivered ?? 0) + (c?.dropped ?? 0) >= 410
        })
        await router.shutdown(drainTimeout: .seconds(5))
        let c = try #require(router.counters().counters(for: "file"))
        #expect(c.delivered + c.dropped == 410)
        #expect(c.delivered >= 10, "alerts after the space returned were written")
        let text = try String(contentsOfFile: dir + "/alerts.json", encoding: .utf8)
        let seqs = text.split(separator: "\n").compactMap { line -> Int? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["output_fields"] as? [String: Any])?["seq"] as? Int
        }
        #expect(seqs.count == Int(c.delivered), "every delivered alert is a whole JSON line")
        #expect(Array(seqs.suffix(10)) == Array(400..<410))
    }
}
