import Foundation
import Testing

@testable import Alerts

@Suite("RFC 5424 formatting")
struct SyslogFormatterTests {
    let alert = Alert(
        uuid: "u-1", time: AlertTime(seconds: 1_685_022_245, nanoseconds: 478_445_995), priority: .critical,
        rule: #"Rule "quoted" ] \ end"#, source: "syscall", hostname: "node 1",
        output: "13:44:05.478445995: Critical shell\n[CRITICAL] fake",
        outputFields: ["container.id": "ee97d9c4186f"], tags: ["b", "a"])

    @Test func headerStructuredDataAndMessage() {
        let formatter = SyslogFormatter(facility: .local3, appName: "vigil", processID: "42")
        let text = String(decoding: formatter.message(alert), as: UTF8.self)
        let expected =
            #"<154>1 2023-05-25T13:44:05.478445Z node_1 vigil 42 alert [vigil@32473 rule="Rule \"quoted\" \] \\\\ end" priority="Critical" container="ee97d9c4186f" source="syscall" uuid="u-1" tags="a,b"] 13:44:05.478445995: Critical shell\n[CRITICAL] fake"#
        #expect(text == expected)
        #expect(!text.contains("\n"))
    }

    @Test(arguments: AlertPriority.allCases)
    func priValueIsFacilityTimesEightPlusSeverity(_ priority: AlertPriority) {
        var alert = alert
        alert.priority = priority
        for facility in [SyslogFacility.user, .authpriv, .local7] {
            let text = String(decoding: SyslogFormatter(facility: facility).message(alert), as: UTF8.self)
            #expect(text.hasPrefix("<\(facility.rawValue * 8 + priority.rawValue)>1 "))
        }
    }

    @Test func hostAlertsSayHostAndLongMessagesAreCutAtCharacterBoundaries() {
        var alert = alert
        alert.outputFields = [:]
        alert.output = String(repeating: "é", count: 2000)
        let bytes = SyslogFormatter(maximumMessageBytes: 1001).message(alert)
        #expect(bytes.count <= 1001)
        #expect(bytes.count >= 999)
        #expect(String(validating: bytes, as: UTF8.self) != nil)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"container="host""#))
    }

    @Test func octetCountingFramesByByteCount() {
        let message = Array("<14>1 - - - - - - é".utf8)
        let framed = SyslogFormatter.octetCounted(message)
        #expect(framed == Array("\(message.count) ".utf8) + message)
        #expect(String(decoding: framed, as: UTF8.self).hasPrefix("20 "))
    }
}
