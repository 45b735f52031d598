import Testing
import VigilDaemon

/// The `baselines:` and `containers:` sections: values reach the configuration, mistakes are located.
struct BaselineConfigurationTests {
    @Test func valuesAndDefaults() throws {
        let (c, warnings) = try ConfigurationLoader.parse("""
            state_dir: /srv/vigil
            containers:
              docker_root: /srv/docker
            baselines:
              enabled: true
              learning_seconds: 60
              quiet_seconds: 5
              max_items_per_dimension: 100
              priority: notice
              audit_all_syscalls: true
              audit_all_fields: [auid=unset]
              protect:
                action: freeze
                profiles: {"nginx:1.25": kill}
                after_learning: [nginx:1.25]
            """, file: "v.yaml")
        #expect(warnings.isEmpty)
        #expect(c.baselines.enabled)
        #expect(c.baselinesDatabase == "/srv/vigil/baselines.sqlite")
        #expect(c.baselines.learningSeconds == 60 && c.baselines.quietSeconds == 5)
        #expect(c.baselines.maxItemsPerDimension == 100)
        #expect(c.baselines.priority == "notice")
        #expect(c.baselines.auditAllSyscalls && c.baselines.auditAllFields == ["auid=unset"])
        #expect(c.baselines.protectAction == "freeze")
        #expect(c.baselines.protectProfiles == ["nginx:1.25": "kill"])
        #expect(c.baselines.protectAfterLearning == ["nginx:1.25"])
        #expect(c.runtimeRoots.docker == "/srv/docker")
        #expect(c.runtimeRoots.containerd == "/run/containerd")
        #expect(DaemonConfiguration().baselines.enabled == false)
        let (a, _) = try ConfigurationLoader.parse("audit:\n  rule_fields: [auid!=unset]\n", file: "v.yaml")
        #expect(a.audit.ruleFields == ["auid!=unset"])
    }

    @Test(arguments: [
        ("baselines:\n  learning_seconds: soon\n", 2, "must be a number"),
        ("baselines:\n  enabled: yes please\n", 2, "true or false"),
        ("baselines:\n  max_profiles: 0\n", 2, "between 1 and 100000"),
        ("baselines:\n  priority: loud\n", 2, "not a Falco priority"),
        ("baselines:\n  protect:\n    action: nuke\n", 3, "must be one of none, kill, freeze, command"),
        ("baselines:\n  protect:\n    action: command\n", 3, "needs baselines.protect.command"),
        ("baselines:\n  audit_all_fields: [auid unset]\n", 2, "one auditctl -F condition"),
        ("baselines: [1]\n", 1, "must be a mapping"),
        ("audit:\n  rule_fields: [auid 4242]\n", 2, "is not one auditctl -F condition"),
    ])
    func mistakesAreLocated(_ yaml: String, _ line: Int, _ message: String) {
        do {
            _ = try ConfigurationLoader.parse(yaml, file: "v.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let p as ConfigurationLoader.Problem {
            #expect(p.line == line, "\(p)")
            #expect(p.message.contains(message), "\(p)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func unknownKeysWarn() throws {
        let (_, warnings) = try ConfigurationLoader.parse("baselines:\n  learnign_seconds: 5\n", file: "v.yaml")
        #expect(warnings.map(\.description) == ["v.yaml:2:3: unknown key 'baselines.learnign_seconds' (ignored)"])
    }
}
