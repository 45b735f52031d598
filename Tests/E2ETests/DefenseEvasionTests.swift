import Foundation
import Testing
import VigilTestSupport

/// Log and history clearing, bulk data removal, links over sensitive files and audit tampering, performed in real
/// containers while `vigil run` is live.
@Suite(.serialized, .enabled(if: E2E.available, "needs root and ../shared/lab"), .liveVigil("DefenseEvasion"))
struct DefenseEvasionTests {
    /// The image's fake auditctl: a script named auditctl. The real one is never run — `auditctl -D` on this
    /// machine would delete every audit rule, other tests' and Vigil's included.
    static let fakeAuditctl = "printf '#!/bin/sh\\necho fake auditctl \"$@\"\\n' > /sbin/auditctl && chmod +x /sbin/auditctl"

    static let vigilRules: [Behaviour] = [
        Behaviour(rule: "Log or shell history cleared", what: "rm -f /var/log/syslog", script: "rm -f /var/log/syslog",
                  process: "rm", object: "/var/log/syslog", style: .docker),
        Behaviour(rule: "Log or shell history cleared", what: ": > /var/log/auth.log (O_TRUNC)", script: ": > /var/log/auth.log",
                  process: "sh", object: "/var/log/auth.log", style: .containerd),
        Behaviour(rule: "Log or shell history cleared", what: "rm /root/.ash_history", script: "rm /root/.ash_history",
                  process: "rm", object: "/root/.ash_history", style: .podman),
        // Persistence: an (empty, so harmless) preload file and a root crontab.
        Behaviour(rule: "Persistence or preload file written", what: ": > /etc/ld.so.preload", script: ": > /etc/ld.so.preload",
                  process: "sh", object: "/etc/ld.so.preload", style: .dockerCgroupfs),
        Behaviour(rule: "Persistence or preload file written", what: "a root crontab in /var/spool/cron/crontabs",
                  script: "echo '* * * * * true' > /var/spool/cron/crontabs/root", process: "sh",
                  object: "/var/spool/cron/crontabs/root", style: .containerd, prepare: "mkdir -p /var/spool/cron/crontabs"),
        Behaviour(rule: "Audit subsystem tampering", what: "auditctl -D (fake auditctl script)", script: "auditctl -D",
                  process: "auditctl", prepare: fakeAuditctl),
        Behaviour(rule: "Audit subsystem tampering", what: "auditctl -e 0 (fake auditctl script)", script: "auditctl -e 0",
                  process: "auditctl", style: .crio, prepare: fakeAuditctl),
    ]

    @Test(arguments: vigilRules)
    func vigilRule(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    @Test func stockRemoveBulkData() throws {
        try expectAlert(
            Behaviour(rule: "Remove Bulk Data from Disk", what: "shred -u a file", script: "dd if=/dev/zero of=/tmp/data bs=1k count=4 2>/dev/null; shred -u /tmp/data",
                      process: "shred"))
    }

    /// Falco's rule needs `open_write` (fd.num >= 0): the open's result.
    @Test func stockClearLogActivities() throws {
        try expectAlert(
            Behaviour(rule: "Clear Log Activities", what: ": > /var/log/syslog (O_TRUNC)", script: ": > /var/log/syslog", process: "sh"))
    }

    static let links: [Behaviour] = [
        Behaviour(rule: "Create Symlink Over Sensitive Files", what: "ln -s /etc/shadow /tmp/s", script: "ln -s /etc/shadow /tmp/s", process: "ln"),
        Behaviour(rule: "Create Hardlink Over Sensitive Files", what: "ln /etc/shadow /tmp/h", script: "ln /etc/shadow /tmp/h", process: "ln"),
    ]

    /// evt.arg.target of symlink* is the PATH item the kernel logs for the name it took (nametype UNKNOWN);
    /// evt.arg.oldpath of link* its NORMAL item (AuditFieldSource.eventArgument).
    @Test(arguments: links)
    func stockLinkRules(_ b: Behaviour) throws {
        try expectAlert(b)
    }
}
