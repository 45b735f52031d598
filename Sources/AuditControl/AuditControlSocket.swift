import CAudit

#if canImport(Glibc)
import Glibc
#endif

/// A netlink control socket to the kernel's audit subsystem (libaudit's `audit_open`): status, enabling, backlog
/// settings and rules. Events are read on a separate `AuditEventSocket`, so replies never mix with records.
public final class AuditControlSocket {
    public let fd: Int32

    public init() throws {
        let fd = audit_open()
        guard fd >= 0 else { throw AuditControlError("audit_open", errno: errno) }
        self.fd = fd
    }

    deinit { audit_close(fd) }

    /// Reads `auditctl -s`.
    public func status() throws -> AuditStatus {
        guard audit_request_status(fd) > 0 else { throw AuditControlError("audit_request_status", errno: errno) }
        var reply = audit_reply()
        for _ in 0..<50 {
            let n = audit_get_reply(fd, &reply, GET_REPLY_BLOCKING, 0)
            if n <= 0 { throw AuditControlError("audit_get_reply", errno: errno) }
            if reply.type == AUDIT_GET, let s = reply.status {
                let v = s.pointee
                return AuditStatus(
                    enabled: v.enabled, failure: v.failure, pid: v.pid, rateLimit: v.rate_limit,
                    backlogLimit: v.backlog_limit, lost: v.lost, backlog: v.backlog,
                    backlogWaitTime: v.backlog_wait_time)
            }
        }
        throw AuditControlError("audit status reply", errno: EPROTO)
    }

    public func setEnabled(_ on: Bool) throws {
        guard audit_set_enabled(fd, on ? 1 : 0) > 0 else { throw AuditControlError("audit_set_enabled", errno: errno) }
    }

    public func setBacklogLimit(_ limit: UInt32) throws {
        guard audit_set_backlog_limit(fd, limit) > 0 else {
            throw AuditControlError("audit_set_backlog_limit", errno: errno)
        }
    }

    /// Vigil sets this to 0 while it is the audit daemon (a non-zero wait makes audited syscalls block when the
    /// backlog is full) and puts back what it found on exit.
    public func setBacklogWaitTime(_ jiffies: UInt32) throws {
        guard audit_set_backlog_wait_time(fd, jiffies) > 0 else {
            throw AuditControlError("audit_set_backlog_wait_time", errno: errno)
        }
    }

    /// Installs one rule (`-a always,exit`).
    public func add(_ rule: AuditRule) throws {
        let data = try rule.makeRuleData()
        defer { audit_rule_free_data(data) }
        guard audit_add_rule_data(fd, data, Int32(AUDIT_FILTER_EXIT), Int32(AUDIT_ALWAYS)) > 0 else {
            throw AuditControlError("add audit rule \(rule.auditctlLine)", errno: errno)
        }
    }

    /// The kernel's current rules, each with its keys and its raw form (to delete it exactly).
    public func listRules() throws -> [InstalledAuditRule] {
        guard audit_request_rules_list_data(fd) > 0 else {
            throw AuditControlError("audit_request_rules_list_data", errno: errno)
        }
        var rules: [InstalledAuditRule] = []
        var reply = audit_reply()
        while true {
            let n = audit_get_reply(fd, &reply, GET_REPLY_BLOCKING, 0)
            if n <= 0 { throw AuditControlError("audit_get_reply", errno: errno) }
            if reply.type == NLMSG_DONE { break }
            if reply.type == NLMSG_ERROR {
                if let e = reply.error, e.pointee.error != 0 { throw AuditControlError("list rules", errno: -e.pointee.error) }
                continue
            }
            guard reply.type == AUDIT_LIST_RULES, let data = reply.ruledata else { continue }
            rules.append(InstalledAuditRule(copying: data, length: Int(reply.len)))
        }
        return rules
    }

    /// Deletes a rule as the kernel listed it.
    public func delete(_ rule: InstalledAuditRule) throws {
        try rule.withRuleData { data in
            guard audit_delete_rule_data(fd, data, Int32(AUDIT_FILTER_EXIT), Int32(AUDIT_ALWAYS)) > 0 else {
                throw AuditControlError("delete audit rule", errno: errno)
            }
        }
    }

    /// Deletes every rule carrying `key` and returns how many there were. Other rules are left alone.
    @discardableResult
    public func deleteRules(withKey key: String) throws -> Int {
        let mine = try listRules().filter { $0.keys.contains(key) }
        for r in mine { try delete(r) }
        return mine.count
    }
}
