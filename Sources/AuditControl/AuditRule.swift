import CAudit

#if canImport(Glibc)
import Glibc
#endif

/// One syscall rule Vigil installs: `-a always,exit -F arch=ARCH -S a,b,c -k KEY`.
public struct AuditRule: Sendable, Equatable {
    public enum Arch: String, Sendable, CaseIterable {
        case b64, b32
    }

    public var arch: Arch
    public var syscalls: [String]
    public var key: String
    /// A process whose syscalls are not audited by this rule: Vigil's own pid, so that reading and reporting
    /// events does not itself produce events (a feedback loop).
    public var excludedPid: Int32?
    /// Further `-F` conditions in auditctl syntax (`auid=unset`, `uid>=1000`) that narrow the rule.
    public var fields: [String] = []

    public init(arch: Arch, syscalls: [String], key: String, excludedPid: Int32? = nil, fields: [String] = []) {
        self.arch = arch
        self.syscalls = syscalls
        self.key = key
        self.excludedPid = excludedPid
        self.fields = fields
    }

    /// The rule as `auditctl` would take it.
    public var auditctlLine: String {
        let pid = (excludedPid.map { " -F pid!=\($0)" } ?? "") + fields.map { " -F \($0)" }.joined()
        // Several keys are joined by \x01 in the kernel; auditctl takes one -k per key.
        let keys = key.split(separator: "\u{1}").map { "-k \($0)" }.joined(separator: " ")
        return "-a always,exit -F arch=\(arch.rawValue) -S \(syscalls.joined(separator: ","))\(pid) \(keys)"
    }

    /// libaudit's rule structure. The arch field comes first so that syscall names resolve in that arch's table;
    /// names unknown on the arch (a 64-bit-only call in b32) are skipped, not fatal.
    func makeRuleData() throws -> UnsafeMutablePointer<audit_rule_data> {
        guard let created = audit_rule_create_data() else {
            throw AuditControlError("audit_rule_create_data", errno: ENOMEM)
        }
        var rule: UnsafeMutablePointer<audit_rule_data>? = created
        vigil_audit_rule_begin()
        do {
            guard audit_rule_fieldpair_data(&rule, "arch=\(arch.rawValue)", Int32(AUDIT_FILTER_EXIT)) == 0 else {
                throw AuditControlError("arch=\(arch.rawValue)", errno: EINVAL)
            }
            var added = 0
            for name in syscalls where audit_rule_syscallbyname_data(rule!, name) == 0 { added += 1 }
            guard added > 0 else { throw AuditControlError("no syscall of \(syscalls) on \(arch.rawValue)", errno: EINVAL) }
            vigil_audit_rule_syscalls_added()
            if let pid = excludedPid {
                guard audit_rule_fieldpair_data(&rule, "pid!=\(pid)", Int32(AUDIT_FILTER_EXIT)) == 0 else {
                    throw AuditControlError("pid!=\(pid)", errno: EINVAL)
                }
            }
            for f in fields {
                guard audit_rule_fieldpair_data(&rule, f, Int32(AUDIT_FILTER_EXIT)) == 0 else {
                    throw AuditControlError(f, errno: EINVAL)
                }
            }
            guard audit_rule_fieldpair_data(&rule, "key=\(key)", Int32(AUDIT_FILTER_EXIT)) == 0 else {
                throw AuditControlError("key=\(key)", errno: EINVAL)
            }
            return rule!
        } catch {
            audit_rule_free_data(rule)
            throw error
        }
    }
}

/// A rule as the kernel lists it: its raw bytes (so it can be deleted exactly as it is) and its keys.
public struct InstalledAuditRule: Sendable {
    public let raw: [UInt8]
    public let keys: [String]
    public let arch: UInt32?

    init(copying data: UnsafeMutablePointer<audit_rule_data>, length: Int) {
        let headerSize = MemoryLayout<audit_rule_data>.size
        let bufLength = Int(data.pointee.buflen)
        let total = max(length, headerSize + bufLength)
        raw = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: total))
        var keys: [String] = []
        var arch: UInt32? = nil
        let count = Int(data.pointee.field_count)
        withUnsafePointer(to: &data.pointee.fields) { fp in
            fp.withMemoryRebound(to: UInt32.self, capacity: Int(AUDIT_MAX_FIELDS)) { fields in
                withUnsafePointer(to: &data.pointee.values) { vp in
                    vp.withMemoryRebound(to: UInt32.self, capacity: Int(AUDIT_MAX_FIELDS)) { values in
                        let buf = UnsafeRawPointer(data).advanced(by: headerSize).assumingMemoryBound(to: UInt8.self)
                        var offset = 0
                        for i in 0..<min(count, Int(AUDIT_MAX_FIELDS)) {
                            let field = fields[i]
                            let value = values[i]
                            if field == UInt32(AUDIT_ARCH) { arch = value }
                            // String-valued fields consume `value` bytes of buf, in field order.
                            let isString = [
                                AUDIT_WATCH, AUDIT_DIR, AUDIT_FILTERKEY, AUDIT_SUBJ_USER, AUDIT_SUBJ_ROLE,
                                AUDIT_SUBJ_TYPE, AUDIT_SUBJ_SEN, AUDIT_SUBJ_CLR, AUDIT_OBJ_USER, AUDIT_OBJ_ROLE,
                                AUDIT_OBJ_TYPE, AUDIT_OBJ_LEV_LOW, AUDIT_OBJ_LEV_HIGH, AUDIT_EXE,
                            ].contains(Int32(field))
                            if isString {
                                let n = Int(value)
                                guard offset + n <= bufLength else { break }
                                if field == UInt32(AUDIT_FILTERKEY) {
                                    let text = String(decoding: UnsafeBufferPointer(start: buf + offset, count: n), as: UTF8.self)
                                    keys += text.split(separator: "\u{1}").map(String.init)
                                }
                                offset += n
                            }
                        }
                    }
                }
            }
        }
        self.keys = keys
        self.arch = arch
    }

    func withRuleData<R>(_ body: (UnsafeMutablePointer<audit_rule_data>) throws -> R) throws -> R {
        var copy = raw
        return try copy.withUnsafeMutableBytes { p in
            try body(p.baseAddress!.assumingMemoryBound(to: audit_rule_data.self))
        }
    }
}
