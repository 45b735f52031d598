/// Lists are substituted into condition text before parsing (Falco `resolve_list`, §1.4): every occurrence of the
/// name delimited by start/end or one of ` \t\n\r(),=` becomes `item1, item2, …` (items with a space quoted),
/// an empty list also eats one adjacent comma. Items are therefore filter tokens, not raw strings.
enum ListSubstitution {
    static let blanks: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
    static let delimiters: Set<UInt8> = blanks.union([0x28, 0x29, 0x2C, 0x3D])

    /// `quote_item`: wraps in double quotes when the item contains a space and does not start with a quote.
    static func quoteItem(_ item: String) -> String {
        // Bytes, not `String.contains`: that is Foundation's `range(of:)`, and this runs for every item of every
        // list on every substitution (it was most of the time to load the stock rules).
        if item.utf8.contains(0x20), let first = item.utf8.first, first != 0x22, first != 0x27 { return "\"" + item + "\"" }
        return item
    }

    /// Substitutes one list into `condition`; returns whether it was used.
    @discardableResult
    static func substitute(_ name: String, items: [String], into condition: inout String) -> Bool {
        substitute(name, items: items, into: &condition, limit: .max) == .substituted
    }

    enum Outcome { case unchanged, substituted, tooLarge }

    /// One pass over the condition, building the result once: Falco rebuilds the whole string at every
    /// occurrence, which is quadratic — nested lists that expand to a few MiB of text took the loader minutes (a
    /// fuzzer timeout) before the size check after the substitution could refuse them. `limit` (bytes) stops as
    /// soon as the result outgrows it. The text produced is exactly Falco's `resolve_list`, including where its
    /// search resumes after a substitution.
    static func substitute(_ name: String, items: [String], into condition: inout String, limit: Int) -> Outcome {
        let text = Array(condition.utf8)
        let pattern = Array(name.utf8)
        guard !pattern.isEmpty, var found = find(pattern, in: text, from: 0) else { return .unchanged }
        let replacement = Array(items.map(quoteItem).joined(separator: ", ").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var copied = 0
        var used = false
        while true {
            var end = found + pattern.count
            var next = found + 1
            if (found == 0 || delimiters.contains(text[found - 1])) && (end >= text.count || delimiters.contains(text[end])) {
                out.append(contentsOf: text[copied..<found])
                while let last = out.last, blanks.contains(last) { out.removeLast() }
                while end < text.count && blanks.contains(text[end]) { end += 1 }
                if replacement.isEmpty {
                    if out.last == 0x2C {
                        out.removeLast()
                    } else if end < text.count && text[end] == 0x2C {
                        end += 1
                    }
                }
                // Falco resumes one past its cursor, which lands on the remainder — or one byte into it when the
                // substitution starts the string.
                next = end + (out.isEmpty ? 1 : 0)
                if !out.isEmpty { out.append(0x20) }
                out.append(contentsOf: replacement)
                out.append(0x20)
                copied = end
                used = true
                if out.count + (text.count - copied) > limit { return .tooLarge }
            }
            guard let f = find(pattern, in: text, from: next) else { break }
            found = f
        }
        guard used else { return .unchanged }
        out.append(contentsOf: text[min(copied, text.count)...])
        condition = String(decoding: out, as: UTF8.self)
        return .substituted
    }

    private static func find(_ pattern: [UInt8], in text: [UInt8], from: Int) -> Int? {
        guard from >= 0, text.count >= pattern.count else { return nil }
        var i = from
        while i + pattern.count <= text.count {
            if text[i] == pattern[0] && text[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i += 1
        }
        return nil
    }
}
