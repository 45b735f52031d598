/// A stable 64-bit hash (FNV-1a) of a dimension and an item's bytes. The hot path checks an event against a
/// profile with one set lookup of this value per dimension; Swift's `Hasher` is seeded per process, which would
/// do for memory but not for a value computed the same way by every process that opens the database.
public enum ItemHash {
    public static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inlinable
    public static func hash<C: Collection>(_ dimension: Dimension, _ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h = offset
        h = (h ^ UInt64(dimension.index + 1)) &* prime
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    public static func hash(_ dimension: Dimension, _ text: String) -> UInt64 { hash(dimension, text.utf8) }
}
