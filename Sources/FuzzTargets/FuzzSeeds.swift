import Foundation
import Yams

/// Starting inputs for each target, cut from the material Vigil really reads: the audit corpus in pieces a
/// fuzzer can mutate quickly, every condition of the shipped rules, the rules files themselves, the sample
/// configuration. A fuzzer that starts from real inputs reaches deep code in seconds instead of hours.
public enum FuzzSeeds {
    public struct Sources: Sendable {
        public var auditLogs: [String]
        public var rulesFiles: [String]
        public var configFiles: [String]
        public init(auditLogs: [String], rulesFiles: [String], configFiles: [String]) {
            self.auditLogs = auditLogs
            self.rulesFiles = rulesFiles
            self.configFiles = configFiles
        }
    }

    /// Lines per record seed: enough for a multi-record event and its neighbours, small enough to run fast.
    static let linesPerChunk = 24

    public static func seeds(for target: FuzzTarget, from sources: Sources) -> [[UInt8]] {
        switch target {
        case .record:
            var out: [[UInt8]] = []
            for path in sources.auditLogs {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                let lines = data.split(separator: 10, omittingEmptySubsequences: false)
                var i = 0
                while i < lines.count {
                    let chunk = lines[i..<min(i + linesPerChunk, lines.count)]
                    out.append(Array(chunk.joined(separator: [10])))
                    i += linesPerChunk
                }
            }
            return out
        case .condition:
            var out: [[UInt8]] = []
            for path in sources.rulesFiles {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                    let items = try? Yams.load(yaml: text) as? [Any]
                else { continue }
                for case let item as [String: Any] in items {
                    if let condition = item["condition"] as? String { out.append(Array(condition.utf8)) }
                }
            }
            return out
        case .rules:
            var out: [[UInt8]] = []
            for path in sources.rulesFiles {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                // Whole files are slow per execution; items one by one keep the fuzzer fast, and each item
                // with the lists and macros before it still loads.
                let items = text.components(separatedBy: "\n- ")
                var prefix = ""
                for (n, item) in items.enumerated() {
                    let piece = (n == 0 ? "" : "- ") + item + "\n"
                    out.append(Array((prefix + piece).utf8.suffix(16_384)))
                    if piece.hasPrefix("- list:") || piece.hasPrefix("- macro:") { prefix += piece }
                    if prefix.utf8.count > 8_192 { prefix = "" }
                }
            }
            return out
        case .config:
            return sources.configFiles.compactMap { FileManager.default.contents(atPath: $0).map(Array.init) }
        }
    }

    /// Writes the seeds as numbered files (the layout libFuzzer reads a corpus directory in).
    public static func write(for target: FuzzTarget, from sources: Sources, into directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let all = seeds(for: target, from: sources)
        for (n, seed) in all.enumerated() {
            let path = directory + "/seed-\(String(n, radix: 10))"
            guard FileManager.default.createFile(atPath: path, contents: Data(seed)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        return all.count
    }
}

extension FuzzSeeds.Sources {
    /// From the environment the fuzz script sets: VIGIL_FUZZ_AUDIT_CORPUS (a directory of `*.log`),
    /// VIGIL_FUZZ_RULES (a directory of rules files), VIGIL_FUZZ_CONFIG (configuration files, `:`-separated).
    public static func fromEnvironment() -> Self {
        let env = ProcessInfo.processInfo.environment
        func files(in dir: String?, suffixes: [String]) -> [String] {
            guard let dir, let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
            return names.sorted().filter { n in suffixes.contains { n.hasSuffix($0) } }.map { dir + "/" + $0 }
        }
        return Self(
            auditLogs: files(in: env["VIGIL_FUZZ_AUDIT_CORPUS"], suffixes: [".log"]),
            rulesFiles: files(in: env["VIGIL_FUZZ_RULES"] ?? "rules", suffixes: [".yaml", ".yml"]),
            configFiles: (env["VIGIL_FUZZ_CONFIG"] ?? "config/vigil.yaml").split(separator: ":").map(String.init))
    }
}
