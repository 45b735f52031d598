import Yams

extension ConfigurationLoader {
    static let protectActions = ["none", "kill", "freeze", "command"]
    static let priorities = ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "info", "debug"]

    /// The `baselines:` section, with each wrong value reported at its line.
    static func parseBaselines(
        _ node: Node, into b: inout DaemonConfiguration.Baselines, file: String, warnings: inout [Problem]
    ) throws {
        guard let m = node.mapping else { throw problem(file, node, "'baselines' must be a mapping") }
        let known: Set<String> = [
            "enabled", "database", "learning_seconds", "quiet_seconds", "max_items_per_dimension", "max_items_per_profile",
            "max_profiles", "priority", "repeat_window_seconds", "flush_ms", "alert_file_reads", "host_units",
            "audit_all_syscalls", "audit_all_fields", "protect",
        ]
        for (k, _) in m where !known.contains(k.string ?? "") {
            warnings.append(problem(file, k, "unknown key 'baselines.\(k.string ?? "?")' (ignored)"))
        }
        func bool(_ key: String) throws -> Bool? {
            guard let v = m[key] else { return nil }
            guard let x = v.bool else { throw problem(file, v, "'baselines.\(key)' must be true or false") }
            return x
        }
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let v = m[key] else { return nil }
            guard let d = v.float ?? v.int.map(Double.init) else { throw problem(file, v, "'baselines.\(key)' must be a number") }
            guard range.contains(d) else {
                throw problem(file, v, "baselines.\(key) must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound))")
            }
            return d
        }
        func string(_ key: String, in n: Node? = nil) throws -> String? {
            guard let v = n ?? m[key] else { return nil }
            guard let s = v.scalar?.string else { throw problem(file, v, "'baselines.\(key)' must be a string") }
            return s
        }
        if let x = try bool("enabled") { b.enabled = x }
        if let x = try string("database") { b.database = x }
        if let x = try number("learning_seconds", 0...31_536_000) { b.learningSeconds = x }
        if let x = try number("quiet_seconds", 0...31_536_000) { b.quietSeconds = x }
        if let x = try number("max_items_per_dimension", 1...1_000_000) { b.maxItemsPerDimension = Int(x) }
        if let x = try number("max_items_per_profile", 1...5_000_000) { b.maxItemsPerProfile = Int(x) }
        if let x = try number("max_profiles", 1...100_000) { b.maxProfiles = Int(x) }
        if let x = try number("repeat_window_seconds", 0...86_400) { b.repeatWindowSeconds = x }
        if let x = try number("flush_ms", 50...60_000) { b.flushMillis = Int(x) }
        if let x = try bool("alert_file_reads") { b.alertFileReads = x }
        if let x = try bool("host_units") { b.hostUnits = x }
        if let x = try bool("audit_all_syscalls") { b.auditAllSyscalls = x }
        if let v = m["audit_all_fields"] {
            guard let seq = v.sequence else { throw problem(file, v, "'baselines.audit_all_fields' must be a list of auditctl -F conditions") }
            b.auditAllFields = try seq.map { n in
                guard let s = n.scalar?.string, s.contains(where: { "=<>&".contains($0) }), !s.contains(" ") else {
                    throw problem(file, n, "baselines.audit_all_fields: each item is one auditctl -F condition such as auid=unset")
                }
                return s
            }
        }
        if let v = m["priority"] {
            let p = try string("priority", in: v)!
            guard priorities.contains(p.lowercased()) else { throw problem(file, v, "baselines.priority '\(p)' is not a Falco priority") }
            b.priority = p
        }
        if let p = m["protect"] {
            guard let pm = p.mapping else { throw problem(file, p, "'baselines.protect' must be a mapping") }
            for (k, _) in pm where !["action", "command", "profiles", "after_learning"].contains(k.string ?? "") {
                warnings.append(problem(file, k, "unknown key 'baselines.protect.\(k.string ?? "?")' (ignored)"))
            }
            func action(_ n: Node, _ name: String) throws -> String {
                guard let a = n.scalar?.string, protectActions.contains(a) else {
                    throw problem(file, n, "\(name) must be one of \(protectActions.joined(separator: ", "))")
                }
                return a
            }
            if let v = pm["action"] { b.protectAction = try action(v, "baselines.protect.action") }
            if let v = pm["command"] {
                guard let seq = v.sequence, !seq.isEmpty else { throw problem(file, v, "'baselines.protect.command' must be a non-empty list (argv)") }
                b.protectCommand = try seq.map {
                    guard let s = $0.scalar?.string else { throw problem(file, $0, "'baselines.protect.command' items must be strings") }
                    return s
                }
                guard b.protectCommand[0].hasPrefix("/") else { throw problem(file, v, "baselines.protect.command must start with an absolute path") }
            }
            if let v = pm["profiles"] {
                guard let pp = v.mapping else { throw problem(file, v, "'baselines.protect.profiles' must be a mapping of profile to action") }
                for (k, a) in pp {
                    guard let key = k.string else { throw problem(file, k, "profile keys must be strings") }
                    b.protectProfiles[key] = try action(a, "baselines.protect.profiles.\(key)")
                }
            }
            if let v = pm["after_learning"] {
                guard let seq = v.sequence else { throw problem(file, v, "'baselines.protect.after_learning' must be a list") }
                b.protectAfterLearning = try seq.map {
                    guard let s = $0.scalar?.string else { throw problem(file, $0, "profile keys must be strings") }
                    return s
                }
            }
            let usesCommand = b.protectAction == "command" || b.protectProfiles.values.contains("command")
            if usesCommand && b.protectCommand.isEmpty {
                throw problem(file, p, "baselines.protect: action 'command' needs baselines.protect.command")
            }
        }
    }

    static func format(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
