/// Decodes an assembled event's records into a `DecodedEvent`.
public enum EventDecoder {
    public static func decode(_ event: AuditEvent) -> DecodedEvent {
        // An event with a SYSCALL record is a syscall event whatever order its records arrived in (a log may put
        // PATH first); otherwise its first record names it.
        let primary = event.records.contains { $0.type.code == RecordType.syscall.code }
            ? RecordType.syscall : event.records.first?.type ?? .eoe
        var d = DecodedEvent(key: event.key, primaryType: primary)
        var execves: [AuditRecord] = []
        var rawSockaddrs: [[UInt8]] = []
        for r in event.records {
            switch r.type.code {
            case RecordType.syscall.code:
                if d.syscall == nil { decodeSyscall(r, into: &d) }
            case RecordType.execve.code:
                execves.append(r)
            case RecordType.proctitle.code:
                if let i = r.index(of: "proctitle") { d.proctitleField = (r, i) }
            case RecordType.cwd.code:
                d.cwd = r.value("cwd")
            case RecordType.path.code:
                d.paths.append(decodePath(r))
            case RecordType.bprmFcaps.code:
                if let pp = r.value("pp").flatMap(Number.hex), let pe = r.value("pe").flatMap(Number.hex) {
                    d.execCapabilities = DecodedEvent.CapabilitySets(permitted: pp, effective: pe)
                }
            case RecordType.sockaddr.code:
                // Decoded once the arch is known: SOCKADDR may come before SYSCALL (records can arrive in any
                // order), and the family's byte order is the arch's.
                if let i = r.index(of: "saddr"), let raw = Hex.decode(r.rawValue(at: i)) { rawSockaddrs.append(raw) }
            default:
                // Standalone and companion records (USER_*, AVC, SECCOMP, ANOM_*) carry the process fields too.
                decodeFields(r, into: &d, authoritative: false)
            }
        }
        if !execves.isEmpty { decodeExecve(execves, into: &d) }
        if !rawSockaddrs.isEmpty {
            // __AUDIT_ARCH_LE (0x40000000) marks little-endian arches; without an arch, the common case.
            let bigEndian = d.syscall?.arch.map { $0 & 0x4000_0000 == 0 } ?? false
            d.sockaddrs = rawSockaddrs.map { SocketAddress(bytes: $0, bigEndian: bigEndian) }
        }
        d.paths.sort { ($0.item ?? Int.max) < ($1.item ?? Int.max) }
        return d
    }

    private static func decodeSyscall(_ r: AuditRecord, into d: inout DecodedEvent) {
        decodeFields(r, into: &d, authoritative: true)
    }

