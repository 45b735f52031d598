/// Falco's canonical text of a condition (libsinsp `ast::as_string`), as quoted in the exception and append tests
/// of §1.2/§1.3: `and`/`or` nodes in parentheses with single spaces, `not X`, `field op value`, lists as
/// `(a, b)`. Used by `describe` and `parse`; the output parses back to the same tree.
public enum ConditionPrinter {
    public static func string(_ node: ConditionNode) -> String {
        var out = ""
        write(node, into: &out)
        return out
    }

    public static func string(_ field: FieldExpression) -> String {
        var out = ""
        write(field, into: &out)
        return out
    }

    private static func write(_ node: ConditionNode, into out: inout String) {
        switch node {
        case .and(let children): writeChain(children, " and ", into: &out)
        case .or(let children): writeChain(children, " or ", into: &out)
        case .not(let child):
            out += "not "
            if case .not = child {
                // `not not x` parses as `x` (Falco's parser folds a run of `not`s); only `not (not x)` means this tree.
                out += "("
                write(child, into: &out)
                out += ")"
            } else {
                write(child, into: &out)
            }
        case .identifier(let name): out += name
        case .exists(let field):
            write(field, into: &out)
            out += " exists"
        case .comparison(let check):
            write(check.lhs, into: &out)
            out += " " + check.op.rawValue + " "
            if let modifier = check.modifier { out += modifier.rawValue + " " }
            switch check.rhs {
            case .value(let v): out += StringEscaping.printable(v)
            case .list(let items): out += "(" + items.map(StringEscaping.printable).joined(separator: ", ") + ")"
            case .field(let f):
                if case .field = f {
                    out += "val("
                    write(f, into: &out)
                    out += ")"
                } else {
                    write(f, into: &out)
                }
            }
        }
    }

    private static func writeChain(_ children: [ConditionNode], _ separator: String, into out: inout String) {
        out += "("
        for (i, child) in children.enumerated() {
            if i > 0 { out += separator }
            write(child, into: &out)
        }
        out += ")"
    }

    private static func write(_ field: FieldExpression, into out: inout String) {
        switch field {
        case .field(let name, let argument):
            out += name
            if let argument { out += "[" + printableArgument(argument) + "]" }
        case .transformer(let kind, let arguments, let argument):
            out += kind.rawValue + "("
            out += arguments.map(string).joined(separator: ", ")
            out += ")"
            if let argument { out += "[" + printableArgument(argument) + "]" }
        }
    }

    private static func string(_ argument: TransformerArgument) -> String {
        switch argument {
        case .expression(let e): return string(e)
        case .string(let s): return StringEscaping.quoted(s)
        case .number(let n): return n
        case .list(let items): return "(" + items.map(string).joined(separator: ", ") + ")"
        }
    }

    /// Field arguments are bare unless they contain a character a bare argument cannot (`[ ] " '` or blanks).
    private static func printableArgument(_ argument: String) -> String {
        let needsQuotes =
            argument.isEmpty
            || argument.utf8.contains { $0 == 0x5B || $0 == 0x5D || $0 == 0x22 || $0 == 0x27 || $0 <= 0x20 }
        guard needsQuotes else { return argument }
        return StringEscaping.quoted(argument)
    }
}
