import Foundation
import FuzzTargets
import RuleEngine
import Testing
import VigilTestSupport

/// Every input that ever broke a target (Tests/Fuzz/regressions/TARGET/) runs through that target again: each
/// must now pass its invariants (a violation stops the test process, which the suite reports as a failure).
/// The inputs that broke the loader also get their specific error checked.
struct FuzzRegressionTests {
    static let root = VigilBinary.repoRoot.appendingPathComponent("Tests/Fuzz/regressions")

    static func inputs(_ target: FuzzTarget) -> [URL] {
        let dir = root.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func regressionInputsPassTheirTarget(_ target: FuzzTarget) throws {
        let files = Self.inputs(target)
        #expect(!files.isEmpty, "no regression inputs for \(target.rawValue)")
        for file in files {
            target.run(Array(try Data(contentsOf: file)))
        }
    }

    /// Found by fuzzing the loader: ten levels of lists of ten lists expand to 10^10 items and hung the loader
    /// (and so a SIGHUP reload) with gigabytes of memory.
    @Test func nestedListBombIsRejectedWithItsLocation() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("rules/list-bomb.yaml"), encoding: .utf8)
        #expect {
            _ = try RuleLoader().load(sources: [(name: "list-bomb.yaml", text: text)])
        } throws: { error in
            let d = (error as? RuleLoadError)?.error
            return d?.itemName == "a5" && d?.location?.line == 11
                && d?.message.contains("more than 100000 items") == true
        }
    }

    /// Found the same way: `m1: (m0 or m0)`, `m2: (m1 or m1)`… resolve instantly (shared subtrees) but made the
    /// compiler walk 2^40 nodes.
    @Test func macroDoublingBombIsRejected() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("rules/macro-bomb.yaml"), encoding: .utf8)
        #expect {
            _ = try RuleLoader().load(sources: [(name: "macro-bomb.yaml", text: text)])
        } throws: { error in
            let d = (error as? RuleLoadError)?.error
            return d?.itemKind == "macro" && d?.message.contains("more than 1000000 nodes") == true
        }
    }

    /// The shipped rules are far from both caps: they must still load.
    @Test func shippedRulesStayBelowTheCaps() throws {
        let rules = VigilBinary.repoRoot.appendingPathComponent("rules").path
        let ruleset = try RuleLoader().load(paths: [rules])
        #expect(ruleset.enabledRules.count > 40)
    }
}