    /// One pass over a record's raw (non-enriched) fields. The SYSCALL record is authoritative; other records
    /// (USER_*, AVC, SECCOMP, ANOM_*) only fill what is still unknown. The first occurrence of a name wins.
    /// Names are dispatched as integers (up to 8 bytes packed little-endian) and numbers parsed in place: this
    /// is the per-event cost of decoding, so it avoids a name search per wanted field.
    private static func decodeFields(_ r: AuditRecord, into d: inout DecodedEvent, authoritative: Bool) {
        var s = d.syscall ?? DecodedEvent.Syscall()
        var p = d.process
        var seen: UInt64 = 0
        var (a0, a1, a2, a3): (UInt64?, UInt64?, UInt64?, UInt64?) = (nil, nil, nil, nil)
        var archRaw: (Int, Int)? = nil
        var syscallRaw: (Int, Int)? = nil
        var keyIndex: Int? = nil
        r.bytes.withUnsafeBufferPointer { b in
            for i in 0..<r.count {
            guard let (packed, f) = packedName(r, b, i) else { continue }
            let vs = Int(f.valueStart), ve = Int(f.valueEnd)
            switch packed {
            case 0x68637261: if seen & 1 == 0 { seen |= 1; archRaw = (vs, ve) }
            case 0x6c6c6163737973: if seen & 2 == 0 { seen |= 2; syscallRaw = (vs, ve) }
            case 0x73736563637573:
                if authoritative, seen & 4 == 0 {
                    seen |= 4
                    s.success =
                        ve - vs == 3 && b[vs] == UInt8(ascii: "y") && b[vs + 1] == UInt8(ascii: "e") && b[vs + 2] == UInt8(ascii: "s")
                        ? true : ve - vs == 2 && b[vs] == UInt8(ascii: "n") && b[vs + 1] == UInt8(ascii: "o") ? false : nil
                }
            case 0x74697865: if authoritative, seen & 8 == 0 { seen |= 8; s.exit = Number.decimal(b, vs, ve) }
            case 0x3061: if authoritative, seen & 16 == 0 { seen |= 16; a0 = Number.hex(b, vs, ve) }
            case 0x3161: if authoritative, seen & 32 == 0 { seen |= 32; a1 = Number.hex(b, vs, ve) }
            case 0x3261: if authoritative, seen & 64 == 0 { seen |= 64; a2 = Number.hex(b, vs, ve) }
            case 0x3361: if authoritative, seen & 128 == 0 { seen |= 128; a3 = Number.hex(b, vs, ve) }
            case 0x736d657469:
                if authoritative, seen & 256 == 0 {
                    seen |= 256
                    s.items = Number.decimal(b, vs, ve).map { Int($0) }
                }
            case 0x646970:  // pid
                if seen & 512 == 0, authoritative || p.pid == nil {
                    seen |= 512
                    p.pid = Number.decimal(b, vs, ve)
                }
            case 0x64697070:  // ppid
                if seen & 1024 == 0, authoritative || p.ppid == nil {
                    seen |= 1024
                    p.ppid = Number.decimal(b, vs, ve)
                }
            case 0x64697561:  // auid
                if seen & 2048 == 0, authoritative || p.auid == nil {
                    seen |= 2048
                    p.auid = Number.decimal(b, vs, ve)
                }
            case 0x646975:  // uid
                if seen & 4096 == 0, authoritative || p.uid == nil {
                    seen |= 4096
                    p.uid = Number.decimal(b, vs, ve)
                }
            case 0x646967:  // gid
                if seen & 8192 == 0, authoritative || p.gid == nil {
                    seen |= 8192
                    p.gid = Number.decimal(b, vs, ve)
                }
            case 0x64697565:  // euid
                if seen & 16384 == 0, authoritative || p.euid == nil {
                    seen |= 16384
                    p.euid = Number.decimal(b, vs, ve)
                }
            case 0x64697573:  // suid
                if seen & 32768 == 0, authoritative || p.suid == nil {
                    seen |= 32768
                    p.suid = Number.decimal(b, vs, ve)
                }
            case 0x6469757366:  // fsuid
                if seen & 65536 == 0, authoritative || p.fsuid == nil {
                    seen |= 65536
                    p.fsuid = Number.decimal(b, vs, ve)
                }
            case 0x64696765:  // egid
                if seen & 131072 == 0, authoritative || p.egid == nil {
                    seen |= 131072
                    p.egid = Number.decimal(b, vs, ve)
                }
            case 0x64696773:  // sgid
                if seen & 262144 == 0, authoritative || p.sgid == nil {
                    seen |= 262144
                    p.sgid = Number.decimal(b, vs, ve)
                }
            case 0x6469677366:  // fsgid
                if seen & 524288 == 0, authoritative || p.fsgid == nil {
                    seen |= 524288
                    p.fsgid = Number.decimal(b, vs, ve)
                }
            case 0x736573:  // ses
                if seen & 1048576 == 0, authoritative || p.ses == nil {
                    seen |= 1048576
                    p.ses = Number.decimal(b, vs, ve)
                }
            case 0x797474:  // tty
                if seen & 2097152 == 0, authoritative || p.tty == nil {
                    seen |= 2097152
                    p.tty = r.value(at: i, encoded: false)
                }
            case 0x6d6d6f63:  // comm
                if seen & 4194304 == 0, authoritative || p.comm == nil {
                    seen |= 4194304
                    p.comm = r.value(at: i, encoded: true)
                }
            case 0x657865:  // exe
                if seen & 8388608 == 0, authoritative || p.exe == nil {
                    seen |= 8388608
                    p.exe = r.value(at: i, encoded: true)
                }
            case 0x6a627573:  // subj
                if seen & 16777216 == 0, authoritative || p.subj == nil {
                    seen |= 16777216
                    p.subj = r.value(at: i, encoded: false)
                }
            case 0x79656b: if seen & 33554432 == 0 { seen |= 33554432; keyIndex = i }
            default: break
            }
            }
        }
        if authoritative || s.arch == nil, let (vs, ve) = archRaw {
            let raw = r.bytes[vs..<ve]
            if let a = Number.hex(raw), a <= UInt64(UInt32.max), raw.count == 8 || SyscallTable.archName(UInt32(a)) != nil {
                s.arch = UInt32(a)
                s.archName = SyscallTable.archName(UInt32(a))
            } else {
                let name = String(decoding: raw, as: UTF8.self)
                s.arch = SyscallTable.arch(named: name)
                s.archName = name
            }
        }
        if authoritative || s.name == nil, let (vs, ve) = syscallRaw {
            let raw = r.bytes[vs..<ve]
            if let n = Number.decimal(raw) {
                s.number = Int(n)
                if let arch = s.arch { s.name = SyscallTable.shared.name(arch: arch, number: Int(n)) }
            } else {
                let name = String(decoding: raw, as: UTF8.self)
                s.name = name
                if let arch = s.arch { s.number = SyscallTable.shared.number(arch: arch, name: name) }
            }
        }
        if authoritative {
            // a0…a3 in order up to the first missing one, in one allocation (no array literal per event; see
            // `Hex.decode` for why from a buffer).
            let n = a0 == nil ? 0 : a1 == nil ? 1 : a2 == nil ? 2 : a3 == nil ? 3 : 4
            var args: (UInt64, UInt64, UInt64, UInt64) = (a0 ?? 0, a1 ?? 0, a2 ?? 0, a3 ?? 0)
            s.args = withUnsafeBytes(of: &args) { Array(UnsafeBufferPointer(start: $0.bindMemory(to: UInt64.self).baseAddress, count: n)) }
            if let e = s.exit, e < 0, s.success != true { s.errno = ErrnoName.name(-e) }
        }
        if archRaw != nil || syscallRaw != nil || authoritative { d.syscall = s }
        d.process = p
        if let k = keyIndex, d.keys.isEmpty { d.keyField = (r, k) }
    }

