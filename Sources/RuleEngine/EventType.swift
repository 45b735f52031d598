/// A small integer naming an event type (a syscall or Falco event name) in an ``EventTypeTable``.
///
/// The audit side resolves its syscall name to a code once per event (or once per (arch, syscall number) in its own
/// table) so that the engine can index rules by an array lookup instead of hashing a string per event.
public struct EventTypeCode: Hashable, Sendable, Comparable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The interning table between event-type names and ``EventTypeCode``s.
///
/// It is fixed (built from ``KnownEventTypeNames``) so codes are stable across rulesets and threads; a name the
/// table does not know has no code, and an event of such a type only meets rules whose event-type set is
/// "everything except ..." (see ``EventTypeSet``).
public struct EventTypeTable: Sendable {
    public static let standard = EventTypeTable(names: KnownEventTypeNames.all)

    public let names: [String]
    private let codes: [String: EventTypeCode]

    public init(names: [String]) {
        self.names = names
        var codes: [String: EventTypeCode] = [:]
        for (index, name) in names.enumerated() { codes[name] = EventTypeCode(rawValue: UInt16(index)) }
        self.codes = codes
    }

    public var count: Int { names.count }

    /// The code of `name`, or nil for a name outside the table.
    public func code(for name: String) -> EventTypeCode? { codes[name] }

    /// The code of a name given as UTF-8 bytes (as the audit decoder holds it), without building a String.
    public func code<Bytes: Collection<UInt8>>(forUTF8 bytes: Bytes) -> EventTypeCode? {
        // Names are short ASCII; building the key on the stack is not possible with Dictionary<String>, so the
        // caller should cache the result per (arch, syscall number). This helper is for tests and tools.
        codes[String(decoding: bytes, as: UTF8.self)]
    }

    public func name(of code: EventTypeCode) -> String? {
        Int(code.rawValue) < names.count ? names[Int(code.rawValue)] : nil
    }
}

/// The set of event types a condition can match (§2.6): either a finite set, or everything except a finite set.
///
/// Keeping the complement symbolic makes `not evt.type = open` exact without enumerating a universe, and keeps
/// event names outside the table matched by "everything except" sets, as Falco's "all event types" list does.
public struct EventTypeSet: Hashable, Sendable {
    public private(set) var isComplement: Bool
    public private(set) var members: Set<EventTypeCode>

    public init(_ members: Set<EventTypeCode>, complement: Bool = false) {
        self.members = members
        self.isComplement = complement
    }

    public static let all = EventTypeSet([], complement: true)
    public static let none = EventTypeSet([])

    public var isAll: Bool { isComplement && members.isEmpty }
    public var isEmpty: Bool { !isComplement && members.isEmpty }

    public func contains(_ code: EventTypeCode) -> Bool { members.contains(code) != isComplement }

    public var inverted: EventTypeSet { EventTypeSet(members, complement: !isComplement) }

    public func intersection(_ other: EventTypeSet) -> EventTypeSet {
        switch (isComplement, other.isComplement) {
        case (false, false): return EventTypeSet(members.intersection(other.members))
        case (false, true): return EventTypeSet(members.subtracting(other.members))
        case (true, false): return EventTypeSet(other.members.subtracting(members))
        case (true, true): return EventTypeSet(members.union(other.members), complement: true)
        }
    }

    public func union(_ other: EventTypeSet) -> EventTypeSet {
        inverted.intersection(other.inverted).inverted
    }

    /// Number of table entries in the set (complements count against the table size).
    public func count(in table: EventTypeTable) -> Int {
        isComplement ? table.count - members.count : members.count
    }

    /// Whether `other` is included in this set.
    public func isSuperset(of other: EventTypeSet) -> Bool { other.intersection(inverted).isEmpty }

    /// Names in table order; a complement set is rendered as `all except (...)`.
    public func names(in table: EventTypeTable) -> [String] {
        members.sorted().compactMap { table.name(of: $0) }.sorted()
    }

    public func description(in table: EventTypeTable) -> String {
        let list = names(in: table).joined(separator: ", ")
        if isAll { return "all" }
        return isComplement ? "all except (\(list))" : list
    }
}
