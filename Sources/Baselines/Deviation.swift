import AuditStream
import ProcessState

/// An event that does something its workload's profile does not contain, as a plain value: the daemon turns it
/// into an alert (source `baseline`) for the same router as rule alerts.
public struct Deviation: Sendable {
    public var profile: ProfileKey
    public var mode: ProfileMode
    public var dimension: Dimension
    /// The item outside the profile, exactly as `vigil baseline accept` takes it.
    public var item: String
    public var rule: String
    /// The learned items nearest to `item`, so an analyst sees what the workload does instead.
    public var nearest: [String]
    /// Earlier occurrences folded into this one (0 for the first alert of a deviation).
    public var repeats: Int
    public var timeMillis: Int64
    public var event: EnrichedEvent
    /// What protect mode did about it (`kill: ok`, `freeze: …`), nil when not in protect mode.
    public var action: String?

    /// `vigil baseline accept PROFILE DIMENSION ITEM`, shell-quoted, for the alert.
    public var acceptCommand: String {
        "vigil baseline accept \(Self.quote(profile.description)) \(dimension.rawValue) \(Self.quote(item))"
    }

    static func quote(_ s: String) -> String {
        if !s.isEmpty && s.utf8.allSatisfy({ b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || "/._-:@".utf8.contains(b)
        }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A one-line message: `Unexpected file write (profile=… item=… proc=… pid=… container=…)`.
    public var message: String {
        let p = event.process
        var m = "\(rule) (profile=\(profile) \(dimension.rawValue)=\(item)"
        m += " proc=\(p.name.map(Printable.escape) ?? "?") pid=\(p.pid.map(String.init) ?? "?")"
        if let c = event.container { m += " container=\(c.id)" }
        if repeats > 0 { m += " repeats=\(repeats)" }
        if let action { m += " action=\(action)" }
        return m + ")"
    }
}
