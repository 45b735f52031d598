/// RFC 5424 facilities (§6.2.1). Falco logs with `user`; `authpriv` or a `local*` facility lets a site
/// route security alerts apart.
public enum SyslogFacility: Int, Sendable, Hashable, CaseIterable {
    case kern = 0, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, audit, alert, clock
    case local0 = 16, local1, local2, local3, local4, local5, local6, local7

    public init?(name: String) {
        guard let match = SyslogFacility.allCases.first(where: { "\($0)" == name.lowercased() }) else { return nil }
        self = match
    }
}

extension SyslogFacility: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self), let facility = SyslogFacility(rawValue: number) {
            self = facility
            return
        }
        let name = try container.decode(String.self)
        guard let facility = SyslogFacility(name: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown syslog facility '\(name)'")
        }
        self = facility
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("\(self)")
    }
}
