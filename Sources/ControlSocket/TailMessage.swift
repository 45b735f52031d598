import Alerts
import Foundation

/// One line the daemon sends a subscriber (JSON, one object per line, `\n`-terminated):
///
/// - `{"subscribed":{"filter":…}}` — the request was accepted; items follow.
/// - `{"alert":{Falco's JSON alert},"context":{field: value}}` — an alert; `context` holds the fields of the
///   event that produced it (process, container, ancestry) for display, empty for the monitor's own notices.
/// - `{"event":{"time":RFC 3339,"fields":{field: value}}}` — an enriched event (with `events: true`).
/// - `{"missed":N}` — N items were dropped because this client read too slowly; sent before the next item.
/// - `{"error":"…"}` — the request was refused; the daemon closes the connection after it.
public enum TailMessage: Sendable, Equatable {
    case subscribed(filter: String?)
    case alert(Alert, context: [String: AlertValue])
    case event(time: AlertTime, fields: [String: AlertValue])
    case missed(Int)
    case error(String)

    /// The line, newline included.
    public var line: [UInt8] {
        var out: [UInt8]
        switch self {
        case .alert(let alert, let context):
            out = Array(#"{"alert":"#.utf8) + alert.jsonBytes + Array(#","context":"#.utf8) + Self.encode(context) + [0x7D]
        case .event(let time, let fields):
            out = Self.encode(Envelope(event: EventBody(time: time.rfc3339, fields: fields)))
        case .subscribed(let filter):
            out = Self.encode(Envelope(subscribed: Subscribed(filter: filter)))
        case .missed(let n):
            out = Self.encode(Envelope(missed: n))
        case .error(let message):
            out = Self.encode(Envelope(error: message))
        }
        out.append(0x0A)
        return out
    }

    /// Reads one line (without its newline).
    public init(line: some Collection<UInt8>) throws(TailProtocolError) {
        let envelope: Envelope
        do {
            envelope = try TailJSON.decoder.decode(Envelope.self, from: TailJSON.data(line))
        } catch {
            throw TailProtocolError(message: "unreadable line from the daemon: \(error)")
        }
        if let a = envelope.alert {
            guard let json = try? TailJSON.encoder.encode(a) else { throw TailProtocolError(message: "unreadable alert") }
            do {
                self = .alert(try Alert(json: Array(json)), context: envelope.context ?? [:])
            } catch {
                throw TailProtocolError(message: "\(error)")
            }
        } else if let e = envelope.event {
            guard let time = AlertTime(rfc3339: e.time) else { throw TailProtocolError(message: "event time '\(e.time)' is not RFC 3339") }
            self = .event(time: time, fields: e.fields)
        } else if let n = envelope.missed {
            self = .missed(n)
        } else if let s = envelope.subscribed {
            self = .subscribed(filter: s.filter)
        } else if let message = envelope.error {
            self = .error(message)
        } else {
            throw TailProtocolError(message: "unknown line from the daemon")
        }
    }

    private struct Subscribed: Codable { var filter: String? }
    private struct EventBody: Codable {
        var time: String
        var fields: [String: AlertValue]
    }
    private struct Envelope: Codable {
        var alert: AlertValue? = nil
        var context: [String: AlertValue]? = nil
        var event: EventBody? = nil
        var subscribed: Subscribed? = nil
        var missed: Int? = nil
        var error: String? = nil
    }

    private static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? TailJSON.encoder.encode(value)).map(Array.init) ?? Array(#"{"error":"encoding failed"}"#.utf8)
    }
}
