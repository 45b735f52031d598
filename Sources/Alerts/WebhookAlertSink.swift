import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// Alerts to an HTTP(S) endpoint as `POST` of the Falco JSON alert (plus `uuid`), the body Falcosidekick
/// reads (`POST /` on :2801), so pointing this at Falcosidekick reaches all its outputs.
///
/// One alert per request by default, as Falco and Falcosidekick do; with `batchMaximum > 1` a request
/// carries a JSON array of alerts (for receivers that accept it; Falcosidekick does not).
///
/// A 2xx is success. Connection errors, timeouts, 5xx and 429 are retryable (the router backs off,
/// honouring `Retry-After` seconds on 429/503, while the alerts wait in the spool); any other status is a
/// permanent rejection of that alert (counted as failed, logged, skipped).
public final class WebhookAlertSink: AlertSink {
    public let url: String
    /// The URL as logs and errors show it: without user:password@ and without the query, where tokens live.
    public let displayURL: String
    public let headers: [String: String]
    public let batchMaximum: Int
    private let timeout: TimeAmount
    private let client: HTTPClient
    private let logger: Logger

    public init(
        url: String, headers: [String: String] = [:], tls: TLSSettings = TLSSettings(), timeoutMilliseconds: Int = 10_000,
        batchMaximum: Int = 1, userAgent: String = "vigil", logger: Logger
    ) throws(AlertRouterError) {
        self.url = url
        self.displayURL = Self.redacted(url)
        var headers = headers
        if !headers.keys.contains(where: { $0.lowercased() == "user-agent" }) { headers["User-Agent"] = userAgent }
        self.headers = headers
        self.batchMaximum = max(1, batchMaximum)
        self.timeout = .milliseconds(Int64(timeoutMilliseconds))
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        do {
            configuration.tlsConfiguration = try tls.makeConfiguration()
        } catch {
            throw AlertRouterError.sink(name: "webhook", reason: "TLS setup: \(error)")
        }
        if tls.insecure { logger.warning("webhook TLS certificate verification is disabled") }
        configuration.timeout = .init(connect: .milliseconds(min(Int64(timeoutMilliseconds), 5000)), read: timeout)
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func deliver(_ alerts: [Alert]) async throws(AlertDeliveryError) {
        var delivered = 0
        while delivered < alerts.count {
            let batch = alerts[delivered..<min(alerts.count, delivered + batchMaximum)]
            do {
                try await post(batch)
            } catch {
                throw AlertDeliveryError(
                    delivered: delivered, retryable: error.retryable, reason: error.reason, retryAfter: error.retryAfter)
            }
            delivered += batch.count
        }
    }

    private func post(_ batch: ArraySlice<Alert>) async throws(AlertDeliveryError) {
        var body: [UInt8]
        if batchMaximum == 1, let only = batch.first {
            body = only.jsonBytes
        } else {
            body = [UInt8(ascii: "[")]
            for (index, alert) in batch.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                body.append(contentsOf: alert.jsonBytes)
            }
            body.append(UInt8(ascii: "]"))
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw AlertDeliveryError(retryable: true, reason: "webhook \(displayURL): \(error)")
        }
        let status = response.status.code
        if (200..<300).contains(status) { return }
        let retryable = status == 429 || status >= 500 || status == 408
        var retryAfter: Duration?
        if let text = response.headers.first(name: "Retry-After"), let seconds = Int(text), seconds >= 0 {
            retryAfter = .seconds(seconds)
        }
        throw AlertDeliveryError(
            retryable: retryable, reason: "webhook \(displayURL): HTTP \(status)", retryAfter: retryAfter)
    }

    public func close() async {
        do {
            try await client.shutdown()
        } catch {
            logger.debug("webhook client shutdown", metadata: ["error": "\(error)"])
        }
    }

    /// `https://user:secret@siem/in?token=x` → `https://siem/in?…`.
    static func redacted(_ url: String) -> String {
        var text = Substring(url)
        var scheme = ""
        if let range = text.range(of: "://") {
            scheme = String(text[..<range.upperBound])
            text = text[range.upperBound...]
        }
        let authorityEnd = text.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
        var authority = text[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var rest = text[authorityEnd...]
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<q] + "?…" }
        return scheme + authority + rest
    }
}
