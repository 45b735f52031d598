/// An operator's extra audit rules, in the auditctl syntax they already know — the subset that makes syscall
/// rules: `-a always,exit -F arch=b64|b32 -S name[,name] [-S …] [-k key | -F key=…]`. Each becomes a Vigil rule
/// under Vigil's own key (so it is removed with Vigil's on exit and repaired if deleted); the line's own key is
/// ignored. Anything else (`-w` watches, other filters) is an error with its line, not silently dropped.
public enum AuditRulesFile {
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func parse(_ text: String, key: String, excludedPid: Int32?) throws -> [AuditRule] {
        var rules: [AuditRule] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            var i = 0
            var action: String? = nil
            var arch: AuditRule.Arch? = nil
            var syscalls: [String] = []
            while i < words.count {
                let w = words[i]
                guard i + 1 < words.count else { throw Problem(line: n + 1, message: "'\(w)' needs a value") }
                let v = words[i + 1]
                switch w {
                case "-a", "-A": action = v
                case "-S": syscalls += v.split(separator: ",").map(String.init)
                case "-k": break
                case "-F":
                    if v.hasPrefix("arch=") {
                        guard let a = AuditRule.Arch(rawValue: String(v.dropFirst(5))) else {
                            throw Problem(line: n + 1, message: "arch must be b64 or b32, not '\(v.dropFirst(5))'")
                        }
                        arch = a
                    } else if !v.hasPrefix("key=") {
                        throw Problem(line: n + 1, message: "field '\(v)' is not supported (only arch= and key=)")
                    }
                default:
                    throw Problem(line: n + 1, message: "'\(w)' is not supported (only -a always,exit, -F arch=, -S, -k)")
                }
                i += 2
            }
            guard action == "always,exit" || action == "exit,always" else {
                throw Problem(line: n + 1, message: "only '-a always,exit' rules are supported")
            }
            guard !syscalls.isEmpty else { throw Problem(line: n + 1, message: "no -S syscall") }
            for a in arch.map({ [$0] }) ?? [.b64, .b32] {
                rules.append(AuditRule(arch: a, syscalls: syscalls, key: key, excludedPid: excludedPid))
            }
        }
        return rules
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
