/// The syntax tree of a Falco condition, shaped like libsinsp's `ast::expr` so that the canonical printer can
/// reproduce Falco's `as_string` output and macro substitution can work on whole subtrees (§1.4).
public indirect enum ConditionNode: Hashable, Sendable {
    /// `a and b and c`: a chain at one parenthesis level is one n-ary node (Falco flattens chains, not nesting).
    case and([ConditionNode])
    case or([ConditionNode])
    case not(ConditionNode)
    /// A bare identifier: a macro reference until macros are resolved.
    case identifier(String)
    /// `field exists`.
    case exists(FieldExpression)
    case comparison(ComparisonNode)
}

/// `lhs op [modifier] rhs`.
public struct ComparisonNode: Hashable, Sendable {
    public var lhs: FieldExpression
    public var op: ComparisonOperator
    public var modifier: ListModifier?
    public var rhs: ConditionValue

    public init(lhs: FieldExpression, op: ComparisonOperator, modifier: ListModifier? = nil, rhs: ConditionValue) {
        self.lhs = lhs
        self.op = op
        self.modifier = modifier
        self.rhs = rhs
    }
}

/// A field, or a transformer applied to fields.
public indirect enum FieldExpression: Hashable, Sendable {
    case field(name: String, argument: String?)
    case transformer(TransformerKind, arguments: [TransformerArgument], argument: String?)

    /// Every field name the expression reads (for `describe` and exception-field bookkeeping).
    public var fieldNames: [String] {
        switch self {
        case .field(let name, let argument): return [argument.map { "\(name)[\($0)]" } ?? name]
        case .transformer(_, let arguments, _): return arguments.flatMap(\.fieldNames)
        }
    }
}

public indirect enum TransformerArgument: Hashable, Sendable {
    case expression(FieldExpression)
    case string(String)
    case number(String)
    case list([TransformerArgument])

    var fieldNames: [String] {
        switch self {
        case .expression(let e): return e.fieldNames
        case .list(let items): return items.flatMap(\.fieldNames)
        case .string, .number: return []
        }
    }
}

public enum TransformerKind: String, Hashable, Sendable, CaseIterable {
    case tolower, toupper, b64, basename, len, join, concat, getopt
}

/// The right-hand side of a comparison.
public enum ConditionValue: Hashable, Sendable {
    /// A single literal (bare or quoted, already unescaped). After a list operator a bare identifier is also a
    /// single value, as in libsinsp (an undefined list name silently becomes a literal).
    case value(String)
    case list([String])
    /// `val(field)` (printed as `val(...)`) or a transformer (printed as itself).
    case field(FieldExpression)
}

public enum ListModifier: String, Hashable, Sendable, CaseIterable {
    case oneof, anyof, allof
}

/// Binary operators, spelled as written (`=` and `==` print back as they were parsed).
public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable {
    case equal = "="
    case doubleEqual = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case contains, icontains, bcontains, startswith, bstartswith, endswith, glob, iglob, regex
    case `in`, intersects, pmatch

    public var isListOperator: Bool { self == .in || self == .intersects || self == .pmatch }
    public var isNumericOperator: Bool {
        self == .less || self == .lessOrEqual || self == .greater || self == .greaterOrEqual
    }
}
