/// Why a line is not an audit record. Each malformed line is counted and reported with its line number and this
/// reason; it never takes neighbouring records down with it.
public struct ParseError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Reason: String, Sendable {
        case empty = "empty line"
        case missingType = "no type= field at the start of the line"
        case emptyType = "empty record type"
        case missingStamp = "no msg=audit(SEC.MS:SERIAL) header"
        case badStamp = "malformed timestamp in msg=audit(…)"
        case tooLong = "line longer than 60 000 bytes (audit records are under 9 000)"
    }

    public var reason: Reason
    /// 1-based line number in the source (0 when the source has no lines, e.g. netlink).
    public var line: Int
    /// A printable excerpt of the line (control bytes escaped), to find it again.
    public var excerpt: String

    public var description: String { "line \(line): \(reason.rawValue): \(excerpt)" }
}
