/// Runtime side of the transformers (§2.4). They are the only place where evaluation builds new byte arrays;
/// conditions without transformers never allocate per event.
enum Transformers {
    static func apply(_ kind: TransformerKind, _ inputs: [FieldValue?], argument: FieldArgument?) -> FieldValue? {
        switch kind {
        case .tolower, .toupper:
            guard let value = inputs.first ?? nil else { return nil }
            let upper = kind == .toupper
            return map(value) { bytes in
                bytes.map { c in
                    upper ? (c >= 0x61 && c <= 0x7A ? c & ~0x20 : c) : ByteMatching.lower(c)
                }
            }
        case .basename:
            guard let value = inputs.first ?? nil else { return nil }
            return map(value) { bytes in
                if let slash = bytes.lastIndex(of: 0x2F) { return Array(bytes[(slash + 1)...]) }
                return bytes
            }
        case .b64:
            guard let value = inputs.first ?? nil else { return nil }
            switch value {
            case .string(let b): return base64Decode(b).map { .string($0) }
            case .bytes(let b): return base64Decode(b).map { .bytes($0) }
            default: return nil
            }
        case .len:
            guard let value = inputs.first ?? nil else { return nil }
            switch value {
            case .string(let b), .bytes(let b): return .unsigned(UInt64(b.count))
            case .list(let items): return .unsigned(UInt64(items.count))
            default: return nil
            }
        case .join:
            guard inputs.count >= 1, case .string(let separator)? = inputs[0] else { return nil }
            var out: [UInt8] = []
            for (i, value) in inputs.dropFirst().enumerated() {
                guard let value else { return nil }
                if i > 0 { out += separator }
                out += render(value)
            }
            return .string(out)
        case .concat:
            var out: [UInt8] = []
            for value in inputs {
                guard let value else { return nil }
                out += render(value)
            }
            return .string(out)
        case .getopt:
            guard inputs.count == 2, let args = inputs[0], case .string(let spec)? = inputs[1],
                case .key(let letter)? = argument, let option = letter.utf8.first
            else { return nil }
            let words: [[UInt8]]
            switch args {
            case .list(let items): words = items
            case .string(let b): words = b.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map(Array.init)
            default: return nil
            }
            return getopt(words, spec: spec, option: option).map { .string($0) }
        }
    }

    private static func map(_ value: FieldValue, _ body: ([UInt8]) -> [UInt8]) -> FieldValue? {
        switch value {
        case .string(let b): return .string(body(b))
        case .bytes(let b): return .bytes(body(b))
        case .list(let items): return .list(items.map(body))
        default: return nil
        }
    }

    /// Text form of a value inside join/concat and outputs.
    static func render(_ value: FieldValue) -> [UInt8] {
        switch value {
        case .string(let b), .bytes(let b): return b
        case .signed(let v): return Array(String(v).utf8)
        case .unsigned(let v): return Array(String(v).utf8)
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .ip(let ip): return Array(ip.description.utf8)
        case .list(let items): return Array("(".utf8) + Array(items.joined(separator: [0x2C])) + Array(")".utf8)
        }
    }

    /// POSIX getopt over argv words (without argv[0]): the value of `option` ("" for a flag), nil if absent.
    /// Parsing stops at `--` or at the first non-option word.
    static func getopt(_ words: [[UInt8]], spec: [UInt8], option: UInt8) -> [UInt8]? {
        func takesArgument(_ c: UInt8) -> Bool? {
            guard let i = spec.firstIndex(of: c), c != 0x3A else { return nil }
            return i + 1 < spec.count && spec[i + 1] == 0x3A
        }
        var found: [UInt8]?
        var i = 0
        while i < words.count {
            let word = words[i]
            if word == [0x2D, 0x2D] { break }
            guard word.count >= 2, word[0] == 0x2D else { break }
            var j = 1
            while j < word.count {
                let c = word[j]
                guard let needsValue = takesArgument(c) else {
                    j += 1
                    continue
                }
                if needsValue {
                    var value: [UInt8] = []
                    if j + 1 < word.count {
                        value = Array(word[(j + 1)...])
                    } else if i + 1 < words.count {
                        i += 1
                        value = words[i]
                    }
                    if c == option { found = value }
                    break
                }
                if c == option { found = [] }
                j += 1
            }
            i += 1
        }
        return found
    }

    static func base64Decode(_ input: [UInt8]) -> [UInt8]? {
        func sextet(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x41...0x5A: return c - 0x41
            case 0x61...0x7A: return c - 0x61 + 26
            case 0x30...0x39: return c - 0x30 + 52
            case 0x2B, 0x2D: return 62
            case 0x2F, 0x5F: return 63
            default: return nil
            }
        }
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        var padding = false
        for c in input {
            if c == 0x3D {
                padding = true
                continue
            }
            guard !padding, let v = sextet(c) else { return nil }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
