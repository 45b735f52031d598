import Alerts
import RuleEngine

/// Everything `vigil run` can be told, with a default compiled in for every key, so that an empty or missing
/// /etc/vigil/vigil.yaml is a working configuration.
public struct DaemonConfiguration: Sendable, Equatable {
    public enum SourceKind: String, Sendable, CaseIterable {
        /// Unicast when no audit daemon holds the pid, multicast beside a running auditd.
        case auto
        case unicast
        case multicast
        /// An audit log followed across rotation (auditd writes it).
        case file
        /// Records on standard input (Vigil as an auditd plugin).
        case stdin
    }

    public struct Source: Sendable, Equatable {
        public var kind: SourceKind = .auto
        public var path: String = "/var/log/audit/audit.log"
        /// Stream-time window after which an event without EOE is complete.
        public var windowMillis: Int64 = 2_000
        public init() {}
    }

    public struct Audit: Sendable, Equatable {
        /// Manage the kernel's audit rules (install Vigil's, remove them on exit). Off with the file/stdin sources
        /// of a machine where auditd owns the rules.
        public var manageRules = true
        public var key = "vigil"
        public var arches: [String] = ["b64", "b32"]
        /// Raised to this if lower; never lowered.
        public var backlogLimit: UInt32 = 8_192
        /// Extra syscalls to audit (auditctl names), beyond what the rules and process table need.
        public var extraSyscalls: [String] = []
        /// Extra audit rules in auditctl syntax (`-a always,exit -F arch=b64 -S …`); empty for none.
        public var rulesFile = ""
        /// auditctl `-F` conditions added to Vigil's own rules (`auid!=unset`); empty: every process.
        public var ruleFields: [String] = []
        /// Seconds between status polls (lost, backlog) and tamper checks.
        public var statusIntervalSeconds: Double = 5
        public init() {}
    }

    public struct Rules: Sendable, Equatable {
        public var paths: [String] = ["/etc/vigil/rules.d"]
        public var minimumPriority = "debug"
        public var matchMode = "all"
        public var disabled: [String] = []
        public var disabledTags: [String] = []
        public init() {}
    }

    public struct Output: Sendable, Equatable {
        /// Alerts as Falco's JSON on standard output (`false`: Falco's text line).
        public var stdoutJSON = true
        public var stdout = true
        /// A JSON-lines file; empty for none.
        public var file = ""
        public init() {}
    }

    public struct Metrics: Sendable, Equatable {
        /// Prometheus text exposition at http://LISTEN/metrics; empty to disable.
        public var listen = "127.0.0.1:9737"
        public init() {}
    }

    /// The control socket `vigil tail` subscribes through.
    public struct Control: Sendable, Equatable {
        /// Unix socket path; empty to disable. Its directory is created if missing.
        public var socketPath = "/run/vigil/vigil.sock"
        /// Group (name or number) whose members may connect, besides root; empty for root only.
        public var group = ""
        /// Messages held per client before the oldest are dropped (and counted for the client).
        public var queueSize = 1_024
        /// Clients connected at once; more are refused.
        public var maxClients = 16
        public init() {}
    }

    /// Per-workload behavioural baselines (target Baselines): learning, monitoring, protect.
    public struct Baselines: Sendable, Equatable {
        public var enabled = false
        /// SQLite file of the profiles; empty: `<state_dir>/baselines.sqlite`.
        public var database = ""
        public var learningSeconds: Double = 86_400
        public var quietSeconds: Double = 3_600
        public var maxItemsPerDimension = 4_096
        public var maxItemsPerProfile = 16_384
        public var maxProfiles = 1_024
        /// Priority of deviation alerts (a Falco priority name).
        public var priority = "warning"
        public var repeatWindowSeconds: Double = 300
        public var flushMillis = 1_000
        public var alertFileReads = false
        public var hostUnits = false
        /// Audit every syscall (`-S all`), so the syscall dimension and seccomp export are complete. Costly: see
        /// docs/PERFORMANCE.md.
        public var auditAllSyscalls = false
        /// auditctl `-F` conditions narrowing that rule (`auid=unset`: processes no user logged in to start, such
        /// as a runtime's containers).
        public var auditAllFields: [String] = []
        /// Default action of a profile in protect mode: none, kill, freeze, command.
        public var protectAction = "none"
        public var protectCommand: [String] = []
        /// Per-profile action (profile key → action), overriding `protectAction`.
        public var protectProfiles: [String: String] = [:]
        /// Profiles that enter protect (not monitoring) mode when their learning ends.
        public var protectAfterLearning: [String] = []
        public init() {}
    }

    /// Where the container runtimes keep their metadata (names, images); empty keeps the runtime's default.
    public struct Containers: Sendable, Equatable {
        public var dockerRoot = ""
        public var containerdRoot = ""
        public var crioRoots: [String] = []
        public var podmanRoot = ""
        public init() {}
    }

    public var baselines = Baselines()
    public var containers = Containers()
    public var source = Source()
    public var metrics = Metrics()
    public var control = Control()
    /// The alert outputs in full (stdout, file, syslog, webhook, program; queues, spools, aggregation). When
    /// absent, the simple `output:` keys build the sinks.
    public var outputs: OutputsConfiguration? = nil
    public var audit = Audit()
    public var rules = Rules()
    public var output = Output()
    public var stateDirectory = "/var/lib/vigil"
    /// Apply a libseccomp allow-list to the daemon itself after start-up.
    public var selfSeccomp = true
    /// Keep only the capabilities the running loop needs (SelfCapabilities) after start-up.
    public var dropCapabilities = true
    public var hostname: String? = nil
    /// Text and JSON fields appended to rule outputs (falco.yaml's `append_output`); Falco's default names the
    /// container of every syscall alert.
    public var appendOutput: [OutputAppend] = [.suggested]

    public init() {}

    /// The baselines database: `baselines.database`, else under the state directory.
    public var baselinesDatabase: String {
        baselines.database.isEmpty ? stateDirectory + "/baselines.sqlite" : baselines.database
    }

    /// The sinks the daemon runs: `outputs:` as written, else stdout/file from `output:`, spooling under the
    /// state directory. Aggregation is off unless `outputs:` turns it on: an operator who did not ask for it
    /// should see every alert.
    public var effectiveOutputs: OutputsConfiguration {
        if var o = outputs {
            if o.spoolDirectory.isEmpty || o.spoolDirectory == OutputsConfiguration().spoolDirectory {
                o.spoolDirectory = stateDirectory + "/spool"
            }
            return o
        }
        var sinks: [SinkConfiguration] = []
        if output.stdout {
            var c = StdoutSinkConfiguration()
            c.format = output.stdoutJSON ? .json : .text
            var sink = SinkConfiguration(name: "stdout", destination: .stdout(c))
            sink.spoolEnabled = false
            sinks.append(sink)
        }
        if !output.file.isEmpty {
            sinks.append(SinkConfiguration(name: "file", destination: .file(FileSinkConfiguration(path: output.file))))
        }
        var aggregation = AggregationConfiguration()
        aggregation.enabled = false
        return OutputsConfiguration(spoolDirectory: stateDirectory + "/spool", aggregation: aggregation, sinks: sinks)
    }
}
