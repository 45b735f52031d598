import Foundation
import Testing

@testable import Alerts

@Suite("Alert model and formats")
struct AlertFormatTests {
    @Test func priorityOrderNamesAndParsing() {
        #expect(AlertPriority.emergency > AlertPriority.alert)
        #expect(AlertPriority.warning > AlertPriority.notice)
        #expect(AlertPriority.informational > AlertPriority.debug)
        #expect(AlertPriority.allCases.sorted(by: >) == AlertPriority.allCases)
        #expect(AlertPriority.allCases.map(\.syslogSeverity) == Array(0...7))
        #expect(AlertPriority.informational.name == "Informational")
        #expect(AlertPriority(name: "info") == .informational)
        #expect(AlertPriority(name: "WARNING") == .warning)
        #expect(AlertPriority(name: "verbose") == nil)
    }

    @Test func rfc3339TimeWithNanoseconds() throws {
        let time = AlertTime(seconds: 1_685_022_245, nanoseconds: 478_445_995)
        #expect(time.rfc3339 == "2023-05-25T13:44:05.478445995Z")
        #expect(time.rfc5424 == "2023-05-25T13:44:05.478445Z")
        #expect(AlertTime(rfc3339: "2023-05-25T13:44:05.478445995Z") == time)
        #expect(AlertTime(rfc3339: "2023-05-25T15:44:05.478445995+02:00") == time)
        #expect(AlertTime(rfc3339: "2019-05-17T15:31:56Z") == AlertTime(seconds: 1_558_107_116))
        #expect(AlertTime(rfc3339: "2023-05-25T13:44:05.4Z")?.nanosecondsSinceEpoch == 1_685_022_245_400_000_000)
        #expect(AlertTime(rfc3339: "2023-05-25 13:44:05") == nil)
        #expect(AlertTime(rfc3339: "yesterday") == nil)
        #expect(AlertTime(rfc3339: "2023-13-25T13:44:05Z") == nil)
        #expect(AlertTime(seconds: 0, nanoseconds: 5).rfc3339 == "1970-01-01T00:00:00.000000005Z")
    }

