/// Recursive-descent parser for Falco conditions, following libsinsp's `filter/parser.cpp` token by token
/// (§2.1): the same blank rules after `and`/`or`/`not`, word operators that need a trailing blank, bare-string
/// and number token shapes, and the same depth guard. Falco rules rely on these quirks (`notb` is an identifier,
/// `a.b = not` is a value), so they are reproduced rather than "improved".
public struct ConditionParser {
    public static let defaultMaxDepth = 100
    /// Falco raises the limit for rule and macro conditions.
    public static let ruleMaxDepth = 1000

    private let input: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var depth = 0
    private let maxDepth: Int
    private var lastToken = ""

    private init(_ text: String, maxDepth: Int) {
        self.input = Array(text.utf8)
        self.maxDepth = maxDepth
    }

    /// Parses a whole condition; the entire input must be consumed.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(ConditionSyntaxError)
        -> ConditionNode
    {
        var parser = ConditionParser(text, maxDepth: maxDepth)
        if parser.input.isEmpty { throw parser.error("filter input string is empty") }
        let node = try parser.parseOr()
        if parser.index != parser.input.count {
            throw parser.error("unexpected token after '\(parser.lastToken)', expecting 'or', 'and'")
        }
        return node
    }

    // MARK: - Grammar

    private mutating func enter() throws(ConditionSyntaxError) {
        depth += 1
        if depth >= maxDepth { throw error("exceeded max depth limit of \(maxDepth)") }
    }

    private mutating func parseOr() throws(ConditionSyntaxError) -> ConditionNode {
        try enter()
        defer { depth -= 1 }
        var children: [ConditionNode] = []
        lexBlank()
        children.append(try parseAnd())
        lexBlank()
        while lexString("or") {
            if !lexBlank() {
                guard lexString("(") else { throw error("expected blank or '(' after 'or'") }
                children.append(try parseEmbeddedRemainder())
            } else {
                children.append(try parseAnd())
            }
            lexBlank()
        }
        return children.count > 1 ? .or(children) : children[0]
    }

    private mutating func parseAnd() throws(ConditionSyntaxError) -> ConditionNode {
        try enter()
        defer { depth -= 1 }
        var children: [ConditionNode] = []
        lexBlank()
        children.append(try parseNot())
        lexBlank()
        while lexString("and") {
            if !lexBlank() {
                guard lexString("(") else { throw error("expected blank or '(' after 'and'") }
                children.append(try parseEmbeddedRemainder())
            } else {
                children.append(try parseNot())
            }
            lexBlank()
        }
        return children.count > 1 ? .and(children) : children[0]
    }

    private mutating func parseNot() throws(ConditionSyntaxError) -> ConditionNode {
        try enter()
        defer { depth -= 1 }
        var negate = false
        lexBlank()
        while lexNotBlank() { negate.toggle() }
        let child: ConditionNode
        if lexString("not(") {
            negate.toggle()
            child = try parseEmbeddedRemainder()
        } else {
            child = try parseCheck()
        }
        return negate ? .not(child) : child
    }

    /// After a consumed `(`: `Expr ')'`.
    private mutating func parseEmbeddedRemainder() throws(ConditionSyntaxError) -> ConditionNode {
        try enter()
        defer { depth -= 1 }
        lexBlank()
        let child = try parseOr()
        lexBlank()
        guard lexString(")") else { throw error("expected a ')' token") }
        return child
    }

    private mutating func parseCheck() throws(ConditionSyntaxError) -> ConditionNode {
        try enter()
        defer { depth -= 1 }
        lexBlank()
        if lexString("(") { return try parseEmbeddedRemainder() }
        if let name = lexFieldName() {
            let left = try parseFieldRemainder(name)
            return try parseCondition(left)
        }
        if let kind = lexTransformer() {
            let left = try parseTransformerRemainder(kind)
            return try parseCondition(left)
        }
        if let identifier = lexIdentifier() { return .identifier(identifier) }
        throw error("expected a '(' token, a field check, or an identifier")
    }

    private mutating func parseFieldRemainder(_ name: String) throws(ConditionSyntaxError) -> FieldExpression {
        .field(name: name, argument: try parseFieldArgument())
    }

    private mutating func parseFieldArgument() throws(ConditionSyntaxError) -> String? {
        guard lexString("[") else { return nil }
        guard let argument = try lexQuotedString() ?? lexFieldArgumentBareString() else {
            throw error("expected a valid field argument: a quoted string or a bare string")
        }
        guard lexString("]") else { throw error("expected a ']' token") }
        return argument
    }

