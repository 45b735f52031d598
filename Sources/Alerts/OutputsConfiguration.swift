/// The `outputs` section of Vigil's configuration: which sinks, how they are treated, and repeat
/// aggregation. Decodes from JSON or YAML (the daemon picks the decoder); keys are snake_case like Falco's
/// `falco.yaml`; every key but a sink's `type` (and its destination: `path`, `url`, `command`, `host`) has a
/// default.
///
/// ```json
/// {"spool_directory": "/var/lib/vigil/spool",
///  "aggregation": {"enabled": true, "window_seconds": 60, "exclude_rules": ["Terminal shell in container"]},
///  "sinks": [
///    {"type": "stdout", "format": "text"},
///    {"type": "file", "path": "/var/log/vigil/alerts.json", "max_bytes": 104857600},
///    {"type": "syslog", "transport": "tls", "host": "siem.example", "port": 6514, "ca_file": "/etc/vigil/ca.pem"},
///    {"type": "webhook", "name": "sidekick", "url": "http://127.0.0.1:2801/", "minimum_priority": "warning"},
///    {"type": "program", "command": "jq -c . >> /tmp/alerts"}]}
/// ```
public struct OutputsConfiguration: Sendable, Hashable {
    /// Parent of each sink's spool directory (`<spool_directory>/<sink name>`).
    public var spoolDirectory: String
    public var aggregation: AggregationConfiguration
    public var sinks: [SinkConfiguration]

    public init(
        spoolDirectory: String = "/var/lib/vigil/spool", aggregation: AggregationConfiguration = AggregationConfiguration(),
        sinks: [SinkConfiguration] = [SinkConfiguration(name: "stdout", destination: .stdout(StdoutSinkConfiguration()))]
    ) {
        self.spoolDirectory = spoolDirectory
        self.aggregation = aggregation
        self.sinks = sinks
    }
}

public struct AggregationConfiguration: Sendable, Hashable {
    public var enabled: Bool = true
    public var windowSeconds: Double = 60
    /// Rules whose every occurrence is sent.
    public var excludeRules: [String] = []
    public var containerFields: [String] = ["container.id"]
    public var processFields: [String] = ["proc.exepath", "proc.name"]

    public init() {}

    public var settings: AggregationSettings {
        AggregationSettings(
            enabled: enabled && windowSeconds > 0, window: .milliseconds(Int64(windowSeconds * 1000)),
            excludedRules: Set(excludeRules), containerFields: containerFields, processFields: processFields)
    }
}

/// One sink: the router's settings for it and its destination.
public struct SinkConfiguration: Sendable, Hashable {
    /// Defaults to the type (`webhook`), which must then be unique.
    public var name: String
    public var enabled: Bool = true
    public var minimumPriority: AlertPriority = .debug
    public var queueCapacity: Int = 10_000
    public var overflow: OverflowPolicy = .spill
    /// Alerts per `deliver` call (per request only for a webhook's `batch_max_alerts`).
    public var batchMaximum: Int = 64
    public var retry = RetryBackoff()
    /// Spool on: overflow (and for a webhook, every alert) goes through disk. Off: memory only, overflow drops.
    public var spoolEnabled: Bool = true
    public var spoolMaxBytes: Int64 = 256 << 20
    public var spoolFsync: FsyncPolicy = .always
    /// Write every alert to the spool before delivery; default true for webhook and syslog over the network.
    public var writeAhead: Bool?
    public var destination: SinkDestination

    public init(name: String, destination: SinkDestination) {
        self.name = name
        self.destination = destination
    }

    /// Whether alerts go through the spool before delivery (the explicit setting, else the type's default).
    public var effectiveWriteAhead: Bool {
        if let writeAhead { return writeAhead }
        switch destination {
        case .webhook: return true
        case .syslog(let syslog): return syslog.transport != .unix
        default: return false
        }
    }
}

public enum SinkDestination: Sendable, Hashable {
    case stdout(StdoutSinkConfiguration)
    case file(FileSinkConfiguration)
    case syslog(SyslogSinkConfiguration)
    case webhook(WebhookSinkConfiguration)
    case program(ProgramSinkConfiguration)

    public var typeName: String {
        switch self {
        case .stdout: "stdout"
        case .file: "file"
        case .syslog: "syslog"
        case .webhook: "webhook"
        case .program: "program"
        }
    }
}

public struct StdoutSinkConfiguration: Sendable, Hashable {
    public var format: AlertLineFormat = .text
    public init() {}
}

public struct FileSinkConfiguration: Sendable, Hashable {
    public var path: String
    public var format: AlertLineFormat = .json
    public var fsync: FsyncPolicy = .interval(milliseconds: 1000)
    /// 0: no rotation (leave it to logrotate and SIGUSR1).
    public var maxBytes: Int64 = 0
    public var maxFiles: Int = 5
    public init(path: String) { self.path = path }
}

public struct SyslogSinkConfiguration: Sendable, Hashable {
    public enum Transport: String, Sendable, Hashable, Codable, CaseIterable { case unix, udp, tcp, tls }
    public var transport: Transport = .unix
    public var path: String = "/dev/log"
    public var host: String = "127.0.0.1"
    /// 514 for UDP/TCP, 6514 for TLS when not set.
    public var port: Int?
    public var facility: SyslogFacility = .user
    public var appName: String = "vigil"
    public var structuredDataID: String = "vigil@32473"
    public var maxMessageBytes: Int = 8192
    public var connectTimeoutMs: Int = 5000
    public var tls = TLSSettings()
    public init() {}
}

public struct WebhookSinkConfiguration: Sendable, Hashable {
    public var url: String
    public var headers: [String: String] = [:]
    public var tls = TLSSettings()
    public var timeoutMs: Int = 10_000
    /// Alerts per request; 1 (the default) is what Falcosidekick accepts.
    public var batchMaxAlerts: Int = 1
    public var userAgent: String = "vigil"
    public init(url: String) { self.url = url }
}

public struct ProgramSinkConfiguration: Sendable, Hashable {
    public var command: String
    public var format: AlertLineFormat = .json
    public var writeTimeoutSeconds: Int = 10
    public init(command: String) { self.command = command }
}
