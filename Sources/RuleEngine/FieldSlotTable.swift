/// The distinct (field, argument) pairs a ruleset reads, numbered densely. The evaluator keeps one cache entry per
/// slot and per event, which is what makes extraction lazy and at-most-once across all rules.
struct FieldSlotTable: Sendable {
    private(set) var fields: [FieldRegistry.Resolved] = []
    private var slots: [FieldRegistry.Resolved: Int] = [:]

    mutating func slot(for field: FieldRegistry.Resolved) -> Int {
        if let slot = slots[field] { return slot }
        fields.append(field)
        slots[field] = fields.count - 1
        return fields.count - 1
    }

    var count: Int { fields.count }
}
