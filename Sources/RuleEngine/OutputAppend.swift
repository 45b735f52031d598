/// An `append_output` entry of falco.yaml: text appended to the output of every rule it matches, and fields added to
/// their JSON `output_fields` only. Falco's default (`suggested_output: true`) is what puts
/// `container_id=… container_name=…` at the end of every syscall alert an operator has seen; rules are written
/// without it, so an alert from a stock rule would otherwise not say which container it came from.
public struct OutputAppend: Sendable, Equatable {
    /// Match: the rule's source (nil: any), its name (nil: any), and tags it must all carry.
    public var source: String?
    public var rule: String?
    public var tags: [String]
    /// Appended after one blank; empty for none.
    public var extraOutput: String
    /// `output_fields` entries: a bare field name (its value, typed), or a key with a format (rendered as text).
    public var extraFields: [(key: String, format: String)]

    public init(
        source: String? = nil, rule: String? = nil, tags: [String] = [], extraOutput: String = "",
        extraFields: [(key: String, format: String)] = []
    ) {
        self.source = source
        self.rule = rule
        self.tags = tags
        self.extraOutput = extraOutput
        self.extraFields = extraFields
    }

    /// `suggested_output: true`: the fields the container plugin flags as suggested, for the syscall source.
    public static let suggested = OutputAppend(
        source: "syscall", extraOutput: "container_id=%container.id container_name=%container.name")

    public func matches(source s: String, rule name: String, tags ruleTags: Set<String>) -> Bool {
        (source == nil || source == s) && (rule == nil || rule == name) && tags.allSatisfy(ruleTags.contains)
    }

    public static func == (a: OutputAppend, b: OutputAppend) -> Bool {
        a.source == b.source && a.rule == b.rule && a.tags == b.tags && a.extraOutput == b.extraOutput
            && a.extraFields.elementsEqual(b.extraFields) { $0.key == $1.key && $0.format == $1.format }
    }
}
