import Foundation
import Testing

@testable import RuleEngine

#if canImport(Glibc)
    import Glibc
#endif

/// Byte-level matchers against their C references.
@Suite struct MatchingTests {
    /// `glob`/`iglob` must agree with glibc's `fnmatch(p, v, 0)` / `FNM_CASEFOLD` (what libsinsp calls).
    @Test func globAgreesWithFnmatch() {
        // Deterministic (xorshift, fixed seed) so a failure is reproducible; GLOB_CASES widens the sweep.
        var generator = XorShift(
            seed: UInt64(ProcessInfo.processInfo.environment["GLOB_SEED"] ?? "") ?? 0x9E37_79B9_7F4A_7C15)
        let cases = Int(ProcessInfo.processInfo.environment["GLOB_CASES"] ?? "") ?? 20_000
        let patternAlphabet = Array("ab/*?[]!-^.\\A=:".utf8)
        let valueAlphabet = Array("ab/.-A]".utf8)
        var compared = 0
        for _ in 0..<cases {
            let pattern = (0..<Int.random(in: 0...7, using: &generator)).map { _ in
                patternAlphabet.randomElement(using: &generator)!
            }
            let value = (0..<Int.random(in: 0...7, using: &generator)).map { _ in
                valueAlphabet.randomElement(using: &generator)!
            }
            for caseFold in [false, true] {
                // FNM_CASEFOLD is a GNU extension Swift does not import: 1 << 4 in glibc's fnmatch.h.
                let flags: Int32 = caseFold ? 1 << 4 : 0
                let expected =
                    fnmatch(String(decoding: pattern, as: UTF8.self), String(decoding: value, as: UTF8.self), flags)
                    == 0
                let actual = ByteMatching.glob(pattern, value, caseFold: caseFold)
                #expect(
                    actual == expected,
                    "pattern \(String(decoding: pattern, as: UTF8.self)) value \(String(decoding: value, as: UTF8.self)) casefold \(caseFold)"
                )
                compared += 1
            }
        }
        #expect(compared == 2 * cases)
    }

    @Test func characterClasses() {
        #expect(ByteMatching.glob(Array("[[:digit:]]*".utf8), Array("7up".utf8), caseFold: false))
        #expect(!ByteMatching.glob(Array("[[:digit:]]*".utf8), Array("up".utf8), caseFold: false))
        #expect(ByteMatching.glob(Array("[A-C]x".utf8), Array("bx".utf8), caseFold: true))
        #expect(!ByteMatching.glob(Array("[A-C]x".utf8), Array("bx".utf8), caseFold: false))
    }

    @Test func containsAndCase() {
        #expect(ByteMatching.contains(Array("hello world".utf8), Array("o w".utf8)))
        #expect(!ByteMatching.contains(Array("hello".utf8), Array("hellO".utf8)))
        #expect(ByteMatching.contains(Array("hello".utf8), Array("hellO".utf8), caseInsensitive: true))
        #expect(ByteMatching.compare(Array("abc".utf8), Array("abd".utf8)) < 0)
        #expect(ByteMatching.compare(Array("ab".utf8), Array("abc".utf8)) < 0)
    }

    @Test func listSubstitution() {
        var condition = "proc.name in (shells, cat) and shells_x = 1 or x.y in (empty, a)"
        ListSubstitution.substitute("shells", items: ["sh", "my shell"], into: &condition)
        ListSubstitution.substitute("empty", items: [], into: &condition)
        #expect(condition == #"proc.name in ( sh, "my shell" , cat) and shells_x = 1 or x.y in (   a)"#)
    }

    @Test func jsonTextIsValidUTF8() {
        var out: [UInt8] = []
        JSONText.appendString(
            [0x61, 0xC3, 0xA9, 0xFF, 0xED, 0xA0, 0x80, 0x0A, 0x00, 0x22, 0x5C, 0xF0, 0x9F, 0x98, 0x80], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"aé\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\\n\\u0000\\\"\\\\😀\"")
        #expect(String(validating: out, as: UTF8.self) != nil)
    }

    @Test func ipAddresses() {
        #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
        #expect(IPAddress("::1")?.description == "::1")
        #expect(IPAddress("2001:db8::8:800:200c:417a")?.description == "2001:db8::8:800:200c:417a")
        #expect(IPAddress("1.2.3") == nil)
        #expect(IPNetwork("172.16.0.0/12")!.contains(IPAddress("172.31.255.255")!))
        #expect(!IPNetwork("172.16.0.0/12")!.contains(IPAddress("172.32.0.0")!))
        #expect(IPNetwork("fe80::/10")!.contains(IPAddress("fe80::1")!))
    }
}

/// A small deterministic generator for reproducible randomized tests.
struct XorShift: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 1 : seed }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

/// The one-pass list substitution against Falco's `resolve_list` written out as Falco writes it (rebuild the string
/// at every occurrence), over random conditions made of list names, delimiters, blanks and commas.
@Test func listSubstitutionMatchesFalcosResolveList() {
    func falco(_ name: String, _ items: [String], _ cnd: inout String) {
        let blanks = Set(" \t\n\r".utf8), delims = blanks.union("(),=".utf8)
        var c = Array(cnd.utf8)
        let n = Array(name.utf8)
        let sub = Array(items.map(ListSubstitution.quoteItem).joined(separator: ", ").utf8)
        func find(_ from: Int) -> Int? {
            var i = from
            while i + n.count <= c.count {
                if Array(c[i..<i + n.count]) == n { return i }
                i += 1
            }
            return nil
        }
        var start = find(0)
        while var s = start {
            var end = s + n.count
            if (s == 0 || delims.contains(c[s - 1])) && (end >= c.count || delims.contains(c[end])) {
                while s > 0 && blanks.contains(c[s - 1]) { s -= 1 }
                while end < c.count && blanks.contains(c[end]) { end += 1 }
                if sub.isEmpty {
                    if s > 0 && c[s - 1] == 0x2C { s -= 1 } else if end < c.count && c[end] == 0x2C { end += 1 }
                }
                var next: [UInt8] = []
                if s > 0 { next += c[0..<s] + [0x20] }
                next += sub + [0x20]
                if end <= c.count { next += c[end...] }
                c = next
                s += sub.count + 1
            }
            start = find(s + 1)
        }
        cnd = String(decoding: c, as: UTF8.self)
    }
    var rng = SystemRandomNumberGenerator()
    let pieces = ["l", "l", "ll", "x", " ", " ", "\t", ",", "(", ")", "=", "a.b", "in", "and"]
    for _ in 0..<3_000 {
        var cnd = ""
        for _ in 0..<Int.random(in: 0...12, using: &rng) { cnd += pieces.randomElement(using: &rng)! }
        for items in [["p", "q r"], [], ["l"]] {
            var a = cnd
            var b = cnd
            ListSubstitution.substitute("l", items: items, into: &a)
            falco("l", items, &b)
            #expect(a == b, "\(cnd.debugDescription) with \(items)")
        }
    }
}
