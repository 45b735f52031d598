/// Decodes an assembled event's records into a `DecodedEvent`.
public enum EventDecoder {
    public static func decode(_ event: AuditEvent) -> DecodedEvent {
        var d = DecodedEvent(key: event.key, primaryType: event.records.first?.type ?? .eoe)
        var execves: [AuditRecord] = []
        for r in event.records {
            switch r.type.code {
            case RecordType.syscall.code:
                if d.syscall == nil { decodeSyscall(r, into: &d) }
            case RecordType.execve.code:
                execves.append(r)
            case RecordType.proctitle.code:
                if let v = r.value("proctitle") { d.proctitle = splitNUL(v) }
            case RecordType.cwd.code:
                d.cwd = r.value("cwd")
            case RecordType.path.code:
                d.paths.append(decodePath(r))
            case RecordType.sockaddr.code:
                if let i = r.index(of: "saddr"), let raw = Hex.decode(r.rawValue(at: i)) {
                    d.sockaddrs.append(SocketAddress(bytes: raw))
                }
            default:
                // Standalone and companion records (USER_*, AVC, SECCOMP, ANOM_*) carry the process fields too.
                if d.syscall == nil, r.type.code == 1326 || r.type.code >= 1700 && r.type.code < 1800 {
                    decodeSyscallFields(r, into: &d)
                }
                if d.process.pid == nil { decodeProcess(r, into: &d) }
            }
        }
        if !execves.isEmpty { decodeExecve(execves, into: &d) }
        d.paths.sort { ($0.item ?? Int.max) < ($1.item ?? Int.max) }
        return d
    }

    private static func decodeSyscall(_ r: AuditRecord, into d: inout DecodedEvent) {
        decodeSyscallFields(r, into: &d)
        var s = d.syscall ?? DecodedEvent.Syscall()
        if let v = r.value("success") {
            s.success = v.elementsEqual("yes".utf8) ? true : v.elementsEqual("no".utf8) ? false : nil
        }
        if let e = r.int("exit") {
            s.exit = e
            if e < 0, s.success != true { s.errno = ErrnoName.name(-e) }
        }
        for name: StaticString in ["a0", "a1", "a2", "a3"] {
            if let v = r.hex(name) { s.args.append(v) }
        }
        s.items = r.int("items").map { Int($0) }
        d.syscall = s
        decodeProcess(r, into: &d)
    }

    /// `arch=` and `syscall=`, in raw (`c000003e`, `59`) or interpreted (`x86_64`, `execve`) form.
    private static func decodeSyscallFields(_ r: AuditRecord, into d: inout DecodedEvent) {
        var s = d.syscall ?? DecodedEvent.Syscall()
        if let i = r.index(of: "arch") {
            let raw = r.rawValue(at: i)
            if let a = Number.hex(raw), a <= UInt64(UInt32.max), SyscallTable.archName(UInt32(a)) != nil || raw.count == 8 {
                s.arch = UInt32(a)
                s.archName = SyscallTable.archName(UInt32(a))
            } else {
                let name = String(decoding: raw, as: UTF8.self)
                s.arch = SyscallTable.arch(named: name)
                s.archName = name
            }
        }
        if let i = r.index(of: "syscall") {
            let raw = r.rawValue(at: i)
            if let n = Number.decimal(raw) {
                s.number = Int(n)
                if let arch = s.arch { s.name = SyscallTable.shared.name(arch: arch, number: Int(n)) }
            } else {
                let name = String(decoding: raw, as: UTF8.self)
                s.name = name
                if let arch = s.arch { s.number = SyscallTable.shared.number(arch: arch, name: name) }
            }
        }
        d.syscall = s
        if d.keys.isEmpty, let k = r.value("key") {
            d.keys = k.split(separator: 0x01, omittingEmptySubsequences: true).map(Array.init)
        }
    }