    /// Field `i` of a raw (non-enriched) part with its name packed into an integer (up to 8 bytes, little-endian),
    /// so one pass over a record dispatches on integer compares; nil for enriched or longer names.
    @inline(__always)
    private static func packedName(_ r: AuditRecord, _ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt64, FieldSpan)? {
        let f = FieldSpan(loading: UnsafeRawBufferPointer(b), at: Int(r.tableOffset) + i * FieldSpan.size)
        let ns = Int(f.nameStart), ne = Int(f.nameEnd)
        guard !f.enriched, ne - ns <= 8 else { return nil }
        if ns + 8 <= b.count, let base = b.baseAddress {
            // One load: the field table follows the text, so eight bytes from a name's start are in the buffer.
            let w = UInt64(littleEndian: UnsafeRawPointer(base + ns).loadUnaligned(as: UInt64.self))
            let n = ne - ns
            return (n == 8 ? w : w & ((1 &<< UInt64(n &* 8)) &- 1), f)
        }
        var packed: UInt64 = 0
        var shift: UInt64 = 0
        for k in ns..<ne {
            packed |= UInt64(b[k]) << shift
            shift &+= 8
        }
        return (packed, f)
    }

    /// One pass over a PATH record's fields (see `decodeFields`).
    private static func decodePath(_ r: AuditRecord) -> DecodedEvent.PathItem {
        var item = DecodedEvent.PathItem()
        r.bytes.withUnsafeBufferPointer { b in
            for i in 0..<r.count {
                guard let (packed, f) = packedName(r, b, i) else { continue }
                let vs = Int(f.valueStart), ve = Int(f.valueEnd)
                switch packed {
                case 0x6d657469: if item.item == nil { item.item = Number.decimal(b, vs, ve).map { Int($0) } }
                case 0x656d616e: if item.name == nil { item.name = r.value(at: i, encoded: true) }
                case 0x65646f6e69: if item.inode == nil { item.inode = Number.decimal(b, vs, ve) }
                case 0x766564: if item.dev == nil { item.dev = r.value(at: i, encoded: false) }
                case 0x65646f6d: if item.mode == nil { item.mode = Number.octal(r.bytes[vs..<ve]) }
                case 0x6469756f: if item.ouid == nil { item.ouid = Number.decimal(b, vs, ve) }
                case 0x6469676f: if item.ogid == nil { item.ogid = Number.decimal(b, vs, ve) }
                case 0x65707974656d616e, 0x657079746a626f: if item.nametype == nil { item.nametype = r.value(at: i, encoded: false) }  // nametype, objtype
                default: break
                }
            }
        }
        return item
    }

