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
        var text = Array(condition.utf8)
        let pattern = Array(name.utf8)
        guard !pattern.isEmpty else { return false }
        var start = find(pattern, in: text, from: 0)
        guard start != nil else { return false }
        let replacement = Array(items.map(quoteItem).joined(separator: ", ").utf8)
        var used = false
        while let found = start {
            var s = found
            var end = found + pattern.count
            if (s == 0 || delimiters.contains(text[s - 1])) && (end >= text.count || delimiters.contains(text[end])) {
                while s > 0 && blanks.contains(text[s - 1]) { s -= 1 }
                while end < text.count && blanks.contains(text[end]) { end += 1 }
                if replacement.isEmpty {
                    if s > 0 && text[s - 1] == 0x2C {
                        s -= 1
                    } else if end < text.count && text[end] == 0x2C {
                        end += 1
                    }
                }
                var next: [UInt8] = []
                if s > 0 { next += text[0..<s] + [0x20] }
                next += replacement + [0x20]
                if end <= text.count { next += text[end...] }
                text = next
                s += replacement.count + 1
                used = true
            }
            start = find(pattern, in: text, from: s + 1)
        }
        if used { condition = String(decoding: text, as: UTF8.self) }
        return used
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
