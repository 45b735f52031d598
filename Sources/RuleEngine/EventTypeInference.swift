/// The event types a condition can match (§2.6, libsinsp `ppm_codes.cpp`): `not` pushed down with De Morgan,
/// `and` = intersection, `or` = union, `evt.type` with `=`/`==`/`!=`/`in` (literal right-hand side) restricts,
/// `evt.num = 0` is empty, every other check is neutral.
enum EventTypeInference {
    static func eventTypes(_ node: ConditionNode, table: EventTypeTable, negated: Bool = false) -> EventTypeSet {
        switch node {
        case .and(let children):
            return children.reduce(negated ? EventTypeSet.none : .all) { partial, child in
                let set = eventTypes(child, table: table, negated: negated)
                return negated ? partial.union(set) : partial.intersection(set)
            }
        case .or(let children):
            return children.reduce(negated ? EventTypeSet.all : .none) { partial, child in
                let set = eventTypes(child, table: table, negated: negated)
                return negated ? partial.intersection(set) : partial.union(set)
            }
        case .not(let child):
            return eventTypes(child, table: table, negated: !negated)
        case .identifier:
            return .all
        case .exists(let field):
            if case .field("evt.type", nil) = field { return negated ? .none : .all }
            return .all
        case .comparison(let check):
            guard case .field(let name, nil) = check.lhs else { return .all }
            if name == "evt.type" || name == "syscall.type", check.modifier == nil,
                [.equal, .doubleEqual, .notEqual, .in].contains(check.op)
            {
                let names: [String]
                switch check.rhs {
                case .value(let v): names = [v]
                case .list(let items): names = items
                case .field: return .all
                }
                let set = EventTypeSet(Set(names.compactMap { table.code(for: $0) }))
                let invert = negated != (check.op == .notEqual)
                return invert ? set.inverted : set
            }
            if name == "evt.num", check.modifier == nil, case .value(let v) = check.rhs,
                let n = NumericValue(parsing: v), n.compare(NumericValue(negative: false, magnitude: 0)) == 0,
                [.equal, .doubleEqual].contains(check.op)
            {
                // evt.num starts at 1: `evt.num = 0` never holds (the stock `never_true` macro).
                return negated ? .all : .none
            }
            return .all
        }
    }
}