    /// Merges `argc`, `aN`, `aN_len` + `aN[i]` across all EXECVE records of the event (long arguments are split
    /// over several records). A missing argument (audit-kernel #99: empty arguments were skipped) stays empty,
    /// and arguments beyond a wrong `argc` are kept.
    private static func decodeExecve(_ records: [AuditRecord], into d: inout DecodedEvent) {
        var args: [Bytes?] = []
        var chunks: [(arg: Int, index: Int, raw: Bytes, quoted: Bool)] = []
        var argc: Int? = nil
        for r in records {
            r.bytes.withUnsafeBufferPointer { b in
                let raw = UnsafeRawBufferPointer(b)
                for i in 0..<r.count {
                    let f = FieldSpan(loading: raw, at: Int(r.tableOffset) + i * FieldSpan.size)
                    let ns = Int(f.nameStart), ne = Int(f.nameEnd)
                    guard ne - ns >= 2, b[ns] == UInt8(ascii: "a") else { continue }
                    if ne - ns == 4, b[ns + 1] == UInt8(ascii: "r"), b[ns + 2] == UInt8(ascii: "g"), b[ns + 3] == UInt8(ascii: "c") {
                        argc = Number.decimal(b, Int(f.valueStart), Int(f.valueEnd)).map { Int($0) }
                        continue
                    }
                    var k = ns + 1
                    var n = 0
                    while k < ne, b[k] &- 48 <= 9, n < 1_000_000 {
                        n = n * 10 + Int(b[k] &- 48)
                        k += 1
                    }
                    guard k > ns + 1 else { continue }
                    if k == ne {
                        if n >= args.count { args.append(contentsOf: repeatElement(nil, count: n - args.count + 1)) }
                        args[n] = r.value(at: i) ?? []
                    } else if b[k] == UInt8(ascii: "["), b[ne - 1] == UInt8(ascii: "]"),
                        let index = Number.decimal(b, k + 1, ne - 1)
                    {
                        chunks.append((n, Int(index), r.rawValue(at: i), f.quoting != .none))
                    }
                }
            }
        }
        if !chunks.isEmpty {
            chunks.sort { ($0.arg, $0.index) < ($1.arg, $1.index) }
            var start = 0
            while start < chunks.count {
                var end = start
                while end < chunks.count, chunks[end].arg == chunks[start].arg { end += 1 }
                let parts = chunks[start..<end]
                let joined: [UInt8]
                if parts.allSatisfy({ !$0.quoted }) {
                    let raw = parts.flatMap { $0.raw }
                    joined = Hex.decode(raw) ?? raw
                } else {
                    joined = parts.flatMap { $0.quoted ? Array($0.raw) : (Hex.decode($0.raw) ?? Array($0.raw)) }
                }
                let n = chunks[start].arg
                if n >= args.count { args.append(contentsOf: repeatElement(nil, count: n - args.count + 1)) }
                args[n] = joined[...]
                start = end
            }
        }
        // argc is text in the record: a forged `argc=80000000000000000` must not size an allocation (found by
        // libFuzzer). Audit logs at most a few thousand items per event; missing ones are padded up to this cap.
        let count = max(min(argc ?? 0, 1 << 16), args.count)
        d.argc = argc
        var argv: [Bytes] = []
        argv.reserveCapacity(count)
        for i in 0..<count { argv.append((i < args.count ? args[i] : nil) ?? []) }
        d.argv = argv
    }

    static func splitNUL(_ v: Bytes) -> [Bytes] {
        var parts: [Bytes] = []
        parts.reserveCapacity(v.count(where: { $0 == 0 }) + 1)
        var start = v.startIndex
        var i = start
        while i < v.endIndex {
            if v[i] == 0 {
                parts.append(v[start..<i])
                start = i + 1
            }
            i += 1
        }
        if start < v.endIndex { parts.append(v[start..<v.endIndex]) }
        while parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }
}
