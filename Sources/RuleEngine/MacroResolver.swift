/// Macros are substituted on the syntax tree (Falco `filter_macro_resolver`, §1.4): an identifier naming a visible
/// macro is replaced by the macro's (already resolved) tree, so a macro behaves as if parenthesised.
struct MacroResolver {
    struct Failure: Error { var message: String }

    /// Trees of macros, resolved lazily and memoised.
    private var parsed: [String: ConditionNode]
    private var resolved: [String: ConditionNode] = [:]
    private var resolving: Set<String> = []
    private let collector: RuleCollector
    private(set) var used: Set<String> = []

    init(collector: RuleCollector, parsed: [String: ConditionNode]) {
        self.collector = collector
        self.parsed = parsed
    }

    /// Resolves a macro's own tree; it sees macros first defined before its last definition/append.
    mutating func resolvedMacro(_ name: String) throws(Failure) -> ConditionNode {
        if let done = resolved[name] { return done }
        guard let macro = collector.macro(named: name), let tree = parsed[name] else {
            throw Failure(message: "Undefined macro '\(name)' used in filter.")
        }
        guard resolving.insert(name).inserted else {
            throw Failure(message: "Macro '\(name)' references itself")
        }
        defer { resolving.remove(name) }
        let collector = self.collector
        let visibility = macro.visibility
        let out = try resolve(tree) { other in
            guard other != name, let m = collector.macro(named: other) else { return false }
            return m.sequence < visibility
        }
        resolved[name] = out
        return out
    }

    /// Resolves a rule's tree: rules see every macro.
    mutating func resolveRule(_ tree: ConditionNode) throws(Failure) -> ConditionNode {
        let collector = self.collector
        return try resolve(tree) { collector.macro(named: $0) != nil }
    }

    private mutating func resolve(_ node: ConditionNode, visible: (String) -> Bool) throws(Failure) -> ConditionNode {
        switch node {
        case .identifier(let name):
            guard visible(name) else { throw Failure(message: "Undefined macro '\(name)' used in filter.") }
            used.insert(name)
            return try resolvedMacro(name)
        case .and(let children):
            var out: [ConditionNode] = []
            for c in children { out.append(try resolve(c, visible: visible)) }
            return .and(out)
        case .or(let children):
            var out: [ConditionNode] = []
            for c in children { out.append(try resolve(c, visible: visible)) }
            return .or(out)
        case .not(let child):
            return .not(try resolve(child, visible: visible))
        case .exists, .comparison:
            return node
        }
    }
}
