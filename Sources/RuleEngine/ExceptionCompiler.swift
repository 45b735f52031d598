/// Exceptions become condition text before parsing, exactly as Falco's `build_rule_exception_infos` (§1.3):
/// `(cond)` then ` and not (…)` per exception that has values.
enum ExceptionCompiler {
    static func apply(_ exceptions: [ExceptionItem], to condition: String) -> String {
        var out = "(" + condition + ")"
        for ex in exceptions {
            var icond = ""
            switch ex.fields {
            case .scalar(let field)?:
                let comp: String
                if case .scalar(let c)? = ex.comps { comp = c } else { comp = "in" }
                for row in ex.values {
                    guard case .scalar(let value) = row else { continue }
                    icond += icond.isEmpty ? "(" + field + " " + comp + " (" : ", "
                    icond += ListSubstitution.quoteItem(value)
                }
                icond += icond.isEmpty ? "" : "))"
            case .list(let fields)?:
                let comps: [String]
                if case .list(let c)? = ex.comps { comps = c } else { comps = fields.map { _ in "=" } }
                icond = "("
                for row in ex.values {
                    let items: [ExceptionItem.Value]
                    switch row {
                    case .scalar(let s): items = [.scalar(s)]
                    case .tuple(let t): items = t
                    }
                    icond += icond == "(" ? "" : " or "
                    icond += "("
                    for (k, field) in fields.enumerated() where k < items.count {
                        icond += k == 0 ? "" : " and "
                        let comp = comps[k]
                        let text: String
                        switch items[k] {
                        case .list(let values):
                            text = "(" + values.map(ListSubstitution.quoteItem).joined(separator: ", ") + ")"
                        case .scalar(let value):
                            if isListComparison(comp) {
                                text = value.hasPrefix("(") ? value : "(" + value + ")"
                            } else {
                                text = ListSubstitution.quoteItem(value)
                            }
                        }
                        icond += " " + field + " " + comp + " " + text
                    }
                    icond += ")"
                }
                icond += ")"
                if icond == "()" { icond = "" }
            case nil:
                break
            }
            if !icond.isEmpty { out += " and not " + icond }
        }
        return out
    }

    /// List operators and `<op> oneof|anyof|allof` take a parenthesised list.
    static func isListComparison(_ comp: String) -> Bool {
        if let op = ComparisonOperator(rawValue: comp) { return op.isListOperator }
        return comp.split(separator: " ").count == 2
    }
}
