/// Admits at most `perSecond` log lines per second and counts the rest, so a burst of bad input is reported as
/// a number instead of drowning the log (and the disk under it).
struct RateLimitedLog {
    let perSecond: Int
    private var windowStart: UInt64 = 0
    private var admitted = 0
    private var suppressed = 0

    init(perSecond: Int) { self.perSecond = perSecond }

    mutating func admit(now: UInt64) -> Bool {
        if now &- windowStart >= 1_000_000_000 {
            windowStart = now
            admitted = 0
        }
        if admitted < perSecond {
            admitted += 1
            return true
        }
        suppressed += 1
        return false
    }

    /// The count suppressed in a window that has ended, once.
    mutating func takeSuppressed(now: UInt64) -> Int? {
        guard suppressed > 0, now &- windowStart >= 1_000_000_000 else { return nil }
        defer { suppressed = 0 }
        return suppressed
    }
}
