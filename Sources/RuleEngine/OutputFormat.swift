/// A rule's `output:` string compiled once (libsinsp `eventformatter`, §4.1): literal text and `%field` tokens.
/// A token is the longest prefix after `%` that names a known field (with its `[arg]`) or transformer; an optional
/// decimal width precedes it (`%10proc.name`, text only).
public struct OutputFormat: Sendable {
    public struct Token: Sendable {
        /// The token as written (`proc.aname[2]`, `evt.arg.flags`): the JSON `output_fields` key.
        public var name: String
        public var width: Int?
        var value: CompiledValue
        var type: FieldType
        var anyAncestor: Bool
        /// The plain fields read by the token (for transformer tokens, their inner fields).
        var keys: [(String, CompiledValue, FieldType, Bool)]
    }

    enum Part: Sendable {
        case text([UInt8])
        case token(Int)
    }

    var parts: [Part]
    public private(set) var tokens: [Token]
    public let source: String
    /// `append_output`'s `extra_fields`: JSON `output_fields` entries that are not part of the text.
    public internal(set) var extraFields: [(key: String, format: OutputFormat)] = []

    struct Failure: Error {
        var message: String
        var unknownField: Bool
    }

    /// Why `format` would not compile as an output (Falco's words), or nil: lets a configuration that supplies
    /// output text (`append_output`) report its own mistake at its own line, not at every rule it is appended to.
    public static func problem(in format: String, registry: FieldRegistry = .standard) -> String? {
        var compiler = ConditionCompiler(registry: registry, eventTypes: .standard, slots: FieldSlotTable())
        do {
            _ = try OutputFormat(format, compiler: &compiler)
            return nil
        } catch {
            return error.message
        }
    }

    /// Compiles `format`; `compiler` resolves fields into the ruleset's slot table.
    init(_ format: String, compiler: inout ConditionCompiler) throws(Failure) {
        source = format
        parts = []
        tokens = []
        let bytes = Array(format.utf8)
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x25 else {
                literal.append(c)
                i += 1
                continue
            }
            i += 1
            var width: Int?
            var w = 0
            var digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                w = w * 10 + Int(bytes[i] - 0x30)
                i += 1
                digits += 1
            }
            if digits > 0 { width = w }
            guard i < bytes.count else {
                throw Failure(message: "invalid formatting token: format ends with '%'", unknownField: false)
            }
            // Longest prefix that parses and compiles as a field or transformer.
            var end = Self.tokenEnd(bytes, from: i)
            var compiled: (FieldExpression, ConditionCompiler.Typed)?
            var firstError: String?
            var unknown = false
            while end > i {
                let text = String(decoding: bytes[i..<end], as: UTF8.self)
                if let expression = try? Self.parseFieldExpression(text) {
                    do {
                        let typed = try compiler.compileValue(expression)
                        compiled = (expression, typed)
                        break
                    } catch {
                        if firstError == nil {
                            firstError = error.message
                            unknown = error.kind == .unknownField
                        }
                    }
                }
                end -= 1
            }
            guard let (expression, typed) = compiled else {
                let shown = String(decoding: bytes[i..<min(bytes.count, Self.tokenEnd(bytes, from: i))], as: UTF8.self)
                throw Failure(
                    // Falco's words for an unknown field (`invalid formatting token not_a_real_field`); other
                    // failures say why after them.
                    message: unknown || firstError == nil
                        ? "invalid formatting token \(shown)" : "invalid formatting token \(shown): \(firstError!)",
                    unknownField: unknown)
            }
            if !literal.isEmpty {
                parts.append(.text(literal))
                literal = []
            }
            var keys: [(String, CompiledValue, FieldType, Bool)] = []
            if case .transformer = expression {
                for name in expression.fieldNames {
                    if let inner = try? Self.parseFieldExpression(name), let t = try? compiler.compileValue(inner) {
                        keys.append((name, t.value, t.type, t.anyAncestor))
                    }
                }
            } else {
                keys = [(String(decoding: bytes[i..<end], as: UTF8.self), typed.value, typed.type, typed.anyAncestor)]
            }
            tokens.append(
                Token(
                    name: String(decoding: bytes[i..<end], as: UTF8.self), width: width, value: typed.value,
                    type: typed.type, anyAncestor: typed.anyAncestor, keys: keys))
            parts.append(.token(tokens.count - 1))
            i = end
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
    }

    /// Upper bound of a token: a field name with dots, an optional `[...]`, or a balanced transformer call.
    private static func tokenEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        var depth = 0
        while i < bytes.count {
            let c = bytes[i]
            let word = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2E
            if word {
                i += 1
                continue
            }
            if c == 0x28 {
                depth += 1
                i += 1
                continue
            }
            if c == 0x29 && depth > 0 {
                depth -= 1
                i += 1
                continue
            }
            if depth > 0 && c != 0x0A {
                i += 1
                continue
            }
            if c == 0x5B, let close = bytes[i...].firstIndex(of: 0x5D) {
                i = close + 1
                continue
            }
            break
        }
        return i
    }

    /// A token text as a field expression, through the condition parser (`X exists`).
    static func parseFieldExpression(_ text: String) throws -> FieldExpression {
        guard case .exists(let field) = try ConditionParser.parse(text + " exists") else {
            throw ConditionSyntaxError(message: "not a field", offset: 0, line: 1, column: 1)
        }
        return field
    }
}
