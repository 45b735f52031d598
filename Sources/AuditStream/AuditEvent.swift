/// The records of one audit event, in arrival order, without the EOE marker.
public struct AuditEvent: Sendable {
    public let key: EventKey
    public let records: [AuditRecord]
    /// Why the assembler considered the event finished.
    public let completion: Completion

    public enum Completion: String, Sendable {
        /// The EOE record arrived (netlink, plugin stdin).
        case endOfEvent = "eoe"
        /// A record type that never has companions (user-space messages).
        case standalone
        /// The PROCTITLE record of a syscall event whose SYSCALL and every PATH it announced had arrived: the
        /// kernel writes PROCTITLE last, just before EOE (auparse's `audit_is_last_record`).
        case lastRecord = "proctitle"
        /// Stream time moved past the event by the assembly window (auditd log files carry no EOE).
        case expired
        /// The source ended or a live flush ran.
        case flushed
        /// Too many events were open at once; the oldest was emitted early. Counted.
        case evicted
    }

    public init(key: EventKey, records: [AuditRecord], completion: Completion) {
        self.key = key
        self.records = records
        self.completion = completion
    }

    public var stamp: EventStamp { key.stamp }

    /// The first record of a type.
    public func first(_ type: RecordType) -> AuditRecord? {
        records.first { $0.type.code == type.code }
    }

    /// All records of a type, in arrival order.
    public func all(_ type: RecordType) -> [AuditRecord] {
        records.filter { $0.type.code == type.code }
    }
}
