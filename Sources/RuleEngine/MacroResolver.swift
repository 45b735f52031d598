/// Macros are substituted on the syntax tree (Falco `filter_macro_resolver`, §1.4): an identifier naming a visible
/// macro is replaced by the macro's (already resolved) tree, so a macro behaves as if parenthesised.
struct MacroResolver {
    struct Failure: Error {
        var message: String
        /// Falco reports a macro that is not defined (or not visible) as a validation error, the other
        /// failures as compile errors.
        var code: LoadErrorCode = .compileCondition
    }

    /// Trees of macros, resolved lazily and memoised.
    private var parsed: [String: ConditionNode]
    private var resolved: [String: ConditionNode] = [:]
    /// Node count of each resolved macro. Trees share structure, so `m1: m0 or m0`, `m2: m1 or m1`… resolve in
    /// no time but would make the compiler walk 2^n nodes; the count stops that at load time.
    private var sizes: [String: Int] = [:]
    /// Largest resolved condition (Falco's stock rules stay below a few thousand nodes).
    static let maxNodes = 1_000_000
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
            throw Failure(message: "Undefined macro '\(name)' used in filter.", code: .validate)
        }
        guard resolving.insert(name).inserted else {
            throw Failure(message: "Macro '\(name)' references itself")
        }
        defer { resolving.remove(name) }
        let collector = self.collector
        let visibility = macro.visibility
        var size = 0
        let out = try resolve(tree, size: &size) { other in
            guard other != name, let m = collector.macro(named: other) else { return false }
            return m.sequence < visibility
        }
        resolved[name] = out
        sizes[name] = size
        return out
    }

    /// Resolves a rule's tree: rules see every macro.
    mutating func resolveRule(_ tree: ConditionNode) throws(Failure) -> ConditionNode {
        let collector = self.collector
        var size = 0
        return try resolve(tree, size: &size) { collector.macro(named: $0) != nil }
    }

    private mutating func resolve(
        _ node: ConditionNode, size: inout Int, visible: (String) -> Bool
    ) throws(Failure) -> ConditionNode {
        let out: ConditionNode
        switch node {
        case .identifier(let name):
            guard visible(name) else { throw Failure(message: "Undefined macro '\(name)' used in filter.", code: .validate) }
            used.insert(name)
            out = try resolvedMacro(name)
            size += sizes[name] ?? 1
        case .and(let children):
            var resolvedChildren: [ConditionNode] = []
            for c in children { resolvedChildren.append(try resolve(c, size: &size, visible: visible)) }
            size += 1
            out = .and(resolvedChildren)
        case .or(let children):
            var resolvedChildren: [ConditionNode] = []
            for c in children { resolvedChildren.append(try resolve(c, size: &size, visible: visible)) }
            size += 1
            out = .or(resolvedChildren)
        case .not(let child):
            out = .not(try resolve(child, size: &size, visible: visible))
            size += 1
        case .exists, .comparison:
            out = node
            size += 1
        }
        if size > Self.maxNodes {
            throw Failure(message: "condition expands to more than \(Self.maxNodes) nodes once macros are substituted")
        }
        return out
    }
}
