import AuditStream
import ProcessState

/// One item an event shows, in one dimension, with its hash: what learning adds and monitoring looks up.
public struct Observation: Sendable {
    public var dimension: Dimension
    /// The item's text (printable: attacker-controlled bytes are escaped, see `BehaviourExtractor.appendText`).
    public var item: [UInt8]
    public var hash: UInt64

    public init(_ dimension: Dimension, _ item: [UInt8]) {
        self.dimension = dimension
        self.item = item
        hash = ItemHash.hash(dimension, item)
    }

    public var text: String { String(decoding: item, as: UTF8.self) }
}
