import Testing

@testable import Baselines

struct PathGeneraliserTests {
    @Test(arguments: [
        ("/proc/4711/status", "/proc/*/status"),
        ("/proc/4711/task/4712/stat", "/proc/*/task/*/stat"),
        ("/dev/pts/3", "/dev/pts/*"),
        ("/tmp/tmp.k3Jd9a/upload_81.json", "/tmp/*/*.json"),
        ("/tmp/phpAbCdEf", "/tmp/*"),
        ("/var/tmp/sess_8f2a", "/var/tmp/*"),
        ("/dev/shm/sem.x91", "/dev/shm/*"),
        ("/usr/lib/python3.11/os.py", "/usr/lib/python*/os.py"),
        ("/opt/app/releases/v1.2.3/bin/app", "/opt/app/releases/v*/bin/app"),
        ("/var/log/app-2026-11-25.log", "/var/log/app-*.log"),
        ("/var/lib/docker/containers/0c9231465baa7c0383ebf648f178dfeda50350e30b642e7f37f67ba96d7b9553/hostname", "/var/lib/docker/containers/*/hostname"),
        ("/run/secrets/123e4567-e89b-12d3-a456-426614174000", "/run/secrets/*"),
    ])
    func collapses(_ path: String, _ pattern: String) {
        #expect(PathGeneraliser.generalise(path) == pattern)
    }

    /// What names a file's kind or a library's ABI stays: a single short number, words, the temp root itself.
    @Test(arguments: [
        "/lib/x86_64-linux-gnu/libc.so.6", "/etc/passwd", "/usr/bin/python3", "/dev/sda1", "/tmp/", "/tmp/app.sock",
        "/usr/share/zoneinfo/Europe/Berlin", "/etc/nginx/conf.d/default.conf",
    ])
    func keeps(_ path: String) {
        #expect(PathGeneraliser.generalise(path) == path)
    }

    @Test func idempotentSoAcceptedPatternsMatchTheirPaths() {
        for p in ["/proc/1/status", "/tmp/tmp.k3Jd9a/upload_81.json", "/usr/lib/python3.11/os.py", "/a/b-1.2/c"] {
            let once = PathGeneraliser.generalise(p)
            #expect(PathGeneraliser.generalise(once) == once)
        }
    }

    @Test func longPathsAreCutAndMarked() {
        let long = "/data/" + String(repeating: "x", count: 2_000)
        let g = PathGeneraliser.generalise(long)
        #expect(g.utf8.count == PathGeneraliser.maxLength + 1)
        #expect(g.hasSuffix("*"))
        // Two long paths differing only beyond the cut are one item.
        #expect(PathGeneraliser.generalise(long + "a") == PathGeneraliser.generalise(long + "b"))
    }

    /// A thousand per-request temp files and pids make a handful of items, not a thousand.
    @Test func volatileNamesDoNotGrowAProfile() {
        var patterns = Set<String>()
        for i in 0..<1_000 {
            patterns.insert(PathGeneraliser.generalise("/proc/\(i + 300)/cmdline"))
            patterns.insert(PathGeneraliser.generalise("/tmp/req-\(i)/body.bin"))
            patterns.insert(PathGeneraliser.generalise("/var/cache/app/\(String(i * 7919, radix: 16))\(String(repeating: "f0", count: 8))"))
        }
        #expect(patterns == ["/proc/*/cmdline", "/tmp/*/body.bin", "/var/cache/app/*"])
    }
}
