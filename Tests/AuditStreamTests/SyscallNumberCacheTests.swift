import AuditStream
import Testing

struct SyscallNumberCacheTests {
    /// Each (arch, number) is worked out once, per arch — a mixed 64/32-bit stream keeps both — and numbers or
    /// arches beyond the tables are worked out every time, never answered from another entry.
    @Test func remembersPerArchAndNumber() {
        var cache = SyscallNumberCache<String>()
        var computed = 0
        func name(_ arch: UInt32, _ n: Int) -> String {
            cache.value(arch: arch, number: n) {
                computed += 1
                return "\(arch):\(n)"
            }
        }
        #expect(name(0xc000_003e, 59) == "3221225534:59")
        #expect(name(0x4000_0003, 59) == "1073741827:59")
        #expect(name(0xc000_003e, 59) == "3221225534:59")
        #expect(name(0x4000_0003, 59) == "1073741827:59")
        #expect(computed == 2)
        // Out of range: no table entry.
        #expect(name(0xc000_003e, 5000) == "3221225534:5000")
        #expect(name(0xc000_003e, -1) == "3221225534:-1")
        #expect(computed == 4)
        // Two more arches fill the four tables; a fifth is worked out each time.
        _ = name(1, 1)
        _ = name(2, 1)
        #expect(computed == 6)
        #expect(name(3, 1) == "3:1")
        #expect(name(3, 1) == "3:1")
        #expect(computed == 8)
        #expect(name(1, 1) == "1:1")
        #expect(computed == 8)
    }
}
