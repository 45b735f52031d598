/// A condition compiled once for evaluation: no names, no parsing, constants pre-encoded as bytes, numbers,
/// addresses, sets, globs or regexes. Field reads are slots of the ruleset's per-event cache, so every
/// (field, argument) is extracted at most once per event however many rules read it.
indirect enum CompiledNode: Sendable {
    case and([CompiledNode])
    case or([CompiledNode])
    case not(CompiledNode)
    case constant(Bool)
    /// `evt.type`/`syscall.type` equality and membership, answered from the event's code without extraction.
    case eventType(Set<EventTypeCode>, negated: Bool)
    case exists(CompiledValue)
    case check(CompiledCheck)
}

/// Where a value comes from.
indirect enum CompiledValue: Sendable {
    /// A slot of the ruleset's field table.
    case field(slot: Int)
    case transform(TransformerKind, [TransformerInput], argument: FieldArgument?)
}

enum TransformerInput: Sendable {
    case value(CompiledValue)
    case constant(FieldValue)
    case list([TransformerInput])
}

/// How a list-valued left-hand side is matched.
enum ElementMode: Sendable {
    /// The value is compared as is.
    case scalar
    /// Any element satisfying the test is enough (ancestor fields without index, `intersects`, string ops on lists).
    case anyElement
    /// Every element must satisfy it, and there must be one (`in` on a list field).
    case allElements
}

struct CompiledCheck: Sendable {
    var lhs: CompiledValue
    var mode: ElementMode
    var test: CompiledTest
}

enum CompiledTest: Sendable {
    /// Against constants prepared at compile time.
    case constant(@Sendable (FieldValue) -> Bool)
    /// Against another field (`val()` or a transformer on the right-hand side).
    case field(CompiledValue, ComparisonOperator)
}