    /// After `name(`: transformer arguments, `)` and an optional field argument.
    private mutating func parseTransformerRemainder(_ kind: TransformerKind) throws(ConditionSyntaxError)
        -> FieldExpression
    {
        try enter()
        defer { depth -= 1 }
        var arguments: [TransformerArgument] = []
        lexBlank()
        arguments.append(try parseTransformerArgument(allowList: true))
        lexBlank()
        while lexString(",") {
            lexBlank()
            arguments.append(try parseTransformerArgument(allowList: true))
            lexBlank()
        }
        guard lexString(")") else { throw error("expected a ')' token closing the transformer") }
        return .transformer(kind, arguments: arguments, argument: try parseFieldArgument())
    }

    private mutating func parseTransformerArgument(allowList: Bool) throws(ConditionSyntaxError)
        -> TransformerArgument
    {
        if let kind = lexTransformer() { return .expression(try parseTransformerRemainder(kind)) }
        if let name = lexFieldName() { return .expression(try parseFieldRemainder(name)) }
        if let quoted = try lexQuotedString() { return .string(quoted) }
        if let number = lexHexNumber() ?? lexNumber() { return .number(number) }
        if allowList, lexString("(") {
            var items: [TransformerArgument] = []
            lexBlank()
            if !lexString(")") {
                items.append(try parseTransformerArgument(allowList: false))
                lexBlank()
                while lexString(",") {
                    lexBlank()
                    items.append(try parseTransformerArgument(allowList: false))
                    lexBlank()
                }
                guard lexString(")") else { throw error("expected a ')' token closing the argument list") }
            }
            return .list(items)
        }
        throw error(
            "expected a field, a nested transformer, a quoted string, a number or a list as transformer argument")
    }

    private mutating func parseCondition(_ left: FieldExpression) throws(ConditionSyntaxError) -> ConditionNode {
        try enter()
        defer { depth -= 1 }
        lexBlank()
        if lexString("exists") { return .exists(left) }
        lexBlank()
        if let op = lexOperator(Self.numericOperators) {
            return .comparison(ComparisonNode(lhs: left, op: op, rhs: try parseNumericValueOrTransformer()))
        }
        if let op = lexOperator(Self.stringOperators) {
            let blankAfterOperator = lexBlank() || op.needsTrailingBlank
            if blankAfterOperator, let modifier = try lexModifier() {
                return .comparison(
                    ComparisonNode(lhs: left, op: op, modifier: modifier, rhs: try parseListValue(allowFields: false)))
            }
            return .comparison(ComparisonNode(lhs: left, op: op, rhs: try parseStringValueOrTransformer()))
        }
        if let op = lexOperator(Self.listOperators) {
            return .comparison(ComparisonNode(lhs: left, op: op, rhs: try parseListValue(allowFields: true)))
        }
        let names = (["exists"] + (Self.numericOperators + Self.stringOperators + Self.listOperators).map(\.1.rawValue))
            .map { "'\($0)'" }.joined(separator: ", ")
        throw error("expected a valid check operator: one of \(names)")
    }

    private mutating func parseNumericValueOrTransformer() throws(ConditionSyntaxError) -> ConditionValue {
        lexBlank()
        if let field = try parseTransformerOrVal() { return .field(field) }
        if let number = lexHexNumber() ?? lexNumber() { return .value(number) }
        throw error("expected a number value or a field with a valid transformer")
    }

    private mutating func parseStringValueOrTransformer() throws(ConditionSyntaxError) -> ConditionValue {
        lexBlank()
        if let field = try parseTransformerOrVal() { return .field(field) }
        if let value = try lexQuotedString() ?? lexBareString() { return .value(value) }
        throw error("expected a string value or a field with a valid transformer")
    }

    private mutating func parseListValue(allowFields: Bool) throws(ConditionSyntaxError) -> ConditionValue {
        lexBlank()
        if lexString("(") {
            var values: [String] = []
            lexBlank()
            if let first = try lexQuotedString() ?? lexBareString() {
                values.append(first)
                lexBlank()
                while lexString(",") {
                    lexBlank()
                    guard let next = try lexQuotedString() ?? lexBareString() else {
                        throw error("expected a string value")
                    }
                    values.append(next)
                    lexBlank()
                }
            }
            guard lexString(")") else { throw error("expected a ')' token") }
            return .list(values)
        }
        if allowFields, let field = try parseTransformerOrVal() { return .field(field) }
        if let identifier = lexIdentifier() { return .value(identifier) }
        throw error("expected a list, an identifier, or a field with a valid transformer")
    }

