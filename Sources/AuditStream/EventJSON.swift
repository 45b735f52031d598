/// The JSON-lines form of an event that `vigil replay` prints: the decoded view first, then every record's
/// fields (decoded), so nothing in the input is lost.
public enum EventJSON {
    public static func write(_ event: AuditEvent, decoded d: DecodedEvent, nodes: NodeTable, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(d.key.stamp.text)
        if let node = nodes.name(d.key.node) { w.key("node"); w.string(node) }
        w.key("time"); w.string(Timestamp.rfc3339(seconds: d.key.stamp.seconds, nanos: Int(d.key.stamp.milliseconds) * 1_000_000, digits: 3))
        w.key("type"); w.string(d.primaryType.name)
        w.key("completion"); w.string(event.completion.rawValue)
        if let s = d.syscall {
            w.key("syscall"); w.beginObject()
            if let a = s.archName { w.key("arch"); w.string(a) }
            if let n = s.number { w.key("nr"); w.int(Int64(n)) }
            if let n = s.name { w.key("name"); w.string(n) }
            if let v = s.success { w.key("success"); w.bool(v) }
            if let v = s.exit { w.key("exit"); w.int(v) }
            if let v = s.errno { w.key("errno"); w.string(v) }
            if !s.args.isEmpty {
                w.key("args"); w.beginArray()
                for a in s.args { w.string("0x" + String(a, radix: 16)) }
                w.endArray()
            }
            if let v = s.items { w.key("items"); w.int(Int64(v)) }
            w.endObject()
        }
        let p = d.process
        w.key("process"); w.beginObject()
        let ids: [(String, Int64?)] = [
            ("pid", p.pid), ("ppid", p.ppid), ("auid", p.auid), ("uid", p.uid), ("gid", p.gid), ("euid", p.euid),
            ("suid", p.suid), ("fsuid", p.fsuid), ("egid", p.egid), ("sgid", p.sgid), ("fsgid", p.fsgid), ("ses", p.ses),
        ]
        for (k, v) in ids { if let v { w.key(k); w.int(v) } }
        let texts: [(String, Bytes?)] = [("tty", p.tty), ("comm", p.comm), ("exe", p.exe), ("subj", p.subj)]
        for (k, v) in texts { if let v { w.key(k); w.string(v) } }
        w.endObject()
        if !d.keys.isEmpty {
            w.key("keys"); w.beginArray(); for k in d.keys { w.string(k) }; w.endArray()
        }
        if let argv = d.argv {
            if let argc = d.argc { w.key("argc"); w.int(Int64(argc)) }
            w.key("argv"); w.beginArray(); for a in argv { w.string(a) }; w.endArray()
        }
        if let t = d.proctitle { w.key("proctitle"); w.beginArray(); for a in t { w.string(a) }; w.endArray() }
        if let c = d.cwd { w.key("cwd"); w.string(c) }
        if !d.paths.isEmpty {
            w.key("paths"); w.beginArray()
            for item in d.paths {
                w.beginObject()
                if let v = item.item { w.key("item"); w.int(Int64(v)) }
                if let v = item.name { w.key("name"); w.string(v) }
                if let v = item.inode { w.key("inode"); w.int(v) }
                if let v = item.dev { w.key("dev"); w.string(v) }
                if let v = item.mode { w.key("mode"); w.string("0" + String(v, radix: 8)) }
                if let v = item.ouid { w.key("ouid"); w.int(v) }
                if let v = item.ogid { w.key("ogid"); w.int(v) }
                if let v = item.nametype { w.key("nametype"); w.string(v) }
                w.endObject()
            }
            w.endArray()
        }
        if !d.sockaddrs.isEmpty {
            w.key("sockaddr"); w.beginArray()
            for s in d.sockaddrs {
                w.beginObject()
                w.key("family"); w.string(s.familyName)
                if let a = s.addressText { w.key(s.familyName == "unix" ? "path" : "addr"); w.string(a) }
                if let port = s.port { w.key("port"); w.int(Int64(port)) }
                if case .netlink(let pid, let groups) = s.family {
                    w.key("nl_pid"); w.int(Int64(pid)); w.key("nl_groups"); w.int(Int64(groups))
                }
                w.endObject()
            }
            w.endArray()
        }
        w.key("records"); w.beginArray()
        for r in event.records { writeRecord(r, into: &w) }
        w.endArray()
        w.endObject()
    }

    /// One record: its type, source line and fields. A name repeated in one record (glued records, audit-reference
    /// §2 item 14) becomes an array instead of a duplicate JSON key.
    public static func writeRecord(_ r: AuditRecord, into w: inout JSONWriter) {
        w.beginObject()
        w.key("type"); w.string(r.type.name)
        if r.line > 0 { w.key("line"); w.int(Int64(r.line)) }
        w.key("fields"); w.beginObject()
        var order: [String] = []
        var values: [String: [Bytes?]] = [:]
        for i in 0..<r.count {
            let name = r.name(at: i)
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(r.value(at: i))
        }
        for name in order {
            let vs = values[name]!
            w.key(name)
            if vs.count == 1 {
                if let v = vs[0] { w.string(v) } else { w.null() }
            } else {
                w.beginArray()
                for v in vs { if let v { w.string(v) } else { w.null() } }
                w.endArray()
            }
        }
        w.endObject()
        w.endObject()
    }
}

/// RFC 3339 UTC timestamps without Foundation's formatters (the alert and event paths format many of them).
public enum Timestamp {
    public static func rfc3339(seconds: Int64, nanos: Int, digits: Int = 9) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secs = seconds - days * 86_400
        // Civil from days (Howard Hinnant).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        var frac = ""
        if digits > 0 {
            var n = Int64(nanos)
            for _ in 0..<(9 - digits) { n /= 10 }
            frac = "." + pad(n, digits)
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2)):\(pad(secs % 60, 2))\(frac)Z"
    }
}
