/// Evaluates one event at a time against a ``Ruleset``. Keep one evaluator per thread and reuse it: it owns the
/// per-event field cache (one entry per slot, invalidated by bumping a generation number, never reallocated).
///
/// ```swift
/// let evaluator = RuleEvaluator(ruleset: ruleset)
/// let code = ruleset.eventTypes.code(for: "openat")      // cache per (arch, syscall number)
/// evaluator.forEachMatch(eventType: code, source: event) { rule in ... }
/// ```
public final class RuleEvaluator {
    public let ruleset: Ruleset
    private let fields: [FieldRegistry.Resolved]
    // Raw buffers rather than arrays: no exclusivity bookkeeping or copy-on-write checks on the per-event path.
    private let cache: UnsafeMutablePointer<FieldValue?>
    private let stamps: UnsafeMutablePointer<UInt32>
    private let slotCount: Int
    private var generation: UInt32 = 0
    private var eventType: EventTypeCode?

    public init(ruleset: Ruleset) {
        self.ruleset = ruleset
        self.fields = ruleset.slots.fields
        slotCount = max(1, ruleset.slots.count)
        cache = .allocate(capacity: slotCount)
        cache.initialize(repeating: nil, count: slotCount)
        stamps = .allocate(capacity: slotCount)
        stamps.initialize(repeating: 0, count: slotCount)
    }

    deinit {
        cache.deinitialize(count: slotCount)
        cache.deallocate()
        stamps.deallocate()
    }

    /// Calls `body` for each matching enabled rule, in evaluation order (only the first with match mode `first`).
    /// `eventType` nil means a name outside the table.
    public func forEachMatch<Source: FieldSource>(
        eventType: EventTypeCode?, source: Source, _ body: (CompiledRule) -> Void
    ) {
        begin(eventType)
        let program = ruleset.program
        let first = ruleset.matchMode == .first
        program.instructions.withUnsafeBufferPointer { instructions in
            program.checks.withUnsafeBufferPointer { checks in
                program.eventTypeWords.withUnsafeBufferPointer { words in
                    let machine = Machine(
                        instructions: instructions, checks: checks, words: words, wordsPerSet: program.wordsPerSet)
                    for index in ruleset.candidates(for: eventType) {
                        let entry = Int(program.entries[Int(index)])
                        if run(entry, machine, source) {
                            body(ruleset.rules[Int(index)])
                            if first { return }
                        }
                    }
                }
            }
        }
    }

    /// The matching rules of one event (allocates the result array; use ``forEachMatch(eventType:source:_:)`` in
    /// the hot path).
    public func matches<Source: FieldSource>(eventType: EventTypeCode?, source: Source) -> [CompiledRule] {
        var out: [CompiledRule] = []
        forEachMatch(eventType: eventType, source: source) { out.append($0) }
        return out
    }

    /// Convenience for tools and tests: the event type by name.
    public func matches<Source: FieldSource>(eventTypeName: String, source: Source) -> [CompiledRule] {
        matches(eventType: ruleset.eventTypes.code(for: eventTypeName), source: source)
    }

    /// Evaluates one rule of this ruleset regardless of selection and index (tooling and tests); starts a new
    /// event.
    public func evaluate<Source: FieldSource>(_ rule: CompiledRule, eventType: EventTypeCode?, source: Source) -> Bool {
        begin(eventType)
        guard let index = ruleset.rules.firstIndex(where: { $0 === rule }) else { return false }
        let program = ruleset.program
        return program.instructions.withUnsafeBufferPointer { instructions in
            program.checks.withUnsafeBufferPointer { checks in
                program.eventTypeWords.withUnsafeBufferPointer { words in
                    run(
                        Int(program.entries[index]),
                        Machine(
                            instructions: instructions, checks: checks, words: words, wordsPerSet: program.wordsPerSet),
                        source)
                }
            }
        }
    }

    private struct Machine {
        var instructions: UnsafeBufferPointer<EvaluationProgram.Instruction>
        var checks: UnsafeBufferPointer<EvaluationProgram.Check>
        var words: UnsafeBufferPointer<UInt64>
        var wordsPerSet: Int
    }