    /// RHS `val(field)` or a transformer; nil when neither starts here.
    private mutating func parseTransformerOrVal() throws(ConditionSyntaxError) -> FieldExpression? {
        lexBlank()
        if lexString("val(") {
            lexBlank()
            guard let name = lexFieldName() else { throw error("expected a field within 'val' transformer") }
            let field = try parseFieldRemainder(name)
            lexBlank()
            guard lexString(")") else { throw error("expected a ')' token closing the transformer") }
            return field
        }
        if let kind = lexTransformer() { return try parseTransformerRemainder(kind) }
        return nil
    }

    // MARK: - Operators

    private static let numericOperators: [(String, ComparisonOperator)] = [
        ("<=", .lessOrEqual), ("<", .less), (">=", .greaterOrEqual), (">", .greater),
    ]
    private static let stringOperators: [(String, ComparisonOperator)] = [
        ("==", .doubleEqual), ("=", .equal), ("!=", .notEqual), ("glob ", .glob), ("iglob ", .iglob),
        ("contains ", .contains), ("icontains ", .icontains), ("bcontains ", .bcontains),
        ("startswith ", .startswith), ("bstartswith ", .bstartswith), ("endswith ", .endswith), ("regex ", .regex),
    ]
    private static let listOperators: [(String, ComparisonOperator)] = [
        ("intersects", .intersects), ("in", .in), ("pmatch", .pmatch),
    ]

    /// A spelling ending in a space is a word operator: the word and one blank of any kind after it (current
    /// libsinsp takes `contains\nbla` and `contains\tbla`, as it takes blanks anywhere else).
    private mutating func lexOperator(_ table: [(String, ComparisonOperator)]) -> ComparisonOperator? {
        for (spelling, op) in table {
            guard spelling.hasSuffix(" ") else {
                if lexString(spelling) { return op }
                continue
            }
            let word = Array(spelling.utf8.dropLast())
            guard index + word.count < input.count, input[index..<index + word.count].elementsEqual(word),
                Self.isBlank(input[index + word.count])
            else { continue }
            _ = take(word.count + 1)
            return op
        }
        return nil
    }

    /// `oneof `/`anyof `/`allof ` followed by a list or a list name. `== oneof` alone, or followed by `and`/`or`,
    /// is the value "oneof" (libsinsp test `proc.name == oneof or fd.name exists`).
    private mutating func lexModifier() throws(ConditionSyntaxError) -> ListModifier? {
        let saved = (index, line, column, lastToken)
        for modifier in ListModifier.allCases {
            guard lexString(modifier.rawValue) else { continue }
            guard lexBlank() else { break }
            if peek() == UInt8(ascii: "(") { return modifier }
            let afterBlank = (index, line, column)
            if let word = lexIdentifier() {
                let next = peek()
                let isKeyword =
                    (word == "and" || word == "or")
                    && (next == nil || next == UInt8(ascii: "(") || Self.isBlank(next!))
                (index, line, column) = afterBlank
                if !isKeyword { return modifier }
            }
            break
        }
        (index, line, column, lastToken) = saved
        return nil
    }

    // MARK: - Lexer

    private static func isBlank(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x08 || c == 0x0D || c == 0x0A
    }

