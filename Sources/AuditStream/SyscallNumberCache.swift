/// Values worked out from a syscall's name, remembered by (arch, number) so that a per-event lookup is an array
/// read instead of string compares or a String-keyed hash.
///
/// A stream mixes at most a few arches (a 64-bit host runs some 32-bit programs); each gets its own table, up to
/// four — beyond that, values are worked out every time (correct, only slower).
public struct SyscallNumberCache<Value> {
    @usableFromInline var arches: [UInt32] = []
    /// One flat table, `numbers` entries per arch in `arches` order (one array: a nested one retained and released
    /// the inner table on every read).
    @usableFromInline var values: [Value?] = []
    @usableFromInline var lastArch: UInt32 = 0
    @usableFromInline var lastBase = -1
    @usableFromInline static var numbers: Int { 1024 }
    @usableFromInline static var maxArches: Int { 4 }

    public init() {}

    /// The value for `number` on `arch`, from `compute` the first time.
    @inlinable
    public mutating func value(arch: UInt32, number: Int, _ compute: () -> Value) -> Value {
        guard number >= 0, number < Self.numbers else { return compute() }
        if lastBase < 0 || arch != lastArch {
            var t = 0
            while t < arches.count, arches[t] != arch { t += 1 }
            if t == arches.count {
                guard arches.count < Self.maxArches else { return compute() }
                arches.append(arch)
                values.append(contentsOf: repeatElement(nil, count: Self.numbers))
            }
            lastArch = arch
            lastBase = t * Self.numbers
        }
        let i = lastBase + number
        if let v = values[i] { return v }
        let v = compute()
        values[i] = v
        return v
    }
}
