#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `regex`: a POSIX extended regex compiled once, matched as a *full* match (RE2 `ANCHOR_BOTH` in libsinsp) on
/// the value's bytes (`REG_STARTEND`, so a NUL inside the value is matched, not taken as its end). The bytes are
/// copied with a NUL after them: glibc reads only up to `rm_eo`, but a reader of the C contract (AddressSanitizer's
/// `regexec` interceptor, which measures the string with strlen) may not — found by running the tests under ASan.
///
/// glibc's ERE is close to RE2's POSIX mode but not identical (RE2 rejects backreferences; glibc accepts GNU
/// escapes such as `\w`); patterns of the stock and libs test rules behave the same.
final class RegexMatcher: @unchecked Sendable {
    // regexec() on one compiled regex_t is thread-safe in glibc; the buffer is never mutated after init.
    private let regex: UnsafeMutablePointer<regex_t>

    init?(_ pattern: String) {
        let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        let anchored = "^(" + pattern + ")$"
        guard regcomp(compiled, anchored, REG_EXTENDED) == 0 else {
            compiled.deallocate()
            return nil
        }
        regex = compiled
    }

    deinit {
        regfree(regex)
        regex.deallocate()
    }

    func fullMatch(_ value: [UInt8]) -> Bool {
        let terminated = value.map { CChar(bitPattern: $0) } + [0]
        return terminated.withUnsafeBufferPointer { buffer -> Bool in
            var match = regmatch_t()
            match.rm_so = 0
            match.rm_eo = regoff_t(value.count)
            return regexec(regex, buffer.baseAddress!, 1, &match, REG_STARTEND) == 0
        }
    }
}