    @Test func jsonHasFalcoKeysInAlphabeticalOrderPlusUUID() throws {
        let alert = Alert(
            uuid: "0b9c1e39-7a5e-4f0e-9d43-6a8f63f3c1aa", time: AlertTime(seconds: 1_685_022_245, nanoseconds: 478_445_995),
            priority: .critical, rule: "Terminal shell in container", source: "syscall", hostname: "falco-xczjd",
            output: "13:44:05.478445995: Critical A shell was spawned",
            outputFields: ["proc.name": "sh", "evt.time": .integer(1_685_022_245_478_445_995), "user.loginuid": .integer(-1),
                "proc.tty": .integer(34816), "container.image.repository": .null, "flag": true,
                "proc.aname[2]": .array(["runc", "containerd"])],
            tags: ["shell", "container", "mitre_execution"])
        #expect(
            alert.jsonString
                == #"{"hostname":"falco-xczjd","output":"13:44:05.478445995: Critical A shell was spawned","output_fields":{"container.image.repository":null,"evt.time":1685022245478445995,"flag":true,"proc.aname[2]":["runc","containerd"],"proc.name":"sh","proc.tty":34816,"user.loginuid":-1},"priority":"Critical","rule":"Terminal shell in container","source":"syscall","tags":["container","mitre_execution","shell"],"time":"2023-05-25T13:44:05.478445995Z","uuid":"0b9c1e39-7a5e-4f0e-9d43-6a8f63f3c1aa"}"#
        )
        let decoded = try Alert(json: alert.jsonBytes)
        #expect(decoded.jsonBytes == alert.jsonBytes)
        #expect(decoded.outputFields == alert.outputFields)
        #expect(decoded.tags == alert.tags.sorted())
    }

    @Test func decodesFalcosidekickReadmeSample() throws {
        let sample = #"{"output":"16:31:56.746609046: Error File below a known binary directory opened for writing (user=root command=touch /bin/hack file=/bin/hack)","hostname":"localhost","priority":"Error","rule":"Write below binary dir","time":"2019-05-17T15:31:56.746609046Z","output_fields":{"evt.time":1507591916746609046,"fd.name":"/bin/hack","proc.cmdline":"touch /bin/hack","user.name":"root"}}"#
        let alert = try Alert(json: Array(sample.utf8))
        #expect(alert.priority == .error)
        #expect(alert.rule == "Write below binary dir")
        #expect(alert.source == "syscall")
        #expect(alert.time == AlertTime(seconds: 1_558_107_116, nanoseconds: 746_609_046))
        #expect(alert.outputFields["evt.time"] == .integer(1_507_591_916_746_609_046))
        #expect(alert.outputFields["fd.name"] == .string("/bin/hack"))
        #expect(alert.uuid.count == 36)
        // A uuid given in the input is kept (it is how a resend is recognised).
        let withUUID = try Alert(json: Array(#"{"uuid":"abc","rule":"r","priority":"info","time":"2019-05-17T15:31:56Z"}"#.utf8))
        #expect(withUUID.uuid == "abc")
        #expect(withUUID.priority == .informational)
    }

    @Test(arguments: [
        #"{"rule":"r","time":"2019-05-17T15:31:56Z"}"#,
        #"{"rule":"r","priority":"loud","time":"2019-05-17T15:31:56Z"}"#,
        #"{"rule":"","priority":"Error","time":"2019-05-17T15:31:56Z"}"#,
        #"{"rule":"r","priority":"Error","time":"last tuesday"}"#,
        #"{"rule":"r","priority":"Error"}"#,
        #"not json"#,
    ])
    func rejectsAlertsFalcosidekickWouldReject(_ text: String) {
        #expect(throws: AlertDecodingError.self) { try Alert(json: Array(text.utf8)) }
    }

    @Test func outputFieldsAreNeverEmptyBecauseFalcosidekickRejectsThat() throws {
        let alert = Alert(time: AlertTime(seconds: 5), priority: .notice, rule: "r", output: "o")
        #expect(alert.outputFields.isEmpty)
        #expect(alert.jsonString.contains(#""output_fields":{"evt.time":5000000000}"#))
    }

    @Test func messageInitializerBuildsFalcoOutputLine() {
        let time = AlertTime(seconds: 1_685_022_245, nanoseconds: 478_445_995)
        let alert = Alert(time: time, priority: .warning, rule: "r", message: "Sensitive file opened (file=/etc/shadow)")
        #expect(alert.output == "\(time.falcoLocalTime): Warning Sensitive file opened (file=/etc/shadow)")
        #expect(alert.outputFields["evt.time"] == .integer(time.nanosecondsSinceEpoch))
        let iso = Alert(time: time, priority: .warning, rule: "r", message: "m", iso8601Prefix: true)
        #expect(iso.output == "2023-05-25T13:44:05.478445995Z: Warning m")
    }
}

@Suite("Escaping of event-controlled text")
struct EscapingTests {
    /// An alert whose output and fields carry what an attacker can put in a file name.
    func hostileAlert(_ name: String) -> Alert {
        Alert(
            time: AlertTime(seconds: 1_685_022_245, nanoseconds: 1), priority: .warning, rule: "Write below etc",
            message: "File opened (file=\(name))", hostname: "h", outputFields: ["fd.name": .string(name)])
    }

    @Test func newlineInFileNameCannotForgeATextLine() {
        let alert = hostileAlert("/tmp/x\n[CRITICAL] fake")
        for format in AlertLineFormat.allCases {
            let line = format.line(alert)
            #expect(line.filter { $0 == 0x0A }.count == 1, "exactly one newline, at the end (\(format))")
            #expect(line.last == 0x0A)
        }
        let text = alert.textLine
        #expect(text.hasSuffix(#"(file=/tmp/x\n[CRITICAL] fake)"#))
        #expect(!text.contains("\n"))
        #expect(!text.contains("\r"))
    }

    @Test func carriageReturnAndAnsiEscapesAreNeutralised() {
        let alert = hostileAlert("a\r\u{1B}[2J\u{1B}]0;pwned\u{07}\u{9B}31m\u{7F}b")
        let text = alert.textLine
        #expect(text.hasSuffix(#"(file=a\r\x1b[2J\x1b]0;pwned\x07\x9b31m\x7fb)"#))
        let bytes = Array(text.utf8)
        #expect(!bytes.contains(0x1B))
        #expect(!bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }))
        #expect(!text.unicodeScalars.contains { (0x80..<0xA0).contains($0.value) })
    }

    @Test func unicodeLineSeparatorsAndBidiOverridesAreEscaped() {
        let text = TextEscaping.escapeLine("evil\u{2028}line\u{202E}txt.exe\u{2066}")
        #expect(text == #"evil\u{2028}line\u{202E}txt.exe\u{2066}"#)
        #expect(TextEscaping.escapeLine("café ünïcode ✓") == "café ünïcode ✓")
    }

    @Test func backslashIsDoubledSoEscapesAreUnambiguous() {
        // A file literally named `a\nb` (backslash, n) must not read like an escaped newline.
        #expect(TextEscaping.escapeLine(#"a\nb"#) == #"a\\nb"#)
        #expect(TextEscaping.escapeLine("a\nb") == #"a\nb"#)
    }

    @Test func jsonEscapesControlCharactersAndStaysValid() throws {
        let alert = hostileAlert("x\n\u{0}\u{1B}[31m\"\\\u{2028}\u{7F}")
        let bytes = alert.jsonBytes
        #expect(String(validating: bytes, as: UTF8.self) != nil)
        #expect(!bytes.contains(where: { $0 < 0x20 }))
        #expect(!bytes.contains(0x7F))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""fd.name":"x\n\u0000\u001b[31m\"\\\u2028\u007f""#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let fields = try #require(object["output_fields"] as? [String: Any])
        #expect(fields["fd.name"] as? String == "x\n\u{0}\u{1B}[31m\"\\\u{2028}\u{7F}")
    }

    @Test func invalidUTF8FromEventsIsEscapedNotLost() throws {
        // 0xFF is never valid; C3 28 is a truncated two-byte sequence; ED A0 80 encodes a surrogate.
        let raw: [UInt8] = [0x2F, 0x74, 0x6D, 0x70, 0x2F, 0xFF, 0x61, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xC3, 0xA9]
        let value = AlertValue.bytes(raw)
        guard case .string(let text) = value else {
            Issue.record("expected a string")
            return
        }
        #expect(text.hasPrefix(#"/tmp/\xffa\xc3("#))
        #expect(text.hasSuffix("é"))
        #expect(text.contains(#"\xed"#))
        var alert = hostileAlert("ok")
        alert.outputFields["fd.name"] = value
        alert.output = "File opened (file=\(text))"
        let json = alert.jsonBytes
        #expect(String(validating: json, as: UTF8.self) != nil)
        let decoded = try Alert(json: json)
        #expect(decoded.outputFields["fd.name"] == value)
        #expect(TextEscaping.string(fromUntrustedBytes: Array("plain ✓".utf8)) == "plain ✓")
    }
}
