import Foundation

/// Compiles a resolved syntax tree (lists substituted, macros expanded) into a ``CompiledNode``: fields are
/// resolved against the registry, operators checked against field types (§2.2), constants converted once.
struct ConditionCompiler {
    let registry: FieldRegistry
    let eventTypes: EventTypeTable
    var slots: FieldSlotTable
    /// Non-fatal findings (`LOAD_COMPILE_CONDITION`, deprecated fields).
    var warnings: [(LoadWarningCode, String)] = []

    init(registry: FieldRegistry, eventTypes: EventTypeTable, slots: FieldSlotTable) {
        self.registry = registry
        self.eventTypes = eventTypes
        self.slots = slots
    }

    mutating func compile(_ node: ConditionNode) throws(ConditionCompileError) -> CompiledNode {
        switch node {
        case .and(let children):
            var out: [CompiledNode] = []
            for child in children { out.append(try compile(child)) }
            return .and(out)
        case .or(let children):
            var out: [CompiledNode] = []
            for child in children { out.append(try compile(child)) }
            return .or(out)
        case .not(let child):
            return .not(try compile(child))
        case .identifier(let name):
            throw ConditionCompileError(kind: .invalid, message: "Undefined macro '\(name)' used in filter.")
        case .exists(let field):
            return .exists(try compileValue(field).value)
        case .comparison(let check):
            return try compileComparison(check)
        }
    }

    // MARK: - Values

    /// A compiled value with the type it produces and whether it is an ancestor list (any-element semantics).
    struct Typed {
        var value: CompiledValue
        var type: FieldType
        var anyAncestor: Bool
    }

    static func deprecatedFieldWarning(_ name: String) -> String { "usage of deprecated field '\(name)' has been detected" }

    mutating func resolveField(_ name: String, _ argument: String?) throws(ConditionCompileError)
        -> (FieldRegistry.Resolved, FieldDefinition)
    {
        switch registry.resolve(name, argument: argument) {
        case .success(let resolved):
            let definition = registry[resolved.id]
            if definition.deprecated {
                warnings.append((.deprecatedItem, Self.deprecatedFieldWarning(name)))
            }
            return (resolved, definition)
        case .failure(.unknownField(let n)):
            throw ConditionCompileError(kind: .unknownField, message: "filter_check called with nonexistent field \(n)")
        case .failure(.badArgument(let message)):
            throw ConditionCompileError(kind: .invalid, message: message)
        }
    }

    mutating func compileValue(_ expression: FieldExpression) throws(ConditionCompileError) -> Typed {
        switch expression {
        case .field(let name, let argument):
            let (resolved, definition) = try resolveField(name, argument)
            let slot = slots.slot(for: resolved)
            let anyAncestor = definition.isAncestorField && resolved.argument == nil
            return Typed(value: .field(slot: slot), type: definition.type, anyAncestor: anyAncestor)
        case .transformer(let kind, let arguments, let argument):
            return try compileTransformer(kind, arguments, argument)
        }
    }

    private mutating func compileTransformer(
        _ kind: TransformerKind, _ arguments: [TransformerArgument], _ argument: String?
    ) throws(ConditionCompileError) -> Typed {
        func fail(_ message: String) -> ConditionCompileError {
            ConditionCompileError(kind: .invalid, message: "transformer '\(kind.rawValue)': \(message)")
        }
        if argument != nil && kind != .getopt { throw fail("does not support field arguments") }
        switch kind {
        case .tolower, .toupper, .basename, .b64, .len:
            guard arguments.count == 1, case .expression(let inner) = arguments[0] else {
                throw fail("expects exactly one field or transformer argument")
            }
            let input = try compileValue(inner)
            // evt.rawarg has no fixed type (libsinsp: "evt.rawarg doesn't support a transformer").
            if input.type == .dynamic { throw fail("cannot transform a field without a fixed type (\(input.type.rawValue))") }
            let type = input.type.comparison
            switch kind {
            case .tolower, .toupper, .basename:
                guard type == .string else { throw fail("cannot transform a field of type \(input.type.rawValue)") }
                return Typed(
                    value: .transform(kind, [.value(input.value)], argument: nil), type: .charbuf, anyAncestor: false)
            case .b64:
                guard type == .string || type == .bytes else {
                    throw fail("cannot decode a field of type \(input.type.rawValue)")
                }
                return Typed(
                    value: .transform(kind, [.value(input.value)], argument: nil),
                    type: type == .bytes ? .byteBuffer : .charbuf, anyAncestor: false)
            default:
                guard type == .string || type == .bytes || type == .list || input.anyAncestor else {
                    throw fail("cannot measure a field of type \(input.type.rawValue)")
                }
                return Typed(
                    value: .transform(kind, [.value(input.value)], argument: nil), type: .uint64, anyAncestor: false)
            }
        case .join:
            guard arguments.count == 2, case .string(let separator) = arguments[0], case .list(let items) = arguments[1]
            else { throw fail("expects a quoted separator and a list: join(\"-\", (a, b))") }
            var inputs: [TransformerInput] = [.constant(.string(separator))]
            var list: [TransformerInput] = []
            for item in items { list.append(try compileTransformerInput(item, kind)) }
            inputs.append(.list(list))
            return Typed(value: .transform(kind, inputs, argument: nil), type: .charbuf, anyAncestor: false)
        case .concat:
            guard arguments.count >= 1 else { throw fail("expects at least one argument") }
            var inputs: [TransformerInput] = []
            for item in arguments { inputs.append(try compileTransformerInput(item, kind)) }
            return Typed(value: .transform(kind, inputs, argument: nil), type: .charbuf, anyAncestor: false)
        case .getopt:
            guard arguments.count == 2, case .expression(let inner) = arguments[0],
                case .string(let spec) = arguments[1]
            else { throw fail("expects a field and a quoted option string: getopt(proc.args, \"ab:\")[b]") }
            guard let argument, argument.utf8.count == 1 else {
                throw fail("needs the option letter as argument, e.g. getopt(proc.args, \"ab:\")[b]")
            }
            let input = try compileValue(inner)
            guard input.type.comparison == .string || input.type.comparison == .list else {
                throw fail("cannot parse options of a field of type \(input.type.rawValue)")
            }
            return Typed(
                value: .transform(kind, [.value(input.value), .constant(.string(spec))], argument: .key(argument)),
                type: .charbuf, anyAncestor: false)
        }
    }

