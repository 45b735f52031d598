@testable import RuleEngine

/// Test-only FieldSource: values by field name (with `name[arg]` keys for arguments); counts extractions so tests
/// can check the at-most-once memoisation.
final class DictionaryFieldSource: FieldSource {
    var values: [String: FieldValue]
    private(set) var extractions: [String: Int] = [:]

    init(_ values: [String: FieldValue]) { self.values = values }

    func extract(_ field: FieldID, argument: FieldArgument?) -> FieldValue? {
        let name = FieldRegistry.standard[field].name
        let key = argument.map { "\(name)[\($0)]" } ?? name
        extractions[key, default: 0] += 1
        return values[key]
    }
}

func loadRules(_ yaml: String, name: String = "test.yaml", matchMode: Ruleset.MatchMode = .all) throws(RuleLoadError)
    -> Ruleset
{
    try RuleLoader(matchMode: matchMode).load(sources: [(name, yaml)])
}

func canonical(_ text: String) throws -> String {
    ConditionPrinter.string(try ConditionParser.parse(text))
}