    /// POSIX `[:space:]`.
    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    private static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isIdentifierTail(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) || c == 0x5F }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < input.count ? input[index + offset] : nil
    }

    private mutating func advance(_ count: Int) {
        for _ in 0..<count {
            let c = input[index]
            column += 1
            if c == 0x0D || c == 0x0A {
                column = 1
                line += 1
            }
            index += 1
        }
    }

    private mutating func take(_ count: Int) -> String {
        let token = String(decoding: input[index..<index + count], as: UTF8.self)
        advance(count)
        lastToken = token
        return token
    }

    @discardableResult
    private mutating func lexBlank() -> Bool {
        var found = false
        while let c = peek(), Self.isBlank(c) {
            advance(1)
            found = true
        }
        return found
    }

    private mutating func lexString(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard index + bytes.count <= input.count, input[index..<index + bytes.count].elementsEqual(bytes) else {
            return false
        }
        _ = take(bytes.count)
        return true
    }

    /// `not` followed by at least one `[:space:]`.
    private mutating func lexNotBlank() -> Bool {
        guard lexLength(matchingNot()) > 0 else { return false }
        return true
    }

    private func matchingNot() -> Int {
        guard index + 3 < input.count, input[index] == 0x6E, input[index + 1] == 0x6F, input[index + 2] == 0x74,
            Self.isSpace(input[index + 3])
        else { return 0 }
        var end = index + 3
        while end < input.count, Self.isSpace(input[end]) { end += 1 }
        return end - index
    }

    private mutating func lexLength(_ length: Int) -> Int {
        if length > 0 { _ = take(length) }
        return length
    }

    /// `[a-zA-Z]+[a-zA-Z0-9_]*`
    private func identifierLength(at start: Int) -> Int {
        var end = start
        while end < input.count, Self.isAlpha(input[end]) { end += 1 }
        guard end > start else { return 0 }
        while end < input.count, Self.isIdentifierTail(input[end]) { end += 1 }
        return end - start
    }

    private mutating func lexIdentifier() -> String? {
        let length = identifierLength(at: index)
        return length > 0 ? take(length) : nil
    }

    /// `identifier(\.identifier)+`
    private mutating func lexFieldName() -> String? {
        var end = index + identifierLength(at: index)
        guard end > index else { return nil }
        var segments = 0
        while end < input.count, input[end] == 0x2E {
            let length = identifierLength(at: end + 1)
            guard length > 0 else { break }
            end += 1 + length
            segments += 1
        }
        return segments > 0 ? take(end - index) : nil
    }

    private mutating func lexTransformer() -> TransformerKind? {
        for kind in TransformerKind.allCases where lexString(kind.rawValue + "(") {
            lexBlank()
            return kind
        }
        return nil
    }

    /// `[^][\"'[:space:]]+`
    private mutating func lexFieldArgumentBareString() -> String? {
        var end = index
        while end < input.count {
            let c = input[end]
            if c == 0x5B || c == 0x5D || c == 0x22 || c == 0x27 || Self.isSpace(c) { break }
            end += 1
        }
        return end > index ? take(end - index) : nil
    }

    /// `[^()\"'[:space:]=,]+`
    private mutating func lexBareString() -> String? {
        var end = index
        while end < input.count {
            let c = input[end]
            if c == 0x28 || c == 0x29 || c == 0x22 || c == 0x27 || c == 0x3D || c == 0x2C || Self.isSpace(c) { break }
            end += 1
        }
        return end > index ? take(end - index) : nil
    }

    /// `0[xX][0-9a-zA-Z]+`
    private mutating func lexHexNumber() -> String? {
        guard peek() == 0x30, let x = peek(1), x == 0x78 || x == 0x58 else { return nil }
        var end = index + 2
        while end < input.count, Self.isAlpha(input[end]) || Self.isDigit(input[end]) { end += 1 }
        return end > index + 2 ? take(end - index) : nil
    }

    /// `[+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?`
    private mutating func lexNumber() -> String? {
        var end = index
        if end < input.count, input[end] == 0x2B || input[end] == 0x2D { end += 1 }
        let digitsStart = end
        while end < input.count, Self.isDigit(input[end]) { end += 1 }
        guard end > digitsStart else { return nil }
        if end < input.count, input[end] == 0x2E { end += 1 }
        while end < input.count, Self.isDigit(input[end]) { end += 1 }
        if end + 2 < input.count, input[end] | 0x20 == 0x65, input[end + 1] == 0x2B || input[end + 1] == 0x2D,
            Self.isDigit(input[end + 2])
        {
            end += 2
            while end < input.count, Self.isDigit(input[end]) { end += 1 }
        }
        return take(end - index)
    }

    /// A `'…'` or `"…"` string, unescaped. The closing quote is the first delimiter not preceded by a backslash,
    /// exactly as libsinsp scans it (so `'\\''` ends at the second quote).
    private mutating func lexQuotedString() throws(ConditionSyntaxError) -> String? {
        guard let delimiter = peek(), delimiter == 0x27 || delimiter == 0x22 else { return nil }
        var previous: UInt8 = 0x5C
        var end = index
        while end < input.count {
            let c = input[end]
            if c == delimiter && previous != 0x5C {
                let raw = Array(input[index...end])
                do {
                    let value = try StringEscaping.unescape(quoted: raw)
                    advance(end - index + 1)
                    lastToken = String(decoding: raw, as: UTF8.self)
                    return value
                } catch {
                    throw self.error(error.message)
                }
            }
            previous = c
            end += 1
        }
        return nil
    }

    private func error(_ message: String) -> ConditionSyntaxError {
        ConditionSyntaxError(message: message, offset: index, line: line, column: column)
    }
}

extension ComparisonOperator {
    /// Word operators are lexed with their trailing blank (`contains `), so a blank has always been consumed.
    fileprivate var needsTrailingBlank: Bool {
        switch self {
        case .equal, .doubleEqual, .notEqual: return false
        default: return true
        }
    }
}
