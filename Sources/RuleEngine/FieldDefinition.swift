/// One field of the registry.
public struct FieldDefinition: Hashable, Sendable {
    public let id: FieldID
    public let name: String
    public let type: FieldType
    public let availability: FieldAvailability
    public let argument: FieldArgumentKind
    public let summary: String
    /// Deprecated in Falco (load warning `LOAD_DEPRECATED_ITEM`).
    public let deprecated: Bool

    /// Fields whose no-argument form means "any ancestor" (libsinsp `compare_full_aname`).
    public var isAncestorField: Bool { argument == .ancestorIndex }
}
