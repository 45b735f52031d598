#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// RFC 3339 times as the runtimes write them in their state (`2026-11-25T10:00:01.123456789Z`, or with an offset
/// such as `+01:00`), to nanoseconds since the epoch (Foundation's ISO 8601 parser: microsecond precision, which is
/// plenty for a container's start). Anything else — and docker's `0001-01-01T00:00:00Z` before a first start — is
/// nil: a runtime's odd value must leave the field missing, not make up a time.
public enum RFC3339 {
    public static func nanoseconds(_ text: String) -> Int64? {
        guard let date = try? Date.ISO8601FormatStyle().parse(text) else { return nil }
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 1e10 else { return nil }
        return Int64((seconds * 1e6).rounded()) * 1_000
    }
}
