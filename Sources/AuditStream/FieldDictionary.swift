/// Which fields the kernel writes as *untrusted strings* — quoted when clean, hex-encoded when they contain a space,
/// a quote, a control character or a byte above 0x7e.
///
/// The decision is by record type and field name, as auparse's type table and linux-audit-parser's
/// field-dictionary make it, never by the value's shape: `prog-id=45` of a BPF record is a number even though it
/// looks like hex (LAUREL 0.5.1 turned it into "E", audit-reference §2 item 2).
public enum FieldDictionary {
    /// Field names whose unquoted values are hex-encoded strings in any record type.
    static let encodedNames: [String] = [
        "acct", "cgroup", "cmd", "comm", "cwd", "data", "dir", "exe", "file", "grp", "key", "name",
        "new-chardev", "new-disk", "new-fs", "new-net", "new-rng", "new_group", "ocomm", "old-chardev",
        "old-disk", "old-fs", "old-net", "old-rng", "path", "proctitle", "root_dir", "sw", "vm", "watch",
    ]

    /// The names hashed (FNV-1a), so a lookup on the hot path neither allocates nor hashes with SipHash.
    static let encodedHashes: [UInt64: [UInt8]] = Dictionary(
        uniqueKeysWithValues: encodedNames.map { (fnv1a(Array($0.utf8)), Array($0.utf8)) })

    static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// True when an unquoted value of `name` in a record of `type` is a hex-encoded string.
    public static func isEncoded(record type: RecordType, name: ArraySlice<UInt8>) -> Bool {
        if type.code == RecordType.execve.code { return isExecveArgument(name) }
        guard name.count >= 2, name.count <= 11 else { return false }
        guard let known = encodedHashes[fnv1a(name)] else { return false }
        return known.elementsEqual(name)
    }

    /// `a0`, `a12`, `a1[3]` — but not `a1_len` or `argc`.
    static func isExecveArgument(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.first == UInt8(ascii: "a"), name.count >= 2 else { return false }
        var sawBracket = false
        for c in name.dropFirst() {
            if c >= 48 && c <= 57 { continue }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "]") {
                sawBracket = true
                continue
            }
            return false
        }
        _ = sawBracket
        return true
    }
}
