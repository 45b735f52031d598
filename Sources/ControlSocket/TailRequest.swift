/// What a `vigil tail` client asks the daemon for: the first (and only) line it sends, as
/// `{"subscribe":{…}}`. Everything is optional so that an older client's request stays valid.
public struct TailRequest: Codable, Sendable, Equatable {
    /// Alerts (rule matches and the monitor's own notices).
    public var alerts: Bool
    /// Enriched events (every audited event the filter admits): the raw material around an alert.
    public var events: Bool
    /// A Falco condition, compiled by the daemon against the loaded rules' lists and macros.
    public var filter: String?
    /// Lowest priority of alerts to send (Falco names: emergency … debug).
    public var priority: String?
    /// Rule names to send (`*` wildcards allowed); empty for all.
    public var rules: [String]
    /// Container name or id (a prefix of 12 or more hex digits matches the full id).
    public var container: String?

    public init(
        alerts: Bool = true, events: Bool = false, filter: String? = nil, priority: String? = nil, rules: [String] = [],
        container: String? = nil
    ) {
        self.alerts = alerts
        self.events = events
        self.filter = filter
        self.priority = priority
        self.rules = rules
        self.container = container
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alerts = try c.decodeIfPresent(Bool.self, forKey: .alerts) ?? true
        events = try c.decodeIfPresent(Bool.self, forKey: .events) ?? false
        filter = try c.decodeIfPresent(String.self, forKey: .filter)
        priority = try c.decodeIfPresent(String.self, forKey: .priority)
        rules = try c.decodeIfPresent([String].self, forKey: .rules) ?? []
        container = try c.decodeIfPresent(String.self, forKey: .container)
    }

    /// The line a client sends.
    public var line: [UInt8] {
        var bytes = (try? TailJSON.encoder.encode(SubscribeEnvelope(subscribe: self))).map(Array.init) ?? []
        bytes.append(0x0A)
        return bytes
    }

    /// Reads the line a client sent.
    public init(line: some Collection<UInt8>) throws(TailProtocolError) {
        do {
            self = try TailJSON.decoder.decode(SubscribeEnvelope.self, from: TailJSON.data(line)).subscribe
        } catch {
            throw TailProtocolError(message: "the request is not {\"subscribe\":{…}}: \(error)")
        }
    }
}

/// A line of the control protocol that cannot be read, or a request that cannot be served.
public struct TailProtocolError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

private struct SubscribeEnvelope: Codable {
    var subscribe: TailRequest
}
