/// Which fields a rule only uses to *exclude*: under a `not`, a missing value makes the comparison false and so
/// the `not` true — the exclusion silently stops excluding ("fails open"). Vigil cannot know a container's image
/// in replay or when the runtime's metadata is unreadable, so `vigil rules describe` says which rules that affects.
public enum FailOpenAnalysis {
    /// Fields compared under an odd number of negations (exceptions compile to `and not (...)`, so they count).
    public static func negatedFields(_ node: ConditionNode) -> Set<String> {
        var out = Set<String>()
        walk(node, negated: false, into: &out)
        return out
    }

    /// The rule's exclusions that depend on the container image (`container.image*`).
    public static func failsOpenWhenImageUnknown(_ rule: CompiledRule) -> Bool {
        negatedFields(rule.condition).contains { $0.hasPrefix("container.image") }
    }

    private static func walk(_ node: ConditionNode, negated: Bool, into out: inout Set<String>) {
        switch node {
        case .and(let items), .or(let items):
            for item in items { walk(item, negated: negated, into: &out) }
        case .not(let inner):
            walk(inner, negated: !negated, into: &out)
        case .exists(let f):
            if negated { out.formUnion(f.fieldNames) }
        case .comparison(let c):
            if negated { out.formUnion(c.lhs.fieldNames.map { $0.split(separator: "[").first.map(String.init) ?? $0 }) }
        default:
            break
        }
    }
}
