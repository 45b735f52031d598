/// The identity of an audit event as the kernel stamps it: `audit(SEC.MS:SERIAL)`.
///
/// Reassembly keys on the full stamp plus the node, as auparse does: keying on the serial alone (go-audit) merges
/// events of different hosts and breaks across serial rollover.
public struct EventStamp: Hashable, Comparable, Sendable {
    public var seconds: Int64
    public var milliseconds: UInt16
    public var serial: UInt32

    public init(seconds: Int64, milliseconds: UInt16, serial: UInt32) {
        self.seconds = seconds
        self.milliseconds = milliseconds
        self.serial = serial
    }

    /// Epoch nanoseconds, saturating: a forged stamp (seconds past the year 2262) must not trap the daemon.
    public var timeNanos: Int64 {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, carry) = scaled.addingReportingOverflow(Int64(milliseconds) * 1_000_000)
        return carry ? .max : sum
    }

    /// Stream time in milliseconds; the assembler's expiry clock.
    public var timeMillis: Int64 { seconds &* 1000 &+ Int64(milliseconds) }

    public static func < (a: EventStamp, b: EventStamp) -> Bool {
        (a.seconds, a.milliseconds, a.serial) < (b.seconds, b.milliseconds, b.serial)
    }

    /// `SEC.MMM:SERIAL`, the form ausearch and LAUREL print.
    public var text: String {
        let ms = String(milliseconds)
        return "\(seconds).\(String(repeating: "0", count: 3 - ms.count))\(ms):\(serial)"
    }
}

/// Event key: node (interned, 0 = no `node=` prefix) and stamp.
public struct EventKey: Hashable, Sendable {
    public var node: UInt32
    public var stamp: EventStamp

    public init(node: UInt32, stamp: EventStamp) {
        self.node = node
        self.stamp = stamp
    }

    /// One word instead of four: keys are hashed several times per event on the assembler's path. Mixing
    /// loses nothing that matters — equality still compares every member.
    @inlinable
    var word: UInt64 {
        let seconds = UInt64(truncatingIfNeeded: stamp.seconds)
        return UInt64(stamp.serial) | UInt64(stamp.milliseconds) << 32 ^ seconds << 42 ^ seconds >> 22 ^ UInt64(node) << 52
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(word)
    }

    /// The dictionaries' own entry point, answered without `Hasher`: SipHash's set-up and finalisation were 3 %
    /// of a replay with rules (three lookups per event). The per-process seed still goes in first and the
    /// SplitMix64 finaliser spreads every input bit, so bucket collisions cannot be planned from a log.
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        var x = word ^ UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: x ^ (x >> 31))
    }
}
