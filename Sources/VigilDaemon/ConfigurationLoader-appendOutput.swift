import RuleEngine
import Yams

extension ConfigurationLoader {
    /// falco.yaml's `append_output`, with its keys: `match` (`source`, `rule`, `tags`), `extra_output`,
    /// `extra_fields` (bare field names or one-key `name: format` mappings) and `suggested_output: true`.
    static func parseAppendOutput(_ node: Node, file: String, warnings: inout [Problem]) throws -> [OutputAppend] {
        guard let entries = node.sequence else { throw problem(file, node, "'append_output' must be a list") }
        var out: [OutputAppend] = []
        for entry in entries {
            guard let m = entry.mapping else { throw problem(file, entry, "each 'append_output' entry must be a mapping") }
            for (k, _) in m where !["match", "extra_output", "extra_fields", "suggested_output"].contains(k.string ?? "") {
                warnings.append(problem(file, k, "unknown key 'append_output.\(k.string ?? "?")' (ignored)"))
            }
            func text(_ n: Node, _ name: String) throws -> String {
                guard let s = n.scalar?.string else { throw problem(file, n, "'append_output.\(name)' must be a string") }
                return s
            }
            /// Output text is checked here, where its line is known, rather than failing every rule it joins.
            func format(_ n: Node, _ text: String, _ name: String) throws -> String {
                if let why = OutputFormat.problem(in: text) {
                    throw problem(file, n, "'append_output.\(name)': \(why)")
                }
                return text
            }
            if let v = m["suggested_output"] {
                guard let on = v.bool else { throw problem(file, v, "'append_output.suggested_output' must be true or false") }
                if on { out.append(.suggested) }
            }
            guard m["extra_output"] != nil || m["extra_fields"] != nil else { continue }
            var a = OutputAppend()
            if let match = m["match"] {
                guard let mm = match.mapping else { throw problem(file, match, "'append_output.match' must be a mapping") }
                for (k, _) in mm where !["source", "rule", "tags"].contains(k.string ?? "") {
                    warnings.append(problem(file, k, "unknown key 'append_output.match.\(k.string ?? "?")' (ignored)"))
                }
                if let v = mm["source"] { a.source = try text(v, "match.source") }
                if let v = mm["rule"] { a.rule = try text(v, "match.rule") }
                if let v = mm["tags"] {
                    guard let seq = v.sequence else { throw problem(file, v, "'append_output.match.tags' must be a list") }
                    a.tags = try seq.map { try text($0, "match.tags") }
                }
            }
            if let v = m["extra_output"] { a.extraOutput = try format(v, try text(v, "extra_output"), "extra_output") }
            if let v = m["extra_fields"] {
                guard let seq = v.sequence else { throw problem(file, v, "'append_output.extra_fields' must be a list") }
                for f in seq {
                    if let name = f.scalar?.string {
                        a.extraFields.append((name, try format(f, "%" + name, "extra_fields")))
                    } else if let fm = f.mapping, fm.count == 1, let (k, v) = fm.first, let key = k.string {
                        a.extraFields.append((key, try format(v, try text(v, "extra_fields.\(key)"), "extra_fields.\(key)")))
                    } else {
                        throw problem(file, f, "an 'append_output.extra_fields' item is a field name or one 'name: format'")
                    }
                }
            }
            out.append(a)
        }
        return out
    }
}
