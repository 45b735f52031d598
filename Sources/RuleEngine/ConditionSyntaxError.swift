/// A condition that does not parse, with the position where the parser stopped (1-based line and column within
/// the condition text, and the byte offset), so a loader can point into the YAML scalar.
public struct ConditionSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int

    public var description: String { "\(message) (at line \(line), column \(column))" }
}
