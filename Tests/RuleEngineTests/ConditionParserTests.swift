import Foundation
import Testing

@testable import RuleEngine

/// libsinsp filter_parser.ut.cpp cases quoted in falco-reference §2.5 (C++ escapes resolved).
@Suite struct ConditionParserTests {
    static let accepted: [String] = [
        "a.a=1 or b.b=2 and c", "not(a)", "not not a", "not(a)and(not(b))", "a.b = not", "a and notb",
        "notz and a and b", "macro and not_macro", "macro and and_macro", "((((((((((a))))))))))",
        "fd.name=*.log", "a.b = a.a", #"test.str = 0a!@#456:/\.;!$%^&*[]{}|"#,
        #"test.str = "0a!@#456:/.; !$%^&*[]{}|""#, #"test.str = 'escape single quote \' '"#,
        #"test.str = 'multiple escape single quote \' \\''"#, #"test.str = 'mixed "'"#,
        #"test.str = "bad escape \ " "#, "evt.arg[0] contains /bin", "evt.arg[a] contains /bin",
        "test.str[+0.25e+10] = a", #"test.str["test \"with\"escaping"] = a"#, "test.num <= 0x12345",
        "test.str = !0.1222e+10", "test.str = 0xAAA.1", "test.list in ()", #"test.list in (0a!@#456:/\.;!$%^&*[]{}|)"#,
        "test.list pmatch (value)", "test.op =value", "test.op bcontains 48545450", "test.op bstartswith 12ab001fc5",
        "test.op existsand macro", "some.field = val(test.field)", "some.field pmatch val(test.field)",
        "some.field = b64 and(some_macro)", "some.field = 'some_fake_transformer(some_macro)'",
        #"join("-", (fd.name, fd.directory)) = /tmp/test"#, #"join("-", (proc.pid, 123)) contains 123"#,
        "proc.name == oneof (cat, nginx)", "proc.name == oneof ()", "proc.name == oneof allowed_processes",
        "proc.name == oneof oneof", "evt.arg[0] == oneof (connect, accept)", "proc.aname[2] != oneof (bash, sh)",
        "proc.name == 'oneof'", "proc.name == oneof", "proc.name == oneof or fd.name exists",
        "proc.name endswith allof (.so, .so.1)",
    ]

    static let rejected: [String] = [
        "a andb", "a and b not", "aor b", "a not b", "a andnot b", "(a)andnot(b)", "a.b = b = 1",
        "a.a invalidoperator xxx", "macro > 12", "#a and b; a and b", "fd.name=/var/lo);g/httpd.log",
        "test.str = a('\")", #"test.str = "broken escape double quote"""#, #"test.str = "mixed \'""#,
        #"test.str = 'mixed \"'"#, "evt.arg[] contains /bin", "test.str[[] = testval", "test.str[   test   ] = testval",
        #"evt.arg["x" = value"#, "test.num < 0xAAA.1", "test.num <= a", "a.g in ( 1 ,, , b)", "test.list in (value,)",
        "test.list = (value)", "test.list contains (value)", "test.op ExIsTs", "test.op startswithvalue", "test.op >",
        "val(test.field) exists", "b64(val(test.field)) exists", "b64,(test.field) exists",
        "some.field = b64and(some_macro)", "some.field = val(val(test.field))", "some.field = (b64(test.field))",
        "some.field in (b64(test.field))", #"join("-", ((fd.name))) = /tmp"#, #"join("-", (macro)) = /tmp"#,
        "proc.name ==oneof (cat, nginx)", "proc.name == oneof(cat, nginx)", "proc.name == ALLOF (cat)",
        "proc.num > oneof (1, 2)", "proc.name == oneof_something (cat)", "proc.name in oneof (cat)",
    ]

    @Test(arguments: accepted)
    func accepts(_ text: String) throws {
        let tree = try ConditionParser.parse(text)
        // The canonical form parses back to the same tree.
        #expect(try ConditionParser.parse(ConditionPrinter.string(tree)) == tree)
    }

    @Test(arguments: rejected)
    func rejects(_ text: String) {
        #expect(throws: ConditionSyntaxError.self) { try ConditionParser.parse(text) }
    }

    @Test func blanksBetweenBooleanOperators() throws {
        let tree = try ConditionParser.parse("a.a=1 or b.b=2 and c")
        #expect(try ConditionParser.parse("a.a=1\nor\tb.b=2\r\nand\u{8}c") == tree)
    }

    @Test func depthLimit() {
        do {
            _ = try ConditionParser.parse(String(repeating: "(", count: 100_000))
            Issue.record("must fail")
        } catch {
            #expect(error.message.contains("exceeded max depth limit of 100"))
        }
    }

