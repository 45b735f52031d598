import Alerts
import RuleEngine
import Yams

/// Reads vigil.yaml. Unknown keys are warnings with their line, wrong types are errors with their line: an
/// operator's typo must not silently fall back to a default, nor stop a node's monitor on a harmless extra key.
public enum ConfigurationLoader {
    public struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(file):\(line):\(column): \(message)" }
    }

    public static func load(path: String) throws -> (DaemonConfiguration, warnings: [Problem]) {
        guard let text = FileText.contents(path) else {
            throw Problem(file: path, line: 0, column: 0, message: "cannot read the configuration file")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> (DaemonConfiguration, warnings: [Problem]) {
        var config = DaemonConfiguration()
        var warnings: [Problem] = []
        let root: Node?
        do {
            try YAMLExpansionGuard.check(text)
        } catch let e {
            throw Problem(file: file, line: e.line, column: e.column, message: e.message)
        }
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw Problem(file: file, line: 0, column: 0, message: "not valid YAML: \(e)")
        }
        guard let root else { return (config, warnings) }  // empty file: all defaults
        guard let top = root.mapping else { throw problem(file, root, "the top level must be a mapping of keys") }

        func warnUnknown(_ m: Node.Mapping, known: Set<String>, section: String) {
            for (k, _) in m where !known.contains(k.string ?? "") {
                warnings.append(problem(file, k, "unknown key '\(section)\(k.string ?? "?")' (ignored)"))
            }
        }
        func string(_ n: Node, _ name: String) throws -> String {
            guard let s = n.scalar?.string else { throw problem(file, n, "'\(name)' must be a string") }
            return s
        }
        func bool(_ n: Node, _ name: String) throws -> Bool {
            guard let b = n.bool else { throw problem(file, n, "'\(name)' must be true or false") }
            return b
        }
        func strings(_ n: Node, _ name: String) throws -> [String] {
            guard let seq = n.sequence else { throw problem(file, n, "'\(name)' must be a list") }
            return try seq.map { try string($0, name) }
        }
        func number(_ n: Node, _ name: String) throws -> Double {
            guard let d = n.float ?? n.int.map(Double.init) else { throw problem(file, n, "'\(name)' must be a number") }
            return d
        }

        warnUnknown(top, known: ["source", "audit", "rules", "output", "outputs", "metrics", "control", "state_dir", "self_seccomp", "drop_capabilities", "hostname", "baselines", "containers", "append_output"], section: "")
        if let o = top["outputs"] {
            do {
                let text = try Yams.serialize(node: o)
                config.outputs = try YAMLDecoder().decode(OutputsConfiguration.self, from: text)
            } catch {
                throw problem(file, o, "outputs: \(error)")
            }
        }
        if let s = top["metrics"] {
            guard let m = s.mapping else { throw problem(file, s, "'metrics' must be a mapping") }
            warnUnknown(m, known: ["listen"], section: "metrics.")
            if let v = m["listen"] { config.metrics.listen = try string(v, "metrics.listen") }
        }
        if let s = top["control"] {
            guard let m = s.mapping else { throw problem(file, s, "'control' must be a mapping") }
            warnUnknown(m, known: ["socket", "group", "queue_size", "max_clients"], section: "control.")
            if let v = m["socket"] {
                let path = try string(v, "control.socket")
                guard path.isEmpty || path.hasPrefix("/") else { throw problem(file, v, "control.socket must be an absolute path (or empty to disable)") }
                guard path.utf8.count < 108 else { throw problem(file, v, "control.socket is longer than a unix socket path may be (107 bytes)") }
                config.control.socketPath = path
            }
            if let v = m["group"] { config.control.group = try string(v, "control.group") }
            if let v = m["queue_size"] {
                let q = try number(v, "control.queue_size")
                guard q >= 1, q <= 1_000_000, q == q.rounded() else { throw problem(file, v, "control.queue_size must be a whole number between 1 and 1000000") }
                config.control.queueSize = Int(q)
            }
            if let v = m["max_clients"] {
                let c = try number(v, "control.max_clients")
                guard c >= 1, c <= 1_000, c == c.rounded() else { throw problem(file, v, "control.max_clients must be a whole number between 1 and 1000") }
                config.control.maxClients = Int(c)
            }
        }
        if let s = top["source"] {
            guard let m = s.mapping else { throw problem(file, s, "'source' must be a mapping") }
            warnUnknown(m, known: ["kind", "path", "window_ms"], section: "source.")
            if let v = m["kind"] {
                let k = try string(v, "source.kind")
                guard let kind = DaemonConfiguration.SourceKind(rawValue: k) else {
                    throw problem(file, v, "source.kind '\(k)' is not one of \(DaemonConfiguration.SourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                config.source.kind = kind
            }
            if let v = m["path"] { config.source.path = try string(v, "source.path") }
            if let v = m["window_ms"] {
                let w = try number(v, "source.window_ms")
                guard w >= 10, w <= 600_000 else { throw problem(file, v, "source.window_ms must be between 10 and 600000") }
                config.source.windowMillis = Int64(w)
            }
        }
        if let s = top["audit"] {
            guard let m = s.mapping else { throw problem(file, s, "'audit' must be a mapping") }
            warnUnknown(m, known: ["manage_rules", "key", "arches", "backlog_limit", "extra_syscalls", "rules_file", "status_interval_s", "rule_fields"], section: "audit.")
            if let v = m["rules_file"] { config.audit.rulesFile = try string(v, "audit.rules_file") }
            if let v = m["manage_rules"] { config.audit.manageRules = try bool(v, "audit.manage_rules") }
            if let v = m["key"] {
                let k = try string(v, "audit.key")
                guard !k.isEmpty, k.utf8.count <= 31, k.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                    throw problem(file, v, "audit.key must be 1–31 printable ASCII characters")
                }
                config.audit.key = k
            }
            if let v = m["arches"] {
                let a = try strings(v, "audit.arches")
                for x in a where x != "b64" && x != "b32" { throw problem(file, v, "audit.arches: '\(x)' is not b64 or b32") }
                config.audit.arches = a
            }
            if let v = m["backlog_limit"] {
                let b = try number(v, "audit.backlog_limit")
                guard b >= 64, b <= 1_000_000 else { throw problem(file, v, "audit.backlog_limit must be between 64 and 1000000") }
                config.audit.backlogLimit = UInt32(b)
            }
            if let v = m["extra_syscalls"] { config.audit.extraSyscalls = try strings(v, "audit.extra_syscalls") }
            if let v = m["rule_fields"] {
                config.audit.ruleFields = try strings(v, "audit.rule_fields")
                for f in config.audit.ruleFields where !f.contains(where: { "=<>&".contains($0) }) || f.contains(" ") {
                    throw problem(file, v, "audit.rule_fields: '\(f)' is not one auditctl -F condition such as auid!=unset")
                }
            }
            if let v = m["status_interval_s"] {
                let i = try number(v, "audit.status_interval_s")
                guard i >= 0.1 else { throw problem(file, v, "audit.status_interval_s must be at least 0.1") }
                config.audit.statusIntervalSeconds = i
            }
        }
        if let s = top["rules"] {
            guard let m = s.mapping else { throw problem(file, s, "'rules' must be a mapping") }
            warnUnknown(m, known: ["paths", "minimum_priority", "match", "disabled", "disabled_tags"], section: "rules.")
            if let v = m["paths"] { config.rules.paths = try strings(v, "rules.paths") }
            if let v = m["minimum_priority"] { config.rules.minimumPriority = try string(v, "rules.minimum_priority") }
            if let v = m["match"] {
                let mm = try string(v, "rules.match")
                guard mm == "all" || mm == "first" else { throw problem(file, v, "rules.match must be 'all' or 'first'") }
                config.rules.matchMode = mm
            }
            if let v = m["disabled"] { config.rules.disabled = try strings(v, "rules.disabled") }
            if let v = m["disabled_tags"] { config.rules.disabledTags = try strings(v, "rules.disabled_tags") }
        }
        if let s = top["output"] {
            guard let m = s.mapping else { throw problem(file, s, "'output' must be a mapping") }
            warnUnknown(m, known: ["stdout", "stdout_json", "file"], section: "output.")
            if let v = m["stdout"] { config.output.stdout = try bool(v, "output.stdout") }
            if let v = m["stdout_json"] { config.output.stdoutJSON = try bool(v, "output.stdout_json") }
            if let v = m["file"] { config.output.file = try string(v, "output.file") }
        }
        if let s = top["baselines"] { try parseBaselines(s, into: &config.baselines, file: file, warnings: &warnings) }
        if let s = top["containers"] {
            guard let m = s.mapping else { throw problem(file, s, "'containers' must be a mapping") }
            warnUnknown(m, known: ["docker_root", "containerd_root", "crio_roots", "podman_root"], section: "containers.")
            if let v = m["docker_root"] { config.containers.dockerRoot = try string(v, "containers.docker_root") }
            if let v = m["containerd_root"] { config.containers.containerdRoot = try string(v, "containers.containerd_root") }
            if let v = m["crio_roots"] { config.containers.crioRoots = try strings(v, "containers.crio_roots") }
            if let v = m["podman_root"] { config.containers.podmanRoot = try string(v, "containers.podman_root") }
        }
        if let v = top["state_dir"] { config.stateDirectory = try string(v, "state_dir") }
        if let v = top["self_seccomp"] { config.selfSeccomp = try bool(v, "self_seccomp") }
        if let v = top["drop_capabilities"] { config.dropCapabilities = try bool(v, "drop_capabilities") }
        if let v = top["hostname"] { config.hostname = try string(v, "hostname") }
        if let v = top["append_output"] { config.appendOutput = try parseAppendOutput(v, file: file, warnings: &warnings) }
        return (config, warnings)
    }

    static func problem(_ file: String, _ node: Node, _ message: String) -> Problem {
        let mark = node.mark
        return Problem(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message)
    }
}
