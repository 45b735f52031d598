import RuleEngine

/// Conditions come from rule files written by many hands and from `vigil tail --filter`. The parser must reject
/// or accept every input without crashing, and what it accepts must print to a condition that parses to the
/// same tree (the printer is how errors and `vigil rules` show a condition back).
enum ConditionFuzzTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let text = String(validating: input.bindMemory(to: UInt8.self), as: UTF8.self) else { return }
        let tree: ConditionNode
        do {
            tree = try ConditionParser.parse(text)
        } catch {
            FuzzInvariant.check(!error.description.isEmpty, "syntax error without a message")
            return
        }
        let printed = ConditionPrinter.string(tree)
        do {
            let again = try ConditionParser.parse(printed, maxDepth: ConditionParser.ruleMaxDepth)
            FuzzInvariant.check(ConditionPrinter.string(again) == printed, "print → parse → print changed: \(printed)")
        } catch {
            FuzzInvariant.check(false, "printed condition does not parse: \(printed) (\(error))")
        }
    }
}
