// Decoding with defaults: a key that is absent keeps the value the memberwise initialiser gives it.

extension OutputsConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case spoolDirectory = "spool_directory", aggregation, sinks
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        spoolDirectory = try c.decodeIfPresent(String.self, forKey: .spoolDirectory) ?? spoolDirectory
        aggregation = try c.decodeIfPresent(AggregationConfiguration.self, forKey: .aggregation) ?? aggregation
        sinks = try c.decodeIfPresent([SinkConfiguration].self, forKey: .sinks) ?? sinks
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spoolDirectory, forKey: .spoolDirectory)
        try c.encode(aggregation, forKey: .aggregation)
        try c.encode(sinks, forKey: .sinks)
    }
}

extension AggregationConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case enabled, windowSeconds = "window_seconds", excludeRules = "exclude_rules"
        case containerFields = "container_fields", processFields = "process_fields"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        windowSeconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? windowSeconds
        excludeRules = try c.decodeIfPresent([String].self, forKey: .excludeRules) ?? excludeRules
        containerFields = try c.decodeIfPresent([String].self, forKey: .containerFields) ?? containerFields
        processFields = try c.decodeIfPresent([String].self, forKey: .processFields) ?? processFields
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(windowSeconds, forKey: .windowSeconds)
        try c.encode(excludeRules, forKey: .excludeRules)
        try c.encode(containerFields, forKey: .containerFields)
        try c.encode(processFields, forKey: .processFields)
    }
}

