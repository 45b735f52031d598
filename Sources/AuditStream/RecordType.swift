import CAudit

/// An audit record type: the kernel's number and its name.
///
/// Names come from libaudit's own table so that Vigil agrees with auditctl/ausearch on every type the installed
/// libaudit knows; `UNKNOWN[n]` lines keep their number, and names libaudit does not know keep their text.
public struct RecordType: Hashable, Sendable, CustomStringConvertible {
    public let code: UInt16
    public let name: String

    public init(code: UInt16, name: String) {
        self.code = code
        self.name = name
    }

    public init(code: UInt16) {
        self.code = code
        self.name = RecordTypeTable.shared.name(for: code) ?? "UNKNOWN[\(code)]"
    }

    public var description: String { name }

    public static let syscall = RecordType(code: 1300, name: "SYSCALL")
    public static let path = RecordType(code: 1302, name: "PATH")
    public static let sockaddr = RecordType(code: 1306, name: "SOCKADDR")
    public static let cwd = RecordType(code: 1307, name: "CWD")
    public static let execve = RecordType(code: 1309, name: "EXECVE")
    public static let eoe = RecordType(code: 1320, name: "EOE")
    public static let bprmFcaps = RecordType(code: 1321, name: "BPRM_FCAPS")
    public static let proctitle = RecordType(code: 1327, name: "PROCTITLE")

    /// auparse's `audit_is_last_record`, narrowed to the types that are *never* followed by other records of the
    /// same event: user-space messages (1005, 1100–1299, 2100–2999) and the kernel's own standalone 2000.
    /// Kernel anomaly/integrity types (1700–1899) are left out on purpose: ANOM_PROMISCUOUS and ANOM_LINK arrive
    /// together with a SYSCALL of the same stamp (audit-reference §2 item 25), so they complete by EOE or expiry.
    public var isStandalone: Bool {
        let c = code
        return c == 1005 || (c >= 1100 && c <= 1299) || c == 2000 || (c >= 2100 && c <= 2999)
    }
}

/// Name ↔ number table built once from libaudit.
public final class RecordTypeTable: Sendable {
    public static let shared = RecordTypeTable()

    private let byName: [String: UInt16]
    private let byCode: [UInt16: String]

    private init() {
        var byName: [String: UInt16] = [:]
        var byCode: [UInt16: String] = [:]
        for code in 1000...2999 {
            if let cName = audit_msg_type_to_name(Int32(code)) {
                let name = String(cString: cName)
                byCode[UInt16(code)] = name
                byName[name] = UInt16(code)
            }
        }
        self.byName = byName
        self.byCode = byCode
    }

    public func name(for code: UInt16) -> String? { byCode[code] }
    public func code(for name: String) -> UInt16? { byName[name] }

    /// Resolves a type name as it appears in a line, with a fast path for the types that make up nearly all of a
    /// syscall stream (no dictionary lookup, no allocation).
    func resolve(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> RecordType {
        let n = end - start
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            guard s.utf8CodeUnitCount == n else { return false }
            let q = s.utf8Start
            for i in 0..<n where p[start + i] != q[i] { return false }
            return true
        }
        switch n {
        case 3: if eq("EOE") { return .eoe }; if eq("CWD") { return .cwd }
        case 4: if eq("PATH") { return .path }
        case 6: if eq("EXECVE") { return .execve }
        case 7: if eq("SYSCALL") { return .syscall }
        case 8: if eq("SOCKADDR") { return .sockaddr }
        case 9: if eq("PROCTITLE") { return .proctitle }
        default: break
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
        // UNKNOWN[1327]: keep the number, and the modern name when libaudit knows it.
        if name.hasPrefix("UNKNOWN["), name.hasSuffix("]"),
            let code = UInt16(name.dropFirst(8).dropLast())
        {
            return RecordType(code: code, name: byCode[code] ?? name)
        }
        if let code = byName[name] { return RecordType(code: code, name: name) }
        return RecordType(code: 0, name: name)
    }
}
