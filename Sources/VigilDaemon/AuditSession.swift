import AuditControl

#if canImport(Glibc)
import Glibc
#endif

/// Vigil's hold on the kernel's audit configuration for one run: what it found, what it changed, and how to
/// put it back.
///
/// It enables auditing and raises the backlog limit if needed, never sets a backlog wait that could block
/// audited syscalls, installs its rules under its own key, notices when someone disables audit or removes its
/// rules (tampering) and restores them, and on exit removes exactly its own rules and restores what it found.
public final class AuditSession {
    public struct Notice: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case kernelLoss = "kernel_lost"
            case auditDisabled = "audit_disabled"
            case rulesRemoved = "rules_removed"
        }
        public var kind: Kind
        public var detail: String
    }

    public let control: AuditControlSocket
    public let plan: AuditRulePlan
    public let found: AuditStatus
    public private(set) var lastStatus: AuditStatus
    public private(set) var lostSinceStart: UInt64 = 0
    public private(set) var tamperEvents = 0
    private var changedEnabled = false
    private var changedWaitTime = false
    private let manageRules: Bool

    public init(plan: AuditRulePlan, backlogLimit: UInt32, manageRules: Bool, beingDaemon: Bool) throws {
        control = try AuditControlSocket()
        self.plan = plan
        self.manageRules = manageRules
        found = try control.status()
        lastStatus = found
        if manageRules {
            if found.enabled == 0 {
                try control.setEnabled(true)
                changedEnabled = true
            }
            if found.backlogLimit < backlogLimit { try control.setBacklogLimit(backlogLimit) }
            // As the audit daemon, a full backlog must drop (and count) rather than stall every audited syscall.
            if beingDaemon, found.backlogWaitTime != 0 {
                changedWaitTime = (try? control.setBacklogWaitTime(0)) != nil
            }
            _ = try control.deleteRules(withKey: plan.key)  // leftovers of a run that was killed
            for rule in plan.rules { try control.add(rule) }
        }
        lastStatus = try control.status()
    }

    /// Polls the status and the rules; repairs and reports tampering and kernel loss.
    public func check() -> [Notice] {
        var notices: [Notice] = []
        guard let s = try? control.status() else { return notices }
        if s.lost > lastStatus.lost {
            let delta = UInt64(s.lost - lastStatus.lost)
            lostSinceStart += delta
            notices.append(Notice(kind: .kernelLoss, detail: "the kernel dropped \(delta) audit records (lost=\(s.lost), backlog=\(s.backlog)/\(s.backlogLimit))"))
        }
        if manageRules {
            if s.enabled == 0 {
                tamperEvents += 1
                try? control.setEnabled(true)
                notices.append(Notice(kind: .auditDisabled, detail: "kernel auditing was disabled by someone else; re-enabled"))
            }
            if let rules = try? control.listRules() {
                let mine = rules.filter { $0.keys.contains(plan.key) }.count
                if mine < plan.rules.count {
                    tamperEvents += 1
                    _ = try? control.deleteRules(withKey: plan.key)
                    for rule in plan.rules { try? control.add(rule) }
                    notices.append(Notice(kind: .rulesRemoved, detail: "\(plan.rules.count - mine) of Vigil's audit rules (key \(plan.key)) were deleted; restored"))
                }
            }
        }
        // Re-read after any repair, but keep `lost` of the reading the delta was taken from: records lost in
        // between are counted at the next check, not skipped.
        if var now = try? control.status() {
            now.lost = s.lost
            lastStatus = now
        } else {
            lastStatus = s
        }
        return notices
    }

    /// Removes Vigil's rules and restores the enabled flag it found.
    public func restore() {
        guard manageRules else { return }
        _ = try? control.deleteRules(withKey: plan.key)
        if changedEnabled { try? control.setEnabled(false) }
        if changedWaitTime { try? control.setBacklogWaitTime(found.backlogWaitTime) }
    }
}