    private mutating func compileTransformerInput(_ argument: TransformerArgument, _ kind: TransformerKind)
        throws(ConditionCompileError) -> TransformerInput
    {
        switch argument {
        case .expression(let e): return .value(try compileValue(e).value)
        case .string(let s): return .constant(.string(s))
        case .number(let n): return .constant(.string(n))
        case .list:
            throw ConditionCompileError(
                kind: .invalid, message: "transformer '\(kind.rawValue)': nested lists are not allowed")
        }
    }

    // MARK: - Comparisons

    private mutating func compileComparison(_ check: ComparisonNode) throws(ConditionCompileError) -> CompiledNode {
        if case .field(let name, nil) = check.lhs, name == "evt.type" || name == "syscall.type",
            check.modifier == nil, [.equal, .doubleEqual, .notEqual, .in, .intersects].contains(check.op)
        {
            let names: [String]
            switch check.rhs {
            case .value(let v): names = [v]
            case .list(let items): names = items
            case .field: names = []
            }
            if case .field = check.rhs {
                // Field-to-field on evt.type: the generic path handles it.
            } else {
                var codes = Set<EventTypeCode>()
                for name in names {
                    guard let code = eventTypes.code(for: name) else {
                        throw ConditionCompileError(kind: .unknownEventType, message: "unknown event type \(name)")
                    }
                    codes.insert(code)
                }
                _ = try resolveField(name, nil)
                return .eventType(codes, negated: check.op == .notEqual)
            }
        }

        let lhs = try compileValue(check.lhs)
        let kind = lhs.type.comparison
        let op = check.op
        let mode: ElementMode
        if lhs.anyAncestor {
            mode = .anyElement
        } else if kind == .list {
            mode = op == .in ? .allElements : .anyElement
        } else {
            mode = .scalar
        }
        let elementKind: FieldType.Comparison =
            (kind == .list || lhs.anyAncestor) ? (lhs.type.comparison == .number ? .number : .string) : kind
        try checkOperator(op, elementKind, fieldDescription: ConditionPrinter.string(check.lhs), type: lhs.type)

        switch check.rhs {
        case .field(let rhsExpression):
            if op == .regex || op == .pmatch {
                throw ConditionCompileError(
                    kind: .invalid,
                    message: "operator '\(op.rawValue)' does not support field values on the right-hand side")
            }
            if check.modifier != nil {
                throw ConditionCompileError(kind: .invalid, message: "list modifiers need a list of values")
            }
            let rhs = try compileValue(rhsExpression)
            // libsinsp refuses to compare two fields of different kinds (`syscall.type = val(evt.is_wait)`,
            // test filter_different_types); a dynamically typed field (evt.rawarg), a list against its element
            // kind and an address against a network are the comparisons that still make sense.
            if !Self.comparable(lhs.type, rhs.type) {
                throw ConditionCompileError(
                    kind: .invalid,
                    message: "cannot compare fields of different types: '\(ConditionPrinter.string(check.lhs))' is \(lhs.type) and "
                        + "the value's field is \(rhs.type)")
            }
            return .check(CompiledCheck(lhs: lhs.value, mode: mode, test: .field(rhs.value, op)))
        case .value(let text):
            noteFieldLookalike(text)
            let values = op.isListOperator || check.modifier != nil ? [text] : [text]
            let test = try makeTest(op, check.modifier, values, elementKind, isList: op.isListOperator)
            return .check(CompiledCheck(lhs: lhs.value, mode: mode, test: .constant(test)))
        case .list(let items):
            guard op.isListOperator || check.modifier != nil else {
                throw ConditionCompileError(kind: .invalid, message: "operator '\(op.rawValue)' does not accept a list")
            }
            let test = try makeTest(op, check.modifier, items, elementKind, isList: true)
            return .check(CompiledCheck(lhs: lhs.value, mode: mode, test: .constant(test)))
        }
    }

