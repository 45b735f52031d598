/// Membership for `in`/`intersects` constants without hashing: sorted byte strings searched by binary search,
/// after a length pre-check (as libsinsp's sets check min/max length first). Typical rule lists are tens of short
/// items, where a few `memcmp`-like comparisons beat SipHash over the value.
struct SortedByteSet: Sendable {
    private let items: [[UInt8]]
    private let minLength: Int
    private let maxLength: Int

    init(_ values: [[UInt8]]) {
        var unique = Array(Set(values))
        unique.sort { ByteMatching.compare($0, $1) < 0 }
        items = unique
        minLength = unique.map(\.count).min() ?? 0
        maxLength = unique.map(\.count).max() ?? -1
    }

    func contains(_ value: [UInt8]) -> Bool {
        guard value.count >= minLength, value.count <= maxLength else { return false }
        var low = 0
        var high = items.count - 1
        while low <= high {
            let mid = (low + high) >> 1
            let order = ByteMatching.compare(items[mid], value)
            if order == 0 { return true }
            if order < 0 { low = mid + 1 } else { high = mid - 1 }
        }
        return false
    }
}
