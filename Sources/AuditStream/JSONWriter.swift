/// A small streaming JSON writer into a byte buffer.
///
/// Audit strings are bytes an attacker chose; the writer always produces valid UTF-8 JSON: control characters
/// become `\u00XX`, and bytes that are not valid UTF-8 become the text `\xNN` (the JSON string `"\\xNN"`), so
/// nothing is lost and no consumer chokes.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = [false]
    }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// Writes `"name":` inside an object.
    public mutating func key(_ name: String) {
        separator()
        writeString(Array(name.utf8))
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string<C: Collection>(_ v: C) where C.Element == UInt8 {
        separator()
        writeString(v)
    }

    public mutating func string(_ v: String) { string(Array(v.utf8)) }

    public mutating func int(_ v: Int64) { separator(); bytes.append(contentsOf: String(v).utf8) }
    public mutating func uint(_ v: UInt64) { separator(); bytes.append(contentsOf: String(v).utf8) }
    public mutating func bool(_ v: Bool) { separator(); bytes.append(contentsOf: (v ? "true" : "false").utf8) }
    public mutating func null() { separator(); bytes.append(contentsOf: "null".utf8) }
    /// Pre-rendered JSON.
    public mutating func raw(_ json: [UInt8]) { separator(); bytes.append(contentsOf: json) }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeString<C: Collection>(_ v: C) where C.Element == UInt8 {
        bytes.append(UInt8(ascii: "\""))
        let a = Array(v)
        var i = 0
        while i < a.count {
            let b = a[i]
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34]); i += 1
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92]); i += 1
            case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")]); i += 1
            case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")]); i += 1
            case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")]); i += 1
            case 0..<0x20, 0x7f:
                bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, Self.hexDigits[Int(b >> 4)], Self.hexDigits[Int(b & 15)]])
                i += 1
            case 0x20..<0x80:
                bytes.append(b); i += 1
            default:
                let n = UTF8Validation.sequenceLength(a, i)
                if n > 0 {
                    bytes.append(contentsOf: a[i..<(i + n)])
                    i += n
                } else {
                    bytes.append(contentsOf: [92, 92, UInt8(ascii: "x"), Self.hexDigits[Int(b >> 4)], Self.hexDigits[Int(b & 15)]])
                    i += 1
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
