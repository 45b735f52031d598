/// Interns `node=` names to small integers so that event keys hash and compare as integers.
public final class NodeTable {
    private var ids: [[UInt8]: UInt32] = [:]
    private var names: [String] = [""]

    public init() {}

    func intern(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt32 {
        let key = Array(UnsafeBufferPointer(rebasing: p[start..<end]))
        if let id = ids[key] { return id }
        let id = UInt32(names.count)
        ids[key] = id
        names.append(String(decoding: key, as: UTF8.self))
        return id
    }

    /// The node name of an id; nil for 0 (no node).
    public func name(_ id: UInt32) -> String? {
        id == 0 || Int(id) >= names.count ? nil : names[Int(id)]
    }
}
