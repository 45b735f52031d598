import Alerts
import ControlSocket
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Renders what `vigil tail` prints: one line per alert (time, priority, rule, container, process), one per
/// event, the daemon's "missed" markers, and with `tree` the process ancestry of each alert.
///
/// Every character that came from an event goes through ``TerminalText/clean(_:)``: control characters, ESC,
/// DEL, C1 controls, line separators and bidi overrides arrive as visible escapes, never as bytes a terminal
/// acts on. The only escape sequences printed are the colours added here.
struct TailFormatter {
    var json = false
    var colour = false
    var tree = false

    /// Colour when standard output is a terminal and `NO_COLOR` is unset or empty (https://no-color.org).
    static func wantsColour(fd: Int32 = 1) -> Bool {
        if let v = ProcessInfo.processInfo.environment["NO_COLOR"], !v.isEmpty { return false }
        return isatty(fd) == 1
    }

    func lines(_ message: TailMessage) -> String {
        switch message {
        case .alert(let alert, let context): return alertLines(alert, context: context)
        case .event(let time, let fields): return eventLine(time: time, fields: fields)
        case .missed(let n):
            if json { return "{\"missed\":\(n)}\n" }
            return paint("--- missed \(n) item\(n == 1 ? "" : "s"): this client read too slowly and the daemon dropped the oldest ---", "1;35") + "\n"
        case .subscribed, .error: return ""
        }
    }

    func alertLines(_ alert: Alerts.Alert, context: [String: AlertValue]) -> String {
        if json { return alert.jsonString + "\n" }
        func field(_ name: String) -> AlertValue? {
            if let v = context[name], v != .null { return v }
            if let v = alert.outputFields[name], v != .null { return v }
            return nil
        }
        var parts = [
            paint(Self.timeText(alert.time), "2"),
            paint(Self.padded(alert.priority.name.uppercased(), 8), Self.colourCode(alert.priority)),
            paint(TerminalText.clean(alert.rule), "1"),
        ]
        if alert.source == "internal" {
            parts.append(TerminalText.clean(Self.message(alert)))
            return parts.joined(separator: " ") + "\n"
        }
        parts.append("container=" + Self.container(name: field("container.name"), id: field("container.id")))
        parts.append("proc=" + Self.process(name: field("proc.name"), pid: field("proc.pid"), cmdline: field("proc.cmdline")))
        if let user = field("user.name") { parts.append("user=" + TerminalText.clean(user.textValue)) }
        if let file = field("fd.name") { parts.append("file=" + TerminalText.clean(file.textValue)) }
        var text = parts.joined(separator: " ") + "\n"
        if tree { text += treeLines(context: context, field: field) }
        return text
    }

    /// The ancestry, oldest known ancestor first, down to the alerting process.
    func treeLines(context: [String: AlertValue], field: (String) -> AlertValue?) -> String {
        var chain: [String] = []
        for i in stride(from: TailContext.ancestry, through: 1, by: -1) {
            guard field("proc.aname[\(i)]") != nil || field("proc.apid[\(i)]") != nil else { continue }
            chain.append(Self.process(name: field("proc.aname[\(i)]"), pid: field("proc.apid[\(i)]"), cmdline: field("proc.acmdline[\(i)]")))
        }
        chain.append(paint(Self.process(name: field("proc.name"), pid: field("proc.pid"), cmdline: field("proc.cmdline")), "1"))
        var out = ""
        for (depth, entry) in chain.enumerated() {
            out += "    " + String(repeating: "  ", count: depth) + (depth == 0 ? "" : "└─ ") + entry + "\n"
        }
        return out
    }

    func eventLine(time: AlertTime, fields: [String: AlertValue]) -> String {
        if json { return String(decoding: TailMessage.event(time: time, fields: fields).line, as: UTF8.self) }
        var parts = [paint(Self.timeText(time), "2"), paint(Self.padded("event", 8), "2"), TerminalText.clean(fields["evt.type"]?.textValue ?? "?")]
        if let res = fields["evt.res"] { parts.append("res=" + TerminalText.clean(res.textValue)) }
        parts.append("container=" + Self.container(name: fields["container.name"], id: fields["container.id"]))
        parts.append("proc=" + Self.process(name: fields["proc.name"], pid: fields["proc.pid"], cmdline: fields["proc.cmdline"]))
        if let file = fields["fd.name"] { parts.append("file=" + TerminalText.clean(file.textValue)) }
        return parts.joined(separator: " ") + "\n"
    }

    func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func colourCode(_ p: AlertPriority) -> String {
        switch p {
        case .emergency, .alert, .critical: "1;31"
        case .error: "31"
        case .warning: "33"
        case .notice: "36"
        case .informational, .debug: "2"
        }
    }

    static func padded(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func container(name: AlertValue?, id: AlertValue?) -> String {
        let n = name.map { TerminalText.clean($0.textValue) }
        let i = id.map { TerminalText.clean($0.textValue) }
        switch (n, i) {
        case (_, "host"?), (nil, nil): return "host"
        case (let n?, let i?) where n != i: return "\(n)(\(i))"
        case (let n?, _): return n
        case (nil, let i?): return i
        }
    }

    static func process(name: AlertValue?, pid: AlertValue?, cmdline: AlertValue?) -> String {
        var s = TerminalText.clean(name?.textValue ?? "?")
        if let pid { s += "[" + TerminalText.clean(pid.textValue) + "]" }
        if let cmdline { s += " " + shortened(TerminalText.clean(cmdline.textValue)) }
        return s
    }

    /// Longest command line a terminal row shows; `--json` keeps the whole value.
    static let cmdlineLimit = 240

    /// A command line cut to `cmdlineLimit` characters: one ancestor started with a script as its argument
    /// (`bash -c '<whole script>'`) would otherwise fill the screen and scroll the alert itself away.
    static func shortened(_ cmdline: String) -> String {
        guard cmdline.count > cmdlineLimit else { return cmdline }
        return String(cmdline.prefix(cmdlineLimit)) + "… (+\(cmdline.count - cmdlineLimit) chars)"
    }

    /// The message part of Falco's output (after `<time>: <Priority> `).
    static func message(_ alert: Alerts.Alert) -> String {
        let prefix = ": \(alert.priority.name) "
        if let r = alert.output.range(of: prefix) { return String(alert.output[r.upperBound...]) }
        return alert.output
    }

    /// Local time; the date too when it is not today.
    static func timeText(_ time: AlertTime) -> String {
        let ns = time.nanosecondsSinceEpoch
        var seconds = time_t(ns / 1_000_000_000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var now = time_t(Glibc.time(nil))
        var today = tm()
        localtime_r(&now, &today)
        let millis = Int((ns % 1_000_000_000 + 1_000_000_000) % 1_000_000_000) / 1_000_000
        let clock = String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, millis)
        if parts.tm_year == today.tm_year && parts.tm_yday == today.tm_yday { return clock }
        return String(format: "%04d-%02d-%02d ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday) + clock
    }
}

/// The one way text from an event reaches the terminal.
enum TerminalText {
    /// Visible escapes for everything a terminal would act on (see `TextEscaping.escapeLine`); the strings
    /// here are already valid UTF-8 (invalid bytes arrive as `\xNN` from the daemon's alert model).
    static func clean(_ s: String) -> String { TextEscaping.escapeLine(s) }
}
