/// All enabled-or-not rule conditions of a ruleset flattened into one instruction array, evaluated by index:
/// walking it touches no reference-counted nodes (the tree form costs a retain/release per node per event),
/// event-type tests are bitset lookups, and plain field reads carry their cache slot inline.
struct EvaluationProgram: Sendable {
    enum Op: UInt8, Sendable { case and, or, not, constant, eventType, exists, check }

    struct Instruction: Sendable {
        var op: Op
        /// `constant`'s value, `eventType`'s negation.
        var flag: Bool
        /// Children of `and`/`or`.
        var count: Int32
        /// Index into `checks` (`exists`/`check`) or the first word of an event-type bitset.
        var operand: Int32
        /// Index just past this instruction's subtree.
        var end: Int32
    }

    struct Check: Sendable {
        /// Cache slot of a plain field, or -1 when `lhs` is a transformer.
        var slot: Int32
        var lhs: CompiledValue
        var mode: ElementMode
        /// A test against constants, unretained (`constantTests` keeps it): the evaluator calls it without
        /// retaining and releasing its closure's context, twice per check otherwise.
        var constant: Unmanaged<ConstantTest>?
        /// A test against another field (`val()`, a transformer on the right).
        var field: (value: CompiledValue, op: ComparisonOperator)?
    }

    /// A constant test as an object, so that a check can hold it unretained.
    final class ConstantTest: Sendable {
        let test: @Sendable (FieldValue) -> Bool
        init(_ test: @escaping @Sendable (FieldValue) -> Bool) { self.test = test }
    }

    private(set) var constantTests: [ConstantTest] = []

    private(set) var instructions: ContiguousArray<Instruction> = []
    private(set) var checks: ContiguousArray<Check> = []
    private(set) var eventTypeWords: ContiguousArray<UInt64> = []
    /// Entry instruction of each rule, by rule index.
    private(set) var entries: [Int32] = []
    let wordsPerSet: Int

    init(rules: [CompiledRule], eventTypeCount: Int) {
        wordsPerSet = (eventTypeCount + 63) / 64
        for rule in rules { entries.append(emit(rule.compiled)) }
    }

    private mutating func emit(_ node: CompiledNode) -> Int32 {
        let index = instructions.count
        instructions.append(Instruction(op: .constant, flag: false, count: 0, operand: 0, end: 0))
        var instruction = Instruction(op: .constant, flag: false, count: 0, operand: 0, end: 0)
        switch node {
        case .and(let children), .or(let children):
            if case .and = node { instruction.op = .and } else { instruction.op = .or }
            instruction.count = Int32(children.count)
            for child in children { _ = emit(child) }
        case .not(let child):
            instruction.op = .not
            _ = emit(child)
        case .constant(let value):
            instruction.flag = value
        case .eventType(let codes, let negated):
            instruction.op = .eventType
            instruction.flag = negated
            instruction.operand = Int32(eventTypeWords.count)
            var words = [UInt64](repeating: 0, count: wordsPerSet)
            for code in codes where Int(code.rawValue) < wordsPerSet * 64 {
                words[Int(code.rawValue) >> 6] |= 1 << UInt64(code.rawValue & 63)
            }
            eventTypeWords.append(contentsOf: words)
        case .exists(let value):
            instruction.op = .exists
            instruction.operand = Int32(checks.count)
            checks.append(Check(slot: Self.slot(of: value), lhs: value, mode: .scalar, constant: nil, field: nil))
        case .check(let check):
            instruction.op = .check
            instruction.operand = Int32(checks.count)
            var constant: Unmanaged<ConstantTest>? = nil
            var field: (CompiledValue, ComparisonOperator)? = nil
            switch check.test {
            case .constant(let test):
                let box = ConstantTest(test)
                constantTests.append(box)
                constant = Unmanaged.passUnretained(box)
            case .field(let value, let op):
                field = (value, op)
            }
            checks.append(
                Check(slot: Self.slot(of: check.lhs), lhs: check.lhs, mode: check.mode, constant: constant, field: field))
        }
        instruction.end = Int32(instructions.count)
        instructions[index] = instruction
        return Int32(index)
    }

    private static func slot(of value: CompiledValue) -> Int32 {
        if case .field(let slot) = value { return Int32(slot) }
        return -1
    }
}