    private static func decodeProcess(_ r: AuditRecord, into d: inout DecodedEvent) {
        var p = d.process
        p.pid = r.int("pid") ?? p.pid
        p.ppid = r.int("ppid") ?? p.ppid
        p.auid = r.int("auid") ?? p.auid
        p.uid = r.int("uid") ?? p.uid
        p.gid = r.int("gid") ?? p.gid
        p.euid = r.int("euid") ?? p.euid
        p.suid = r.int("suid") ?? p.suid
        p.fsuid = r.int("fsuid") ?? p.fsuid
        p.egid = r.int("egid") ?? p.egid
        p.sgid = r.int("sgid") ?? p.sgid
        p.fsgid = r.int("fsgid") ?? p.fsgid
        p.ses = r.int("ses") ?? p.ses
        p.tty = r.value("tty") ?? p.tty
        p.comm = r.value("comm") ?? p.comm
        p.exe = r.value("exe") ?? p.exe
        p.subj = r.value("subj") ?? p.subj
        d.process = p
        if d.keys.isEmpty, let k = r.value("key") {
            d.keys = k.split(separator: 0x01, omittingEmptySubsequences: true).map(Array.init)
        }
    }

    private static func decodePath(_ r: AuditRecord) -> DecodedEvent.PathItem {
        var p = DecodedEvent.PathItem()
        p.item = r.int("item").map { Int($0) }
        p.name = r.value("name")
        p.inode = r.int("inode")
        p.dev = r.value("dev")
        if let i = r.index(of: "mode") { p.mode = Number.octal(r.rawValue(at: i)) }
        p.ouid = r.int("ouid")
        p.ogid = r.int("ogid")
        p.nametype = r.value("nametype")
        return p
    }

    /// Merges `argc`, `aN`, `aN_len` + `aN[i]` across all EXECVE records of the event (long arguments are split
    /// over several records). A missing argument (audit-kernel #99: empty arguments were skipped) stays empty,
    /// and arguments beyond a wrong `argc` are kept.
    private static func decodeExecve(_ records: [AuditRecord], into d: inout DecodedEvent) {
        var args: [Int: [UInt8]] = [:]
        var chunks: [Int: [(Int, ArraySlice<UInt8>, Bool)]] = [:]
        var argc: Int? = nil
        for r in records {
            for i in 0..<r.count {
                let f = r.fields[i]
                let name = r.bytes[Int(f.nameStart)..<Int(f.nameEnd)]
                guard name.first == UInt8(ascii: "a") else { continue }
                if name.elementsEqual("argc".utf8) {
                    argc = Number.decimal(r.rawValue(at: i)).map { Int($0) }
                    continue
                }
                let rest = name.dropFirst()
                guard let digitsEnd = rest.firstIndex(where: { $0 < 48 || $0 > 57 }) ?? Optional(rest.endIndex),
                    digitsEnd > rest.startIndex, let n = Number.decimal(rest[..<digitsEnd]), n < 1_000_000
                else { continue }
                let tail = rest[digitsEnd...]
                if tail.isEmpty {
                    args[Int(n)] = r.value(at: i) ?? []
                } else if tail.first == UInt8(ascii: "["), tail.last == UInt8(ascii: "]"),
                    let k = Number.decimal(tail.dropFirst().dropLast())
                {
                    chunks[Int(n), default: []].append((Int(k), r.rawValue(at: i), f.quoting != .none))
                }
            }
        }
        for (n, parts) in chunks {
            let ordered = parts.sorted { $0.0 < $1.0 }
            if ordered.allSatisfy({ !$0.2 }) {
                let raw = ordered.flatMap { $0.1 }
                args[n] = Hex.decode(raw) ?? raw
            } else {
                args[n] = ordered.flatMap { $0.2 ? Array($0.1) : (Hex.decode($0.1) ?? Array($0.1)) }
            }
        }
        let highest = max((argc ?? 0) - 1, args.keys.max() ?? -1)
        d.argc = argc
        d.argv = highest < 0 ? [] : (0...highest).map { args[$0] ?? [] }
    }

    private static func splitNUL(_ v: [UInt8]) -> [[UInt8]] {
        var parts = v.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
        while parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }
}
