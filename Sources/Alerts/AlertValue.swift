/// A value in an alert's `output_fields`, typed as Falco types them in JSON: strings, integers (`evt.time`
/// as nanoseconds, pids, ports), booleans, `null` for a missing value, and arrays for list fields.
public enum AlertValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    case double(Double)
    case bool(Bool)
    case null
    case array([AlertValue])
    case object([String: AlertValue])

    /// A string from bytes taken from an event; invalid UTF-8 is escaped as `\xNN` (see `TextEscaping`).
    public static func bytes<Bytes: Collection>(_ bytes: Bytes) -> AlertValue where Bytes.Element == UInt8 {
        .string(TextEscaping.string(fromUntrustedBytes: bytes))
    }

    /// How Falco renders the value in a text output (`<NA>` for missing, `(a,b)` for lists).
    public var textValue: String {
        switch self {
        case .string(let s): s
        case .integer(let i): String(i)
        case .unsigned(let u): String(u)
        case .double(let d): "\(d)"
        case .bool(let b): b ? "true" : "false"
        case .null: "<NA>"
        case .array(let items): "(" + items.map(\.textValue).joined(separator: ",") + ")"
        case .object(let fields): "{" + fields.keys.sorted().map { "\($0)=\(fields[$0]!.textValue)" }.joined(separator: " ") + "}"
        }
    }

    func write(to out: inout JSONOutput) {
        switch self {
        case .string(let s): out.string(s)
        case .integer(let i): out.integer(i)
        case .unsigned(let u): out.integer(u)
        case .double(let d): out.double(d)
        case .bool(let b): b ? out.raw("true") : out.raw("false")
        case .null: out.raw("null")
        case .array(let items):
            out.raw(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.raw(UInt8(ascii: "]"))
        case .object(let fields):
            out.raw(UInt8(ascii: "{"))
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { out.raw(UInt8(ascii: ",")) }
                out.string(key)
                out.raw(UInt8(ascii: ":"))
                fields[key]!.write(to: &out)
            }
            out.raw(UInt8(ascii: "}"))
        }
    }
}

extension AlertValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension AlertValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AlertValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AlertValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .integer(let i): try container.encode(i)
        case .unsigned(let u): try container.encode(u)
        case .double(let d): try container.encode(d)
        case .bool(let b): try container.encode(b)
        case .null: try container.encodeNil()
        case .array(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }
}
