#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An event time with nanosecond precision, as Falco carries it (`evt.time` is ns since the epoch).
public struct AlertTime: Sendable, Hashable, Comparable {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    public init(seconds: Int64, nanoseconds: Int64 = 0) {
        self.nanosecondsSinceEpoch = seconds * 1_000_000_000 + nanoseconds
    }

    /// The wall clock now.
    public static func now() -> AlertTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return AlertTime(seconds: Int64(spec.tv_sec), nanoseconds: Int64(spec.tv_nsec))
    }

    public static func < (lhs: AlertTime, rhs: AlertTime) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    var seconds: Int64 { nanosecondsSinceEpoch.floorDivided(by: 1_000_000_000) }
    var subsecondNanoseconds: Int64 { nanosecondsSinceEpoch - seconds * 1_000_000_000 }

    /// RFC 3339 in UTC with nine fractional digits, Falco's JSON `time`: `2023-05-25T13:44:05.478445995Z`.
    public var rfc3339: String { format(fractionDigits: 9) }

    /// RFC 3339 in UTC with six fractional digits: RFC 5424 allows at most six (TIME-SECFRAC).
    public var rfc5424: String { format(fractionDigits: 6) }

    private func format(fractionDigits: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var fraction = subsecondNanoseconds
        for _ in 0..<(9 - fractionDigits) { fraction /= 10 }
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(Int(fraction), fractionDigits) + "Z"
    }

    /// Falco's default text-line time (`%evt.time`): local `HH:MM:SS.nnnnnnnnn`.
    public var falcoLocalTime: String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2) + "."
            + pad(Int(subsecondNanoseconds), 9)
    }

    /// Parses RFC 3339 (`Z` or a numeric offset, 0 to 9 fractional digits; more digits are truncated).
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<(start + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20, let year = number(0, 4), b[4] == UInt8(ascii: "-"), let month = number(5, 2),
            b[7] == UInt8(ascii: "-"), let day = number(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t")
                || b[10] == UInt8(ascii: " "),
            let hour = number(11, 2), b[13] == UInt8(ascii: ":"), let minute = number(14, 2),
            b[16] == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 9 {
                    nanos = nanos * 10 + Int64(b[i] - 0x30)
                    digits += 1
                }
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = number(i + 1, 2), b.count > i + 3, b[i + 3] == UInt8(ascii: ":"), let om = number(i + 4, 2)
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = Int64(timegm(&parts)) - Int64(offsetSeconds)
        self.init(seconds: epoch, nanoseconds: nanos)
    }
}

extension AlertTime: CustomStringConvertible {
    public var description: String { rfc3339 }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor < 0) ? q - 1 : q
    }
}
