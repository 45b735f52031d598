/// A rule ready for evaluation: its compiled condition, event types, output format and metadata. Immutable and
/// shared by reference between the ruleset and its evaluators.
public final class CompiledRule: Sendable {
    public let name: String
    public let description: String
    public let priority: Priority
    public let source: String
    /// Sorted and de-duplicated, as Falco stores tags in a `std::set`.
    public let tags: [String]
    /// The condition after exceptions, list and macro substitution, as a tree (printed by `describe`).
    public let condition: ConditionNode
    /// The condition text before substitution (exceptions applied).
    public let conditionText: String
    public let eventTypes: EventTypeSet
    public let output: OutputFormat
    public let exceptionFields: [String]
    public let enabledInFile: Bool
    public let warnEvttypes: Bool
    public let capture: Bool
    public let captureDuration: Int
    public let location: SourceLocation
    /// Position in the evaluation order (order of first definition across files).
    public let order: Int
    let compiled: CompiledNode

    init(
        name: String, description: String, priority: Priority, source: String, tags: [String],
        condition: ConditionNode, conditionText: String, eventTypes: EventTypeSet, output: OutputFormat,
        exceptionFields: [String], enabledInFile: Bool, warnEvttypes: Bool, capture: Bool, captureDuration: Int,
        location: SourceLocation, order: Int, compiled: CompiledNode
    ) {
        self.name = name
        self.description = description
        self.priority = priority
        self.source = source
        self.tags = tags
        self.condition = condition
        self.conditionText = conditionText
        self.eventTypes = eventTypes
        self.output = output
        self.exceptionFields = exceptionFields
        self.enabledInFile = enabledInFile
        self.warnEvttypes = warnEvttypes
        self.capture = capture
        self.captureDuration = captureDuration
        self.location = location
        self.order = order
        self.compiled = compiled
    }

    /// The compiled condition in Falco's canonical form.
    public var canonicalCondition: String { ConditionPrinter.string(condition) }
}
