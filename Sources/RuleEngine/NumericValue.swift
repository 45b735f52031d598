/// A number from a field or a constant, compared without overflow across signed and unsigned fields.
struct NumericValue: Sendable {
    var negative: Bool
    var magnitude: UInt64

    init(negative: Bool, magnitude: UInt64) {
        self.negative = negative && magnitude != 0
        self.magnitude = magnitude
    }

    init?(_ value: FieldValue) {
        switch value {
        case .signed(let v): self.init(negative: v < 0, magnitude: v.magnitude)
        case .unsigned(let v): self.init(negative: false, magnitude: v)
        case .bool(let b): self.init(negative: false, magnitude: b ? 1 : 0)
        case .string(let bytes):
            // Elements of numeric ancestor lists (`proc.apid` without index) arrive as decimal text.
            self.init(decimal: bytes)
        default: return nil
        }
    }

    /// `-?[0-9]+` from bytes, without building a String.
    init?(decimal bytes: [UInt8]) {
        var i = 0
        var negative = false
        if let first = bytes.first, first == 0x2D || first == 0x2B {
            negative = first == 0x2D
            i = 1
        }
        guard i < bytes.count else { return nil }
        var magnitude: UInt64 = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c >= 0x30, c <= 0x39 else { return nil }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(c - 0x30))
            guard !o1, !o2 else { return nil }
            magnitude = m2
            i += 1
        }
        self.init(negative: negative, magnitude: magnitude)
    }

    /// Decimal (optionally signed) or `0x` hexadecimal integers; fractions and exponents do not convert.
    init?(parsing text: String) {
        var body = Substring(text)
        var negative = false
        if body.first == "-" || body.first == "+" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        let magnitude: UInt64?
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            magnitude = UInt64(body.dropFirst(2), radix: 16)
        } else {
            magnitude = UInt64(body)
        }
        guard let magnitude else { return nil }
        self.init(negative: negative, magnitude: magnitude)
    }

    func compare(_ other: NumericValue) -> Int? {
        if negative != other.negative { return negative ? -1 : 1 }
        if magnitude == other.magnitude { return 0 }
        let less = magnitude < other.magnitude
        return (less != negative) ? -1 : 1
    }
}
