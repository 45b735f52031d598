import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel for transparent huge pages on the main heap, as glibc's own `glibc.malloc.hugetlb=1` tunable
/// does — but without an environment variable, which a service or a shell would have to set before start.
///
/// Why: the process table, the completed-event keys and the per-event values are tens of megabytes touched in no
/// particular order; with 4 KiB pages a replay spent 3 % of its time in page faults and more in TLB misses
/// (`vigil replay --rules` on the benchmark log, best of five: 0.83–0.86 s without, 0.81–0.83 s with, the same as
/// with glibc's tunable; docs/PERFORMANCE.md). The heap grows in large steps (`M_TOP_PAD`) so that each step is
/// advised before most of it is touched; `advise()` is cheap to call often (one `sbrk(0)`, a syscall only when
/// the heap grew). Where transparent huge pages are off (`never`), madvise
/// changes nothing; the memory cost is at most one partly used 2 MiB page per heap step. Used by `vigil replay`,
/// a batch job over a whole log; the daemon keeps the allocator's defaults.
enum HeapPages {
    nonisolated(unsafe) private static var advisedEnd: UInt = 0
    nonisolated(unsafe) private static var heapStart: UInt = 0

    /// Grows the heap in 32 MiB steps and advises what exists; call once, before the work allocates.
    static func setUp() {
        _ = mallopt(M_TOP_PAD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
        if let p = malloc(1) { free(p) }  // the heap exists from here
        heapStart = currentHeapStart() ?? 0
        advise()
    }

    /// Advises the part of the heap that grew since the last call.
    static func advise() {
        guard heapStart != 0, let brk = sbrk(0) else { return }
        let end = UInt(bitPattern: brk)
        guard end > advisedEnd else { return }
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let from = max(heapStart, advisedEnd) & ~(page - 1)
        if end > from, let start = UnsafeMutableRawPointer(bitPattern: from) {
            _ = madvise(start, Int(end - from), MADV_HUGEPAGE)
        }
        advisedEnd = end
    }

    /// The `[heap]` mapping's start, from /proc/self/maps.
    private static func currentHeapStart() -> UInt? {
        guard let f = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasSuffix("[heap]\n") else { continue }
            return text.split(separator: "-").first.flatMap { UInt($0, radix: 16) }
        }
        return nil
    }
}
