import AuditStream
import CSeccomp
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A seccomp profile from a baseline's syscall dimension: deny (EPERM) by default, allow what the workload was
/// seen to call. Written in the OCI runtime spec's `linux.seccomp` shape that runc, containerd and Docker read,
/// and compiled with libseccomp the same way they will, to prove it is valid and to size it.
///
/// The OCI format allows one name list for all of its architectures, so the list is the union of the names
/// learned per arch; `syscallsByArch` keeps the per-arch view for the report.
public struct SeccompProfile: Sendable {
    public var architectures: [String]
    public var syscallsByArch: [String: [String]]
    /// Names learned that libseccomp does not know on their arch (an import from a newer kernel): left out.
    public var unknown: [String]

    public struct ExportError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// audit/libseccomp arch name → OCI architecture constant.
    static let ociArch: [String: String] = [
        "x86_64": "SCMP_ARCH_X86_64", "i386": "SCMP_ARCH_X86", "x32": "SCMP_ARCH_X32", "aarch64": "SCMP_ARCH_AARCH64",
        "arm": "SCMP_ARCH_ARM", "ppc64": "SCMP_ARCH_PPC64", "ppc64le": "SCMP_ARCH_PPC64LE", "s390x": "SCMP_ARCH_S390X",
        "riscv64": "SCMP_ARCH_RISCV64",
    ]

    /// Syscalls a baseline cannot be relied on to show, always allowed: `exit` and `exit_group` do not return (audit
    /// writes its record at syscall exit; a process still running when learning ends has made neither),
    /// `rt_sigreturn` and `restart_syscall` are made by the kernel's signal machinery on the process's behalf.
    /// Without them a container's processes crash at their end (found by the round trip: SIGSEGV after an
    /// `exit_group` refused with EPERM).
    public static let unauditable = ["exit", "exit_group", "rt_sigreturn", "restart_syscall"]

    public init(profile doc: ProfileDocument, extra: [String] = []) throws {
        var byArch: [String: Set<String>] = [:]
        for item in doc.items(.syscall) {
            let parts = item.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            byArch[String(parts[0]), default: []].insert(String(parts[1]))
        }
        let known = byArch.keys.filter { Self.ociArch[$0] != nil && Self.token($0) != nil }
        guard !known.isEmpty else {
            throw ExportError(message: "profile \(doc.key) has no learned syscalls (is every syscall audited? see baselines.audit_all_syscalls)")
        }
        var unknown: [String] = []
        var result: [String: [String]] = [:]
        for arch in known {
            let token = Self.token(arch)!
            var names = byArch[arch]!.union(extra).union(Self.unauditable)
            for n in names where seccomp_syscall_resolve_name_arch(token, n) == __NR_SCMP_ERROR {
                unknown.append("\(arch) \(n)")
                names.remove(n)
            }
            result[arch] = names.sorted()
        }
        architectures = known.sorted()
        syscallsByArch = result
        self.unknown = unknown.sorted()
    }

    static func token(_ arch: String) -> UInt32? { SyscallTable.arches.first { $0.1 == arch }?.0 }

    /// Every name allowed on some arch.
    public var allowed: [String] { Array(Set(syscallsByArch.values.joined())).sorted() }

    /// The OCI `linux.seccomp` object, pretty-printed with sorted keys.
    public func json() -> String {
        let names = allowed.map { "        \"\($0)\"" }.joined(separator: ",\n")
        let arches = architectures.compactMap { Self.ociArch[$0] }.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "architectures": [\(arches)],
              "syscalls": [
                {
                  "names": [
            \(names)
                  ],
                  "action": "SCMP_ACT_ALLOW"
                }
              ]
            }

            """
    }

    /// Compiles the filter as a runtime will (default EPERM, the architectures, the allowed names) and returns
    /// the size of the BPF program libseccomp exports, in bytes.
    public func compiledBPFSize() throws -> Int {
        let errnoEPERM: UInt32 = 0x0005_0000 | UInt32(EPERM)
        let allow: UInt32 = 0x7fff_0000
        guard let ctx = seccomp_init(errnoEPERM) else { throw ExportError(message: "seccomp_init failed") }
        defer { seccomp_release(ctx) }
        let tokens = architectures.compactMap(Self.token)
        for t in tokens {
            let rc = seccomp_arch_add(ctx, t)
            if rc != 0 && rc != -EEXIST { throw ExportError(message: "seccomp_arch_add \(t): \(String(cString: strerror(-rc)))") }
        }
        // seccomp_init added the native arch; a profile learned without it must not allow it.
        let native = seccomp_arch_native()
        if !tokens.contains(native) { _ = seccomp_arch_remove(ctx, native) }
        for name in allowed {
            let nr = seccomp_syscall_resolve_name(name)
            // Resolve per arch: a name unknown on the native arch may exist on another of the profile.
            let number = nr != __NR_SCMP_ERROR ? nr : tokens.lazy.map { seccomp_syscall_resolve_name_arch($0, name) }.first { $0 != __NR_SCMP_ERROR } ?? __NR_SCMP_ERROR
            guard number != __NR_SCMP_ERROR else { continue }
            let rc = seccomp_rule_add_array(ctx, allow, number, 0, nil)
            if rc != 0 && rc != -EEXIST { throw ExportError(message: "seccomp_rule_add \(name): \(String(cString: strerror(-rc)))") }
        }
        guard let file = tmpfile() else { throw ExportError(message: "tmpfile: \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        let fd = fileno(file)
        let rc = seccomp_export_bpf(ctx, fd)
        guard rc == 0 else { throw ExportError(message: "seccomp_export_bpf: \(String(cString: strerror(-rc)))") }
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { throw ExportError(message: "seccomp_export_bpf wrote nothing") }
        return Int(size)
    }
}