    @Test func missingBracketMessage() {
        do {
            _ = try ConditionParser.parse(#"evt.arg["x" = value"#)
            Issue.record("must fail")
        } catch {
            #expect(error.message.contains("expected a ']' token"))
            #expect(error.column == 12)
        }
    }

    @Test func structureAndPrecedence() throws {
        #expect(try canonical("a.a=1 or b.b=2 and c") == "(a.a = 1 or (b.b = 2 and c))")
        #expect(try canonical("not not a") == "a")
        #expect(try canonical("(a or b) or c") == "((a or b) or c)")
        #expect(try canonical("a or b or c") == "(a or b or c)")
        #expect(try canonical("not (a and b)") == "not (a and b)")
        #expect(try canonical("a.b = not") == "a.b = not")
        #expect(try canonical("a and notb") == "(a and notb)")
        #expect(try canonical("test.op existsand macro") == "(test.op exists and macro)")
    }

    @Test func valuesAndQuoting() throws {
        #expect(
            try ConditionParser.parse(#"test.str = 'multiple escape single quote \' \\''"#)
                == .comparison(
                    ComparisonNode(
                        lhs: .field(name: "test.str", argument: nil), op: .equal,
                        rhs: .value(#"multiple escape single quote ' \'"#))))
        #expect(try canonical("proc.name = 'a b'") == #"proc.name = "a b""#)
        #expect(try canonical(#"x.y = "q\"uote""#) == #"x.y = "q\"uote""#)
        #expect(try canonical("proc.aname[2] != oneof (bash, sh)") == "proc.aname[2] != oneof (bash, sh)")
        #expect(try canonical("proc.name == oneof or fd.name exists") == "(proc.name == oneof or fd.name exists)")
        #expect(try canonical("some.field = val(test.field)") == "some.field = val(test.field)")
        #expect(try canonical("toupper(proc.name) = BASH") == "toupper(proc.name) = BASH")
        #expect(
            try canonical(#"join("-", (fd.name, fd.directory)) = /tmp/test"#)
                == #"join("-", (fd.name, fd.directory)) = /tmp/test"#)
        #expect(try canonical(#"test.str["test \"with\"escaping"] = a"#) == #"test.str["test \"with\"escaping"] = a"#)
    }

    @Test func trailingBackslashRoundTrips() throws {
        for value in ["a\\", "a\\\\", "\\", "x\\\"y\\"] {
            let node = ConditionNode.comparison(
                ComparisonNode(lhs: .field(name: "a.b", argument: nil), op: .equal, rhs: .value(value)))
            #expect(try ConditionParser.parse(ConditionPrinter.string(node)) == node)
        }
    }

    @Test func escapes() throws {
        #expect(throws: ConditionSyntaxError.self) { try ConditionParser.parse(#"a.b = "\x41""#) }
        #expect(
            try ConditionParser.parse(#"a.b = "t\tn\n""#)
                == .comparison(
                    ComparisonNode(lhs: .field(name: "a.b", argument: nil), op: .equal, rhs: .value("t\tn\n"))))
    }

    /// Random token soup: the parser never traps, and whatever it accepts prints to text that parses back to the
    /// same tree (the canonical printer is a faithful inverse).
    @Test func randomInputsRoundTrip() {
        let environment = ProcessInfo.processInfo.environment
        var generator = XorShift(seed: UInt64(environment["PARSE_SEED"] ?? "") ?? 0xC0FFEE)
        let cases = Int(environment["PARSE_CASES"] ?? "") ?? 20_000
        let tokens = [
            "a.b", "proc.name", "x", "and", "or", "not", "not(", "(", ")", " ", " ", "=", "!=", "<", ">=", "in",
            "contains ", "glob ", "exists", "oneof ", "(a, b)", "()", "'q s'", "\"d\\\"q\"", "1", "0x1F", "-2.5e+3",
            "val(", "tolower(", "join(", ",", "[", "]", "[2]", "\\", "intersects", "pmatch", "regex ", "*.log",
        ]
        var accepted = 0
        for _ in 0..<cases {
            let text = (0..<Int.random(in: 1...9, using: &generator)).map { _ in
                tokens.randomElement(using: &generator)!
            }
            .joined()
            guard let tree = try? ConditionParser.parse(text) else { continue }
            accepted += 1
            let printed = ConditionPrinter.string(tree)
            #expect((try? ConditionParser.parse(printed)) == tree, "\(text) printed as \(printed)")
        }
        #expect(accepted > 100)
    }
}

/// Found by fuzzing the parser: `not(not x)` printed as `not not x`, which parses back as `x`.
@Test func nestedNotPrintsParenthesisedAndParsesBack() throws {
    let tree = try ConditionParser.parse("not(not proc.name = a)")
    let printed = ConditionPrinter.string(tree)
    #expect(printed == "not (not proc.name = a)")
    #expect(try ConditionParser.parse(printed) == tree)
    #expect(try canonical("not not proc.name = a") == "proc.name = a", "a run of nots still folds, as in Falco")
}

/// libsinsp's `test_accept` runs every accepted expression again with its spaces turned into newlines and into
/// tabs: a word operator takes any blank after it, never none.
@Test func wordOperatorsTakeAnyBlankAfterThem() throws {
    for op in ["contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith", "glob", "iglob", "regex"] {
        let value = op.hasPrefix("b") ? "48545450" : "bla"
        for blank in [" ", "\n", "\t", "\r"] {
            let text = ["", "a.b", op, value, ""].joined(separator: blank)
            #expect(try canonical(text) == "a.b \(op) \(value)", "\(text.debugDescription)")
        }
        #expect(throws: ConditionSyntaxError.self) { _ = try ConditionParser.parse("a.b \(op)\(value)") }
        #expect(throws: ConditionSyntaxError.self) { _ = try ConditionParser.parse("a.b \(op)") }
    }
}
