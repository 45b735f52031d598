#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Where syslog messages go.
public enum SyslogTransport: Sendable, Hashable {
    /// The local daemon's datagram socket, `/dev/log` by default.
    case unixSocket(path: String)
    /// RFC 5426: one message per datagram, no acknowledgement.
    case udp(host: String, port: Int)
    /// RFC 6587 with octet counting.
    case tcp(host: String, port: Int)
    /// RFC 5425: TLS, octet counting.
    case tls(host: String, port: Int, TLSSettings)
}

extension SyslogTransport: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unixSocket(let path): "unix:\(path)"
        case .udp(let host, let port): "udp://\(host):\(port)"
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        case .tls(let host, let port, _): "tls://\(host):\(port)"
        }
    }
}

/// Certificates for a TLS client (syslog or webhook).
public struct TLSSettings: Sendable, Hashable {
    /// PEM file of the CA(s) to trust; the system's trust store if nil.
    public var caFile: String?
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// Name to verify in the server's certificate; defaults to the host (an IP is checked against IP SANs).
    public var serverName: String?
    /// Skip verification (tests only; logged as a warning).
    public var insecure: Bool

    public init(
        caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
        serverName: String? = nil, insecure: Bool = false
    ) {
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.serverName = serverName
        self.insecure = insecure
    }

    func makeConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile { configuration.trustRoots = .file(caFile) }
        if let clientCertificateFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificateFile).map { .certificate($0) }
        }
        if let clientKeyFile {
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKeyFile, format: .pem))
        }
        if insecure { configuration.certificateVerification = .none }
        return configuration
    }
}

/// Alerts to syslog as RFC 5424 messages with structured data, over a local socket, UDP, TCP or TLS.
/// A lost connection is reopened on the next attempt; the router's backoff spaces the attempts out and the
/// alerts wait in the queue or spool meanwhile.
///
/// TCP caveat (as for every plain syslog-over-TCP sender): bytes the kernel accepted just before the
/// collector died can be lost without an error; a closed connection is detected before each write.
public final class SyslogAlertSink: AlertSink {
    public let transport: SyslogTransport
    public let formatter: SyslogFormatter
    private let connectTimeout: TimeAmount
    private let logger: Logger
    private let sslContext: NIOSSLContext?
    private let connection = NIOLockedValueBox<Connection?>(nil)

    private enum Connection: Sendable {
        case datagram(Int32)
        case stream(any Channel)
    }

    public init(
        transport: SyslogTransport, formatter: SyslogFormatter = SyslogFormatter(), connectTimeoutMilliseconds: Int = 5000,
        logger: Logger
    ) throws(AlertRouterError) {
        self.transport = transport
        var formatter = formatter
        if formatter.processID == "-" { formatter.processID = String(getpid()) }
        self.formatter = formatter
        self.connectTimeout = .milliseconds(Int64(connectTimeoutMilliseconds))
        self.logger = logger
        if case .tls(_, _, let settings) = transport {
            do {
                sslContext = try NIOSSLContext(configuration: settings.makeConfiguration())
            } catch {
                throw AlertRouterError.sink(name: "syslog", reason: "TLS setup: \(error)")
            }
            if settings.insecure { logger.warning("syslog TLS certificate verification is disabled") }
        } else {
            sslContext = nil
        }
    }

    public func deliver(_ alerts: [Alert]) async throws(AlertDeliveryError) {
        let messages = alerts.map(formatter.message)
        let current: Connection
        do {
            current = try await connect()
        } catch {
            throw AlertDeliveryError(retryable: true, reason: "syslog \(transport): connect: \(error)")
        }
        switch current {
        case .datagram(let fd):
            for (index, message) in messages.enumerated() {
                let code = FileDescriptorIO.writeAll(fd, message, flags: Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                if code == EMSGSIZE {
                    // Larger than the socket takes: retrying cannot help (lower max_message_bytes).
                    throw AlertDeliveryError(
                        delivered: index, retryable: false, reason: "syslog \(transport): message of \(message.count) bytes too long")
                }
                if code != 0 {
                    drop(current)
                    throw AlertDeliveryError(
                        delivered: index, retryable: true, reason: "syslog \(transport): send: \(FileDescriptorIO.describe(code))")
                }
            }
        case .stream(let channel):
            var buffer = channel.allocator.buffer(capacity: messages.reduce(0) { $0 + $1.count + 8 })
            for message in messages { buffer.writeBytes(SyslogFormatter.octetCounted(message)) }
            do {
                try await channel.writeAndFlush(buffer)
            } catch {
                drop(current)
                throw AlertDeliveryError(retryable: true, reason: "syslog \(transport): write: \(error)")
            }
        }
    }

    private func connect() async throws -> Connection {
        if let existing = connection.withLockedValue({ $0 }) {
            switch existing {
            case .datagram: return existing
            case .stream(let channel):
                if channel.isActive { return existing }
                drop(existing)
            }
        }
        let fresh: Connection
        switch transport {
        case .unixSocket(let path):
            fresh = .datagram(try Self.openUnixDatagram(path))
        case .udp(let host, let port):
            fresh = .datagram(try Self.openUDP(host: host, port: port))
        case .tcp(let host, let port):
            fresh = .stream(try await openStream(host: host, port: port, tls: nil))
        case .tls(let host, let port, let settings):
            fresh = .stream(try await openStream(host: host, port: port, tls: settings))
        }
        connection.withLockedValue { $0 = fresh }
        logger.info("syslog connected", metadata: ["transport": "\(transport)"])
        return fresh
    }

    private func openStream(host: String, port: Int, tls: TLSSettings?) async throws -> any Channel {
        let sslContext = self.sslContext
        let serverName: String? = tls.flatMap { $0.serverName ?? (Self.isIPAddress(host) ? nil : host) }
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(DiscardAndCloseOnErrorHandler())
                }
            }
            .connect(host: host, port: port)
            .get()
    }

    private func drop(_ stale: Connection) {
        connection.withLockedValue { $0 = nil }
        switch stale {
        case .datagram(let fd): Glibc.close(fd)
        case .stream(let channel): channel.close(promise: nil)
        }
    }

    public func close() async {
        let current = connection.withLockedValue { value in
            defer { value = nil }
            return value
        }
        switch current {
        case .datagram(let fd): Glibc.close(fd)
        case .stream(let channel): try? await channel.close()
        case nil: break
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func openUnixDatagram(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SyslogSocketError(operation: "socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw SyslogSocketError(operation: "path too long", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw SyslogSocketError(operation: "connect \(path)", errno: code)
        }
        return fd
    }

    static func openUDP(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let first = list else {
            throw SyslogSocketError(operation: "resolve \(host): \(String(cString: gai_strerror(code)))", errno: 0)
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        var lastError: Int32 = 0
        while let info = entry {
            let fd = socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd >= 0 {
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                Glibc.close(fd)
            } else {
                lastError = errno
            }
            entry = info.pointee.ai_next
        }
        throw SyslogSocketError(operation: "connect \(host):\(port)", errno: lastError)
    }
}

struct SyslogSocketError: Error, CustomStringConvertible {
    var operation: String
    var errno: Int32
    var description: String { errno == 0 ? operation : "\(operation): \(String(cString: strerror(errno)))" }
}

/// Syslog collectors send nothing back; this discards anything that arrives and closes on errors (a TLS
/// alert, a reset), so the next delivery sees an inactive channel and reconnects.
private final class DiscardAndCloseOnErrorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
