import Logging

extension AlertRouter {
    /// Builds the sinks named in `configuration` (enabled ones only) and the router over them.
    /// `spoolDirectory` overrides the configuration's (the `alerts send --spool-dir` option).
    public convenience init(
        configuration: OutputsConfiguration, spoolDirectory: String? = nil, logger: Logger
    ) throws(AlertRouterError) {
        let base = spoolDirectory ?? configuration.spoolDirectory
        var routed: [RoutedSink] = []
        for sinkConfiguration in configuration.sinks where sinkConfiguration.enabled {
            routed.append(try RoutedSink(configuration: sinkConfiguration, spoolBase: base, logger: logger))
        }
        try self.init(sinks: routed, aggregation: configuration.aggregation.settings, logger: logger)
    }
}

extension RoutedSink {
    /// The sink a configuration entry describes, with its router settings.
    public init(configuration: SinkConfiguration, spoolBase: String, logger: Logger) throws(AlertRouterError) {
        var logger = logger
        logger[metadataKey: "sink"] = "\(configuration.name)"
        guard !configuration.name.isEmpty, !configuration.name.contains("/"), configuration.name != ".",
            configuration.name != ".."
        else { throw AlertRouterError.sink(name: configuration.name, reason: "a sink name must be a plain file name") }
        let sink: any AlertSink
        var batchMaximum = configuration.batchMaximum
        switch configuration.destination {
        case .stdout(let stdout):
            sink = StdoutAlertSink(format: stdout.format)
        case .file(let file):
            sink = FileAlertSink(
                path: file.path, format: file.format, fsync: file.fsync, maximumBytes: file.maxBytes,
                maximumFiles: file.maxFiles, logger: logger)
        case .syslog(let syslog):
            let transport: SyslogTransport =
                switch syslog.transport {
                case .unix: .unixSocket(path: syslog.path)
                case .udp: .udp(host: syslog.host, port: syslog.port ?? 514)
                case .tcp: .tcp(host: syslog.host, port: syslog.port ?? 514)
                case .tls: .tls(host: syslog.host, port: syslog.port ?? 6514, syslog.tls)
                }
            sink = try SyslogAlertSink(
                transport: transport,
                formatter: SyslogFormatter(
                    facility: syslog.facility, appName: syslog.appName, structuredDataID: syslog.structuredDataID,
                    maximumMessageBytes: syslog.maxMessageBytes),
                connectTimeoutMilliseconds: syslog.connectTimeoutMs, logger: logger)
        case .webhook(let webhook):
            sink = try WebhookAlertSink(
                url: webhook.url, headers: webhook.headers, tls: webhook.tls, timeoutMilliseconds: webhook.timeoutMs,
                batchMaximum: webhook.batchMaxAlerts, userAgent: webhook.userAgent, logger: logger)
            batchMaximum = max(batchMaximum, webhook.batchMaxAlerts)
        case .program(let program):
            sink = ProgramAlertSink(
                command: program.command, format: program.format, writeTimeoutSeconds: program.writeTimeoutSeconds,
                logger: logger)
        }
        let spool =
            configuration.spoolEnabled
            ? SpoolSettings(
                directory: spoolBase + "/" + configuration.name, maximumBytes: configuration.spoolMaxBytes,
                fsync: configuration.spoolFsync, writeAhead: configuration.effectiveWriteAhead)
            : nil
        self.init(
            settings: SinkSettings(
                name: configuration.name, minimumPriority: configuration.minimumPriority,
                queueCapacity: configuration.queueCapacity, overflow: configuration.overflow, batchMaximum: batchMaximum,
                retry: configuration.retry, spool: spool),
            sink: sink)
    }
}