extension SinkConfiguration: Codable {
    /// The sink's own keys and its destination's keys live in one flat object, chosen by `type`.
    enum CodingKeys: String, CodingKey {
        case type, name, enabled, minimumPriority = "minimum_priority", queueCapacity = "queue_capacity", overflow
        case batchMaximum = "batch_max", retry, spool, writeAhead = "write_ahead"
        case spoolMaxBytes = "spool_max_bytes", spoolFsync = "spool_fsync"
        // stdout, file, program
        case format, path, fsync, maxBytes = "max_bytes", maxFiles = "max_files", command
        case writeTimeoutSeconds = "write_timeout_seconds"
        // syslog
        case transport, host, port, facility, appName = "app_name", structuredDataID = "sd_id"
        case maxMessageBytes = "max_message_bytes", connectTimeoutMs = "connect_timeout_ms"
        // TLS (syslog, webhook)
        case caFile = "ca_file", clientCert = "client_cert", clientKey = "client_key", serverName = "server_name", insecure
        // webhook
        case url, headers, timeoutMs = "timeout_ms", batchMaxAlerts = "batch_max_alerts", userAgent = "user_agent"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        func tls() throws -> TLSSettings {
            TLSSettings(
                caFile: try c.decodeIfPresent(String.self, forKey: .caFile),
                clientCertificateFile: try c.decodeIfPresent(String.self, forKey: .clientCert),
                clientKeyFile: try c.decodeIfPresent(String.self, forKey: .clientKey),
                serverName: try c.decodeIfPresent(String.self, forKey: .serverName),
                insecure: try c.decodeIfPresent(Bool.self, forKey: .insecure) ?? false)
        }
        let destination: SinkDestination
        switch type {
        case "stdout":
            var stdout = StdoutSinkConfiguration()
            stdout.format = try c.decodeIfPresent(AlertLineFormat.self, forKey: .format) ?? stdout.format
            destination = .stdout(stdout)
        case "file":
            var file = FileSinkConfiguration(path: try c.decode(String.self, forKey: .path))
            file.format = try c.decodeIfPresent(AlertLineFormat.self, forKey: .format) ?? file.format
            file.fsync = try c.decodeIfPresent(FsyncPolicy.self, forKey: .fsync) ?? file.fsync
            file.maxBytes = try c.decodeIfPresent(Int64.self, forKey: .maxBytes) ?? file.maxBytes
            file.maxFiles = try c.decodeIfPresent(Int.self, forKey: .maxFiles) ?? file.maxFiles
            destination = .file(file)
        case "syslog":
            var syslog = SyslogSinkConfiguration()
            syslog.transport = try c.decodeIfPresent(SyslogSinkConfiguration.Transport.self, forKey: .transport) ?? syslog.transport
            syslog.path = try c.decodeIfPresent(String.self, forKey: .path) ?? syslog.path
            syslog.host = try c.decodeIfPresent(String.self, forKey: .host) ?? syslog.host
            syslog.port = try c.decodeIfPresent(Int.self, forKey: .port)
            syslog.facility = try c.decodeIfPresent(SyslogFacility.self, forKey: .facility) ?? syslog.facility
            syslog.appName = try c.decodeIfPresent(String.self, forKey: .appName) ?? syslog.appName
            syslog.structuredDataID = try c.decodeIfPresent(String.self, forKey: .structuredDataID) ?? syslog.structuredDataID
            syslog.maxMessageBytes = try c.decodeIfPresent(Int.self, forKey: .maxMessageBytes) ?? syslog.maxMessageBytes
            syslog.connectTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .connectTimeoutMs) ?? syslog.connectTimeoutMs
            syslog.tls = try tls()
            destination = .syslog(syslog)
        case "webhook", "http":
            var webhook = WebhookSinkConfiguration(url: try c.decode(String.self, forKey: .url))
            webhook.headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? webhook.headers
            webhook.tls = try tls()
            webhook.timeoutMs = try c.decodeIfPresent(Int.self, forKey: .timeoutMs) ?? webhook.timeoutMs
            webhook.batchMaxAlerts = try c.decodeIfPresent(Int.self, forKey: .batchMaxAlerts) ?? webhook.batchMaxAlerts
            webhook.userAgent = try c.decodeIfPresent(String.self, forKey: .userAgent) ?? webhook.userAgent
            destination = .webhook(webhook)
        case "program":
            var program = ProgramSinkConfiguration(command: try c.decode(String.self, forKey: .command))
            program.format = try c.decodeIfPresent(AlertLineFormat.self, forKey: .format) ?? program.format
            program.writeTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .writeTimeoutSeconds) ?? program.writeTimeoutSeconds
            destination = .program(program)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c, debugDescription: "unknown sink type '\(type)' (stdout, file, syslog, webhook, program)")
        }
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? destination.typeName, destination: destination)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        minimumPriority = try c.decodeIfPresent(AlertPriority.self, forKey: .minimumPriority) ?? minimumPriority
        queueCapacity = try c.decodeIfPresent(Int.self, forKey: .queueCapacity) ?? queueCapacity
        overflow = try c.decodeIfPresent(OverflowPolicy.self, forKey: .overflow) ?? overflow
        batchMaximum = try c.decodeIfPresent(Int.self, forKey: .batchMaximum) ?? batchMaximum
        retry = try c.decodeIfPresent(RetryBackoff.self, forKey: .retry) ?? retry
        spoolEnabled = try c.decodeIfPresent(Bool.self, forKey: .spool) ?? spoolEnabled
        spoolMaxBytes = try c.decodeIfPresent(Int64.self, forKey: .spoolMaxBytes) ?? spoolMaxBytes
        spoolFsync = try c.decodeIfPresent(FsyncPolicy.self, forKey: .spoolFsync) ?? spoolFsync
        writeAhead = try c.decodeIfPresent(Bool.self, forKey: .writeAhead)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(destination.typeName, forKey: .type)
        try c.encode(name, forKey: .name)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(minimumPriority, forKey: .minimumPriority)
        try c.encode(queueCapacity, forKey: .queueCapacity)
        try c.encode(overflow, forKey: .overflow)
        try c.encode(batchMaximum, forKey: .batchMaximum)
        try c.encode(retry, forKey: .retry)
        try c.encode(spoolEnabled, forKey: .spool)
        try c.encode(spoolMaxBytes, forKey: .spoolMaxBytes)
        try c.encode(spoolFsync, forKey: .spoolFsync)
        try c.encodeIfPresent(writeAhead, forKey: .writeAhead)
        func encodeTLS(_ tls: TLSSettings) throws {
            try c.encodeIfPresent(tls.caFile, forKey: .caFile)
            try c.encodeIfPresent(tls.clientCertificateFile, forKey: .clientCert)
            try c.encodeIfPresent(tls.clientKeyFile, forKey: .clientKey)
            try c.encodeIfPresent(tls.serverName, forKey: .serverName)
            try c.encode(tls.insecure, forKey: .insecure)
        }
        switch destination {
        case .stdout(let stdout):
            try c.encode(stdout.format, forKey: .format)
        case .file(let file):
            try c.encode(file.path, forKey: .path)
            try c.encode(file.format, forKey: .format)
            try c.encode(file.fsync, forKey: .fsync)
            try c.encode(file.maxBytes, forKey: .maxBytes)
            try c.encode(file.maxFiles, forKey: .maxFiles)
        case .syslog(let syslog):
            try c.encode(syslog.transport, forKey: .transport)
            try c.encode(syslog.path, forKey: .path)
            try c.encode(syslog.host, forKey: .host)
            try c.encodeIfPresent(syslog.port, forKey: .port)
            try c.encode(syslog.facility, forKey: .facility)
            try c.encode(syslog.appName, forKey: .appName)
            try c.encode(syslog.structuredDataID, forKey: .structuredDataID)
            try c.encode(syslog.maxMessageBytes, forKey: .maxMessageBytes)
            try c.encode(syslog.connectTimeoutMs, forKey: .connectTimeoutMs)
            try encodeTLS(syslog.tls)
        case .webhook(let webhook):
            try c.encode(webhook.url, forKey: .url)
            try c.encode(webhook.headers, forKey: .headers)
            try c.encode(webhook.timeoutMs, forKey: .timeoutMs)
            try c.encode(webhook.batchMaxAlerts, forKey: .batchMaxAlerts)
            try c.encode(webhook.userAgent, forKey: .userAgent)
            try encodeTLS(webhook.tls)
        case .program(let program):
            try c.encode(program.command, forKey: .command)
            try c.encode(program.format, forKey: .format)
            try c.encode(program.writeTimeoutSeconds, forKey: .writeTimeoutSeconds)
        }
    }
}