    private func run<Source: FieldSource>(_ at: Int, _ m: Machine, _ source: Source) -> Bool {
        let instruction = m.instructions[at]
        switch instruction.op {
        case .and:
            var child = at + 1
            for _ in 0..<instruction.count {
                if !run(child, m, source) { return false }
                child = Int(m.instructions[child].end)
            }
            return true
        case .or:
            var child = at + 1
            for _ in 0..<instruction.count {
                if run(child, m, source) { return true }
                child = Int(m.instructions[child].end)
            }
            return false
        case .not:
            return !run(at + 1, m, source)
        case .constant:
            return instruction.flag
        case .eventType:
            guard let eventType else { return instruction.flag }
            let code = Int(eventType.rawValue)
            guard code < m.wordsPerSet * 64 else { return instruction.flag }
            let word = m.words[Int(instruction.operand) + code >> 6]
            return (word >> UInt64(code & 63)) & 1 == 1 ? !instruction.flag : instruction.flag
        case .exists:
            return lhs(Int(instruction.operand), m, source) != nil
        case .check:
            let index = Int(instruction.operand)
            guard let value = lhs(index, m, source) else { return false }
            // Fields are read in place through the buffer: copying the whole check would retain its parts.
            let mode = m.checks[index].mode
            if let constant = m.checks[index].constant {
                return constant._withUnsafeGuaranteedRef { Self.apply(value, mode, $0.test) }
            }
            guard let (rhsValue, op) = m.checks[index].field, let rhs = self.value(rhsValue, source) else { return false }
            return Self.apply(value, mode) { ValueComparison.compare($0, op, rhs) }
        }
    }

    @inline(__always)
    private func lhs<Source: FieldSource>(_ index: Int, _ m: Machine, _ source: Source) -> FieldValue? {
        let slot = m.checks[index].slot
        return slot >= 0 ? fetch(Int(slot), source) : value(m.checks[index].lhs, source)
    }

    @inline(__always)
    private func fetch<Source: FieldSource>(_ slot: Int, _ source: Source) -> FieldValue? {
        if stamps[slot] == generation { return cache[slot] }
        let field = fields[slot]
        let v = source.extract(field.id, argument: field.argument)
        cache[slot] = v
        stamps[slot] = generation
        return v
    }

    /// Renders values through the same per-event cache (used by ``AlertFormatter``); call after a match of the
    /// same event.
    func value<Source: FieldSource>(_ compiled: CompiledValue, _ source: Source) -> FieldValue? {
        switch compiled {
        case .field(let slot):
            return fetch(slot, source)
        case .transform(let kind, let inputs, let argument):
            var values: [FieldValue?] = []
            values.reserveCapacity(inputs.count)
            for input in inputs { values.append(contentsOf: resolve(input, source)) }
            return Transformers.apply(kind, values, argument: argument)
        }
    }

    private func resolve<Source: FieldSource>(_ input: TransformerInput, _ source: Source) -> [FieldValue?] {
        switch input {
        case .value(let v): return [value(v, source)]
        case .constant(let c): return [c]
        case .list(let items): return items.flatMap { resolve($0, source) }
        }
    }

    private func begin(_ eventType: EventTypeCode?) {
        generation &+= 1
        if generation == 0 {
            // Wrapped: clear stamps so no stale entry looks current.
            for i in 0..<slotCount { stamps[i] = 0 }  // 0 is never a live generation
            generation = 1
        }
        self.eventType = eventType
    }

    @inline(__always)
    private static func apply(_ value: FieldValue, _ mode: ElementMode, _ test: (FieldValue) -> Bool) -> Bool {
        if case .list(let items) = value {
            switch mode {
            case .allElements:
                return !items.isEmpty && items.allSatisfy { test(.string($0)) }
            case .anyElement, .scalar:
                return items.contains { test(.string($0)) }
            }
        }
        return test(value)
    }
}

/// Field-to-field comparisons (`val()`), typed at run time.
enum ValueComparison {
    static func compare(_ lhs: FieldValue, _ op: ComparisonOperator, _ rhs: FieldValue) -> Bool {
        if let a = NumericValue(lhs), let b = NumericValue(rhs), let order = a.compare(b) {
            return op.accepts(order: order)
        }
        switch (lhs, rhs) {
        case (.ip(let a), .ip(let b)):
            return op == .notEqual ? a != b : (op.accepts(order: 0) && a == b)
        default:
            break
        }
        guard let a = ConditionCompiler.bytes(of: lhs) else { return false }
        let b: [UInt8]
        switch rhs {
        case .string(let x), .bytes(let x): b = x
        case .list(let items):
            if op == .in || op == .intersects { return items.contains(a) }
            return false
        default: b = Transformers.render(rhs)
        }
        switch op {
        case .equal, .doubleEqual, .in, .intersects: return a == b
        case .notEqual: return a != b
        case .less, .lessOrEqual, .greater, .greaterOrEqual: return op.accepts(order: ByteMatching.compare(a, b))
        case .contains: return ByteMatching.contains(a, b)
        case .icontains: return ByteMatching.contains(a, b, caseInsensitive: true)
        case .startswith, .bstartswith: return ByteMatching.hasPrefix(a, b)
        case .endswith: return ByteMatching.hasSuffix(a, b)
        case .bcontains: return ByteMatching.contains(a, b)
        case .glob: return ByteMatching.glob(b, a, caseFold: false)
        case .iglob: return ByteMatching.glob(b, a, caseFold: true)
        case .regex, .pmatch: return false
        }
    }
}
