/// Which fields the kernel writes as *untrusted strings* — quoted when clean, hex-encoded when they contain a space,
/// a quote, a control character or a byte above 0x7e.
///
/// The decision is by record type and field name, as auparse's type table and linux-audit-parser's
/// field-dictionary make it, never by the value's shape: `prog-id=45` of a BPF record is a number even though it
/// looks like hex (LAUREL 0.5.1 turned it into "E", audit-reference §2 item 2).
public enum FieldDictionary {
    /// Field names whose unquoted values are hex-encoded strings in any record type.
    static let encodedNames: Set<[UInt8]> = Set(
        [
            "acct", "cgroup", "cmd", "comm", "cwd", "data", "dir", "exe", "file", "grp", "key", "name",
            "new-chardev", "new-disk", "new-fs", "new-net", "new-rng", "new_group", "ocomm", "old-chardev",
            "old-disk", "old-fs", "old-net", "old-rng", "path", "proctitle", "root_dir", "sw", "vm", "watch",
            "saddr_unix", "id_name", "new_name", "old_name", "audit_name",
        ].map { Array($0.utf8) })

    /// True when an unquoted value of `name` in a record of `type` is a hex-encoded string.
    public static func isEncoded(record type: RecordType, name: ArraySlice<UInt8>) -> Bool {
        if type.code == RecordType.execve.code { return isExecveArgument(name) }
        // Fast rejects for the numeric fields that fill SYSCALL and PATH records.
        guard let first = name.first else { return false }
        switch first {
        case UInt8(ascii: "a"), UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "e"), UInt8(ascii: "f"),
            UInt8(ascii: "g"), UInt8(ascii: "i"), UInt8(ascii: "k"), UInt8(ascii: "n"), UInt8(ascii: "o"),
            UInt8(ascii: "p"), UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "v"), UInt8(ascii: "w"):
            return encodedNames.contains(Array(name))
        default:
            return false
        }
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
