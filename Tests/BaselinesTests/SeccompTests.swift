import Foundation
import Testing

@testable import Baselines

/// Seccomp export: the OCI JSON runtimes read, compiled with libseccomp.
struct SeccompTests {
    static func doc(_ syscalls: [String]) -> ProfileDocument {
        ProfileDocument(
            key: "web:1", mode: .monitoring, createdMillis: 0, lastGrowthMillis: 0, modeChangedMillis: 0,
            items: ["syscall": syscalls])
    }

    @Test func ociJSONAllowsExactlyTheLearnedSyscalls() throws {
        let p = try SeccompProfile(profile: Self.doc(["x86_64 read", "x86_64 write", "x86_64 execve", "x86_64 exit_group"]))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(p.json().utf8)) as? [String: Any])
        #expect(obj["defaultAction"] as? String == "SCMP_ACT_ERRNO")
        #expect(obj["defaultErrnoRet"] as? Int == 1)
        #expect(obj["architectures"] as? [String] == ["SCMP_ARCH_X86_64"])
        let rules = try #require(obj["syscalls"] as? [[String: Any]])
        #expect(rules.count == 1)
        #expect(rules[0]["action"] as? String == "SCMP_ACT_ALLOW")
        // Plus what audit cannot show (calls that do not return, the kernel's signal return).
        #expect(rules[0]["names"] as? [String] == ["execve", "exit", "exit_group", "read", "restart_syscall", "rt_sigreturn", "write"])
    }

    @Test func compilesWithLibseccompAndGrowsWithTheProfile() throws {
        let small = try SeccompProfile(profile: Self.doc(["x86_64 read", "x86_64 write"])).compiledBPFSize()
        let names = ["read", "write", "openat", "close", "mmap", "mprotect", "brk", "execve", "exit_group", "fstat", "socket", "connect"]
        let large = try SeccompProfile(profile: Self.doc(names.map { "x86_64 " + $0 })).compiledBPFSize()
        #expect(small > 0 && small % 8 == 0)  // struct sock_filter is 8 bytes
        #expect(large > small)
    }

    @Test func perArchAndUnknownNames() throws {
        let p = try SeccompProfile(profile: Self.doc(["x86_64 read", "i386 read", "i386 socketcall", "x86_64 frobnicate"]), extra: ["futex"])
        #expect(p.architectures == ["i386", "x86_64"])
        let always = SeccompProfile.unauditable
        #expect(p.syscallsByArch["i386"] == (["futex", "read", "socketcall"] + always).sorted())
        #expect(p.syscallsByArch["x86_64"] == (["futex", "read"] + always).sorted())
        #expect(p.unknown == ["x86_64 frobnicate"])
        #expect(try p.compiledBPFSize() > 0)
    }

    @Test func aProfileWithoutSyscallsIsAnError() {
        #expect(throws: SeccompProfile.ExportError.self) { try SeccompProfile(profile: Self.doc([])) }
    }
}
