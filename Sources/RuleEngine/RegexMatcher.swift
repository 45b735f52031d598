#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `regex`: a POSIX extended regex compiled once, matched as a *full* match (RE2 `ANCHOR_BOTH` in libsinsp) on
/// the value's bytes without copying them (`REG_STARTEND`).
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
        value.withUnsafeBufferPointer { buffer -> Bool in
            var match = regmatch_t()
            match.rm_so = 0
            match.rm_eo = regoff_t(buffer.count)
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let empty: CChar = 0
            return withUnsafePointer(to: empty) { emptyPointer in
                regexec(regex, base ?? emptyPointer, 1, &match, REG_STARTEND) == 0
            }
        }
    }
}
