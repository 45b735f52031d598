/// Why a parsed condition (or output) cannot be compiled against the field registry.
public struct ConditionCompileError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// A field the registry does not know: the rule is skipped instead when it says `skip-if-unknown-filter`.
        case unknownField
        /// An `evt.type` value that is not an event name: also skippable.
        case unknownEventType
        case invalid
    }

    public var kind: Kind
    public var message: String

    public var description: String { message }
}
