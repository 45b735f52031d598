import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// Syscall names per audit arch, resolved through libseccomp once per arch.
///
/// libseccomp's arch tokens *are* the audit arch values (`arch=c000003e` is `SCMP_ARCH_X86_64`), so the table is
/// keyed by the record's own arch: a 32-bit process's `syscall=11` is execve on i386 whatever the host is. A call
/// into libseccomp per event would be far slower than this table (system-libraries.md).
public struct SyscallTable: Sendable {
    public static let shared = SyscallTable()

    /// (audit arch value, libseccomp/auditctl name), for the arches Vigil decodes.
    public static let arches: [(UInt32, String)] = [
        (0xc000_003e, "x86_64"), (0x4000_0003, "i386"), (0xc000_00b7, "aarch64"), (0x4000_0028, "arm"),
        (0x8000_0015, "ppc64"), (0xc000_0015, "ppc64le"), (0x8000_0016, "s390x"), (0xc000_00f3, "riscv64"),
        (0x4000_003e, "x32"),
    ]

    /// One arch's table: names by number and numbers by name. A class: looked up per event, handed out by
    /// reference instead of copying two arrays.
    final class ArchTable: Sendable {
        let names: [String?]
        let numbers: [String: Int]

        init(_ arch: UInt32) {
            var table = [String?](repeating: nil, count: 1024)
            var reverse: [String: Int] = [:]
            for nr in 0..<1024 {
                if let c = seccomp_syscall_resolve_num_arch(arch, Int32(nr)) {
                    let name = String(cString: c)
                    free(c)
                    table[nr] = name
                    reverse[name] = nr
                }
            }
            names = table
            numbers = reverse
        }
    }

    // Each arch's table is built on first use (Swift's static lets are lazy and thread-safe): a host only pays
    // for the arches its records name, usually one.
    private static let x86_64 = ArchTable(0xc000_003e)
    private static let i386 = ArchTable(0x4000_0003)
    private static let aarch64 = ArchTable(0xc000_00b7)
    private static let arm = ArchTable(0x4000_0028)
    private static let ppc64 = ArchTable(0x8000_0015)
    private static let ppc64le = ArchTable(0xc000_0015)
    private static let s390x = ArchTable(0x8000_0016)
    private static let riscv64 = ArchTable(0xc000_00f3)
    private static let x32 = ArchTable(0x4000_003e)

    private init() {}

    private func table(_ arch: UInt32) -> ArchTable? {
        switch arch {
        case 0xc000_003e: return Self.x86_64
        case 0x4000_0003: return Self.i386
        case 0xc000_00b7: return Self.aarch64
        case 0x4000_0028: return Self.arm
        case 0x8000_0015: return Self.ppc64
        case 0xc000_0015: return Self.ppc64le
        case 0x8000_0016: return Self.s390x
        case 0xc000_00f3: return Self.riscv64
        case 0x4000_003e: return Self.x32
        default: return nil
        }
    }

    /// The syscall's name on `arch`, nil if unknown.
    public func name(arch: UInt32, number: Int) -> String? {
        nameLookup(arch, number)
    }

    func nameLookup(_ arch: UInt32, _ number: Int) -> String? {
        guard number >= 0, number < 1024, let t = table(arch) else { return nil }
        return t.names[number]
    }

    /// The number of a syscall name on `arch` (for interpreted logs and for building audit rules).
    public func number(arch: UInt32, name: String) -> Int? { table(arch)?.numbers[name] }

    public static func archName(_ arch: UInt32) -> String? {
        arches.first { $0.0 == arch }?.1
    }

    public static func arch(named name: String) -> UInt32? {
        arches.first { $0.1 == name }?.0
    }
}
