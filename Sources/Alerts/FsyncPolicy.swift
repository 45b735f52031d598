/// When a file sink or a spool calls `fsync(2)`: the trade between losing the last alerts on a power cut
/// and the cost of a disk flush per alert. A crash of Vigil alone (even SIGKILL) loses nothing written,
/// whatever the policy: data handed to `write(2)` is in the kernel's page cache.
public enum FsyncPolicy: Sendable, Hashable {
    /// Leave flushing to the kernel.
    case never
    /// After every write (every batch of alerts).
    case always
    /// At most once per interval, on the next write after it elapsed; also when a spool's sink goes idle,
    /// and when a file sink is reopened or closed.
    case interval(milliseconds: Int)
}

extension FsyncPolicy: Codable {
    /// Decodes `"never"`, `"always"`, or a number of milliseconds (`interval`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let milliseconds = try? container.decode(Int.self) {
            self = milliseconds <= 0 ? .always : .interval(milliseconds: milliseconds)
            return
        }
        switch try container.decode(String.self) {
        case "never": self = .never
        case "always": self = .always
        case let other:
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "fsync must be \"never\", \"always\" or milliseconds, not '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .never: try container.encode("never")
        case .always: try container.encode("always")
        case .interval(let milliseconds): try container.encode(milliseconds)
        }
    }
}