    /// libsinsp's ambiguity warnings: a constant that reads as a field (`proc.pname`, also with blanks around it,
    /// as an exception value quoted for its space becomes) or as a transformer of one (`toupper( proc.pname)`).
    static func comparable(_ a: FieldType, _ b: FieldType) -> Bool {
        if a == .dynamic || b == .dynamic { return true }
        let (x, y) = (a.comparison, b.comparison)
        if x == y { return true }
        let pair: Set<FieldType.Comparison> = [x, y]
        return pair == [.list, .string] || pair == [.ip, .network]
    }

    private mutating func noteFieldLookalike(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.contains("."), case .success = registry.resolve(trimmed, argument: nil) {
            warnings.append(
                (
                    .compileCondition,
                    "string '\(text)' may be a valid field misused as a const string value; use val(\(trimmed)) to compare fields"
                ))
            return
        }
        // `name(` … `)` around a field: a transformer written where a value was expected.
        guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")"),
            TransformerKind(rawValue: String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)) != nil
        else { return }
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
            .trimmingCharacters(in: .whitespaces)
        if inner.contains("."), case .success = registry.resolve(inner, argument: nil) {
            warnings.append(
                (.compileCondition, "string '\(text)' may be a valid field transformer misused as a const string value"))
        }
    }

    private func checkOperator(
        _ op: ComparisonOperator, _ kind: FieldType.Comparison, fieldDescription: String, type: FieldType
    ) throws(ConditionCompileError) {
        let allowed: Bool
        switch kind {
        case .string:
            allowed = op != .bcontains && op != .bstartswith
        case .list:
            allowed = op != .bcontains && op != .bstartswith
        case .number:
            allowed = [
                .equal, .doubleEqual, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .in, .intersects,
            ]
            .contains(op)
        case .bool, .ip, .network:
            allowed = [.equal, .doubleEqual, .notEqual, .in, .intersects].contains(op)
        case .bytes:
            allowed = [
                .equal, .doubleEqual, .notEqual, .contains, .bcontains, .startswith, .bstartswith, .endswith, .in,
                .intersects,
            ].contains(op)
        }
        if !allowed {
            throw ConditionCompileError(
                kind: .invalid,
                message:
                    "operator '\(op.rawValue)' is not supported for field '\(fieldDescription)' of type \(type.rawValue)"
            )
        }
    }

    /// Builds the predicate over one (element) value.
    private func makeTest(
        _ op: ComparisonOperator, _ modifier: ListModifier?, _ values: [String], _ kind: FieldType.Comparison,
        isList: Bool
    ) throws(ConditionCompileError) -> @Sendable (FieldValue) -> Bool {
        if let modifier {
            var tests: [@Sendable (FieldValue) -> Bool] = []
            for value in values { tests.append(try makeSingle(op, value, kind)) }
            let all = tests
            switch modifier {
            case .oneof:
                return { v in
                    var hits = 0
                    for t in all where t(v) {
                        hits += 1
                        if hits > 1 { return false }
                    }
                    return hits == 1
                }
            case .anyof: return { v in all.contains { $0(v) } }
            case .allof: return { v in !all.isEmpty && all.allSatisfy { $0(v) } }
            }
        }
        if op == .pmatch {
            guard kind == .string else {
                throw ConditionCompileError(kind: .invalid, message: "operator 'pmatch' needs a string or path field")
            }
            let set = PathPrefixSet(values)
            return { v in
                guard case .string(let bytes) = v else { return false }
                return set.matches(bytes)
            }
        }
        if op == .in || op == .intersects {
            return try makeMembership(values, kind)
        }
        return try makeSingle(op, values[0], kind)
    }

    private func makeMembership(_ values: [String], _ kind: FieldType.Comparison) throws(ConditionCompileError)
        -> @Sendable (FieldValue) -> Bool
    {
        switch kind {
        case .string, .list, .bytes:
            let set = SortedByteSet(values.map { Array($0.utf8) })
            return { v in
                switch v {
                case .string(let b), .bytes(let b): return set.contains(b)
                default: return false
                }
            }
        default:
            var tests: [@Sendable (FieldValue) -> Bool] = []
            for value in values { tests.append(try makeSingle(.equal, value, kind)) }
            let all = tests
            return { v in all.contains { $0(v) } }
        }
    }

    private func makeSingle(_ op: ComparisonOperator, _ text: String, _ kind: FieldType.Comparison)
        throws(ConditionCompileError) -> @Sendable (FieldValue) -> Bool
    {
        switch kind {
        case .string, .list:
            return try stringTest(op, text)
        case .bytes:
            if op == .bcontains || op == .bstartswith {
                guard let needle = ByteMatching.hexBytes(text) else {
                    throw ConditionCompileError(
                        kind: .invalid, message: "'\(text)' is not a valid hex string for \(op.rawValue)")
                }
                if op == .bcontains {
                    return { v in
                        guard let b = Self.bytes(of: v) else { return false }
                        return ByteMatching.contains(b, needle)
                    }
                }
                return { v in
                    guard let b = Self.bytes(of: v) else { return false }
                    return ByteMatching.hasPrefix(b, needle)
                }
            }
            return try stringTest(op, text)
        case .number:
            guard let constant = NumericValue(parsing: text) else {
                throw ConditionCompileError(kind: .invalid, message: "could not convert '\(text)' to a number")
            }
            return { v in
                guard let n = NumericValue(v), let order = n.compare(constant) else { return false }
                return op.accepts(order: order)
            }
        case .bool:
            let lowered = text.lowercased()
            guard lowered == "true" || lowered == "false" else {
                throw ConditionCompileError(kind: .invalid, message: "'\(text)' is not a boolean (true or false)")
            }
            let constant = lowered == "true"
            let negate = op == .notEqual
            return { v in
                guard case .bool(let b) = v else { return false }
                return (b == constant) != negate
            }
        case .ip, .network:
            guard let network = IPNetwork(text) else {
                throw ConditionCompileError(kind: .invalid, message: "'\(text)' is not an IP address or network")
            }
            let negate = op == .notEqual
            return { v in
                guard case .ip(let address) = v else { return false }
                return network.contains(address) != negate
            }
        }
    }

    static func bytes(of value: FieldValue) -> [UInt8]? {
        switch value {
        case .string(let b), .bytes(let b): return b
        default: return nil
        }
    }

    private func stringTest(_ op: ComparisonOperator, _ text: String) throws(ConditionCompileError)
        -> @Sendable (FieldValue) -> Bool
    {
        let c = Array(text.utf8)
        switch op {
        case .equal, .doubleEqual: return { v in Self.bytes(of: v) == c }
        case .notEqual: return { v in Self.bytes(of: v).map { $0 != c } ?? false }
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            return { v in Self.bytes(of: v).map { op.accepts(order: ByteMatching.compare($0, c)) } ?? false }
        case .contains: return { v in Self.bytes(of: v).map { ByteMatching.contains($0, c) } ?? false }
        case .icontains:
            return { v in Self.bytes(of: v).map { ByteMatching.contains($0, c, caseInsensitive: true) } ?? false }
        case .startswith: return { v in Self.bytes(of: v).map { ByteMatching.hasPrefix($0, c) } ?? false }
        case .endswith: return { v in Self.bytes(of: v).map { ByteMatching.hasSuffix($0, c) } ?? false }
        case .glob: return { v in Self.bytes(of: v).map { ByteMatching.glob(c, $0, caseFold: false) } ?? false }
        case .iglob: return { v in Self.bytes(of: v).map { ByteMatching.glob(c, $0, caseFold: true) } ?? false }
        case .regex:
            guard let regex = RegexMatcher(text) else {
                throw ConditionCompileError(kind: .invalid, message: "invalid regular expression '\(text)'")
            }
            return { v in Self.bytes(of: v).map { regex.fullMatch($0) } ?? false }
        case .in, .intersects: return { v in Self.bytes(of: v) == c }
        case .pmatch:
            let set = PathPrefixSet([text])
            return { v in Self.bytes(of: v).map { set.matches($0) } ?? false }
        case .bcontains, .bstartswith:
            throw ConditionCompileError(kind: .invalid, message: "operator '\(op.rawValue)' needs a buffer field")
        }
    }
}

extension ComparisonOperator {
    /// For ordered comparisons: whether `order` (-1, 0, 1 of lhs vs rhs) satisfies the operator.
    func accepts(order: Int) -> Bool {
        switch self {
        case .equal, .doubleEqual, .in, .intersects: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }
}
