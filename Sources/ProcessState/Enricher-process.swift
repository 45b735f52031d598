import AuditStream

extension Enricher {
    // MARK: finding the process of an event

    /// The record of the process that made the event: the table's, unless the pid now belongs to another process;
    /// else a forked child's (from its fork hint), else read from /proc (live), else built from the event.
    func process(pid: Int64, event d: DecodedEvent, now: Int64) -> ProcessRecord {
        if let hint = table.takeHint(child: pid) {
            if d.process.ppid == nil || d.process.ppid == hint.parentPid {
                if let old = table[pid], old !== hint.parent {
                    table.remove(old)
                    stats.pidReuses += 1
                }
                let r = ProcessRecord(pid: pid, now: now, counter: table.counter)
                r.ppid = hint.parentPid
                r.inheritImage(from: hint.parent)
                r.startMillis = hint.millis
                table.attach(r, to: hint.parent)
                if let proc, let st = proc.stat(pid), st.ppid == hint.parentPid { r.startTicks = st.startTicks }
                table.insert(r)
                return r
            }
        }
        if let r = table[pid] {
            if isSameProcess(r, d, now: now) {
                table.touch(r, now: now)
                return r
            }
            table.remove(r)
            stats.pidReuses += 1
        }
        // The event's ppid is the parent at the time of the call; /proc's may already be a reaper the process was
        // handed to when its parent exited (busybox httpd's connection child exits while its CGI still runs).
        if let r = recordFromProc(pid, now: now, parentPid: d.process.ppid) { return r }
        let r = ProcessRecord(pid: pid, now: now, counter: table.counter)
        r.ppid = d.process.ppid
        r.comm = d.process.comm?.compacted
        r.exePath = d.process.exe?.compacted
        r.cwd = d.cwd?.compacted
        let parent = d.process.ppid.flatMap { parentRecord($0, now: now) }
        table.attach(r, to: parent)
        if proc != nil, let parent {
            // /proc is already gone: the child is where its parent is.
            r.container = parent.container
            r.accounts = parent.accounts
        }
        table.insert(r)
        return r
    }

    /// Whether a table record still describes the process an event comes from.
    func isSameProcess(_ r: ProcessRecord, _ d: DecodedEvent, now: Int64) -> Bool {
        // exit_group is a process's last syscall: a later event on its pid is another process.
        if let exited = r.exitedMillis, now > exited { return false }
        if let p = d.process.ppid, let known = r.ppid, p != known {
            // A changed ppid is either a reparenting (the parent exited: keep the ancestry it had) or a new process
            // on a reused pid.
            let same: Bool
            if let proc, let ticks = r.startTicks, let st = proc.stat(r.pid) {
                same = st.startTicks == ticks
            } else if let parent = r.parent, parent.exitedMillis == nil, parent.inTable, table[parent.pid] === parent,
                isAlive(parent)
            {
                // The parent seems to live on, so this is no orphan — unless it runs the very same image (a parent
                // killed unseen; replay cannot tell).
                same = d.process.exe != nil && d.process.exe == r.exePath
            } else {
                same = true
            }
            guard same else { return false }
            r.ppid = p
            r.verifiedMillis = now
        }
        if let proc, let ticks = r.startTicks, now - r.verifiedMillis >= configuration.verifyAfterMillis {
            r.verifiedMillis = now
            if let st = proc.stat(r.pid), st.startTicks != ticks { return false }
        }
        return true
    }

    /// Live: the process still runs (same start time); replay: no way to know, assume it does.
    func isAlive(_ r: ProcessRecord) -> Bool {
        guard let proc else { return true }
        guard let st = proc.stat(r.pid) else { return false }
        return r.startTicks == nil || st.startTicks == r.startTicks
    }

    // MARK: /proc

    /// Reads a process (and, when missing from the table, its ancestors) from /proc and puts it in the table.
    @discardableResult
    /// `parentPid`: the parent an audit event names, which wins over /proc's (a reaper after a reparenting).
    func recordFromProc(_ pid: Int64, now: Int64, depth: Int = 0, parentPid: Int64? = nil) -> ProcessRecord? {
        guard pid > 0, let r = readProc(pid, now: now) else { return nil }
        stats.readFromProc += 1
        if let parentPid { r.ppid = parentPid }
        var parent: ProcessRecord? = nil
        if let ppid = r.ppid, ppid > 0 { parent = parentRecord(ppid, now: now, depth: depth + 1) }
        table.attach(r, to: parent)
        loadLiveDetails(r, now: now)
        table.insert(r)
        return r
    }

    /// The parent of a process first seen now: the table's; else a process forked but never seen itself (its
    /// fork was audited, it made no audited call of its own and may be gone — busybox httpd's per-connection
    /// child between the server and a CGI), which is a copy of the process that forked it; else read from /proc.
    func parentRecord(_ ppid: Int64, now: Int64, depth: Int = 0) -> ProcessRecord? {
        guard ppid > 0 else { return nil }
        if let known = table[ppid] { return known }
        if let hint = table.takeHint(child: ppid) {
            let r = ProcessRecord(pid: ppid, now: now, counter: table.counter)
            r.ppid = hint.parentPid
            r.inheritImage(from: hint.parent)
            r.startMillis = hint.millis
            table.attach(r, to: hint.parent)
            table.insert(r)
            return r
        }
        return depth < 64 ? recordFromProc(ppid, now: now, depth: depth) : nil
    }

    /// One process's /proc entries, unlinked.
    func readProc(_ pid: Int64, now: Int64) -> ProcessRecord? {
        guard let proc, let st = proc.stat(pid) else { return nil }
        let r = ProcessRecord(pid: pid, now: now, counter: table.counter)
        r.ppid = st.ppid
        r.comm = Bytes(st.comm)
        r.startTicks = st.startTicks
        r.startMillis = proc.startMillis(ticks: st.startTicks)
        r.argv = proc.cmdline(pid)
        r.exePath = proc.exe(pid).map { Bytes($0) }
        r.cwd = proc.cwd(pid).map { Bytes($0) }
        if let cg = proc.cgroup(pid), let c = CgroupParser.container(inCgroupFile: cg) { r.container = c }
        // A parent met only through /proc (no event of its own yet) still answers its child's proc.pvpid.
        r.vpid = proc.status(pid)?.nsPids.last
        return r
    }

    /// Capabilities, the account database of the process's root and the overlay check of its executable: read
    /// when a process is first used and after each exec or credential change.
    func loadLiveDetails(_ r: ProcessRecord, now: Int64) {
        guard let proc else { return }
        r.detailsLoaded = true
        if let s = proc.status(r.pid) {
            r.capEffective = s.capEffective
            r.capPermitted = s.capPermitted
            // A pid does not change namespace; a kernel without NSpid (before 4.1) leaves it missing.
            if let own = s.nsPids.last { r.vpid = own }
        }
        if let db = accounts?.database(rootPath: proc.rootPath(r.pid), now: now) { r.accounts = db }
        learnRootDevice(from: r)
        if let exe = r.exePath, let mounts {
            r.exeUpperLayer = mounts.isUpperLayer(pid: r.pid, path: exe, proc: proc)
            // Gone already (a dropped binary that exits at once): the file is still where it was; ask through a
            // process of the same container that still sees its mounts — the parent, else the one its root was
            // learned from.
            if r.exeUpperLayer == nil, let c = r.container, !c.isHost {
                for other in [r.parent?.container == c ? r.parent?.pid : nil, rootDevices.witness(of: c)] {
                    guard let other, other != r.pid, r.exeUpperLayer == nil else { continue }
                    r.exeUpperLayer = mounts.isUpperLayer(pid: other, path: exe, proc: proc)
                }
            }
        }
    }

    /// Live start-up: every process of /proc, linked to its parent (oldest first, so parents are linked before
    /// their children).
    func seedFromProc() {
        guard let proc else { return }
        // Seeded records count as least recently seen until an event touches them.
        let now: Int64 = 0
        var records: [ProcessRecord] = []
        for pid in proc.pids() {
            if let r = readProc(pid, now: now) { records.append(r) }
        }
        records.sort { ($0.startTicks ?? 0, $0.pid) < ($1.startTicks ?? 0, $1.pid) }
        var byPid: [Int64: ProcessRecord] = [:]
        for r in records { byPid[r.pid] = r }
        for r in records {
            table.attach(r, to: r.ppid.flatMap { byPid[$0] })
            table.insert(r)
            // The root device of every container already running: a short-lived `runc exec` into it (gone before
            // its /proc can be read) is placed by that device, and none of the container's own processes may make
            // an event before it does.
            learnRootDevice(from: r)
        }
        stats.seeded = records.count
    }

    /// The root device of `r`'s container, from the process's root, when that container's is not known yet.
    func learnRootDevice(from r: ProcessRecord) {
        guard let proc, let c = r.container, !c.isHost, rootDevices.needsRoot(of: c),
            let device = ContainerRootDevices.device(of: proc.rootPath(r.pid))
        else { return }
        rootDevices.learn(root: device, of: c, from: r.pid)
    }

    // MARK: changes from events

    /// execve/execveat succeeded: the process has a new image (same pid, same parent).
    func applyExec(_ r: ProcessRecord, _ d: DecodedEvent, now: Int64) {
        r.comm = d.process.comm?.compacted ?? r.comm
        r.exePath = d.process.exe?.compacted
        r.argv = (d.argv ?? d.proctitle)?.map(\.compacted)
        if let cwd = d.cwd { r.cwd = cwd.compacted }
        if r.startMillis == nil { r.startMillis = now }
        // What exec may have changed is unknown until read again — unless the kernel logged it (BPRM_FCAPS, also in
        // a recorded log); live, /proc has the last word when the process is still there.
        r.capEffective = d.execCapabilities?.effective
        r.capPermitted = d.execCapabilities?.permitted
        if let proc {
            if let cg = proc.cgroup(r.pid) {
                if let c = CgroupParser.container(inCgroupFile: cg) { r.container = c }
            } else if let c = containerOfExecutable(d), c != r.container {
                // Gone already (`runc exec CTR cmd` exits fast): its parent, the host's runc, says nothing of where
                // it ran; the device its executable lives on does.
                r.container = c
                stats.attributedByDevice += 1
            }
            if r.startTicks == nil, let st = proc.stat(r.pid) { r.startTicks = st.startTicks }
            r.exeUpperLayer = nil
            loadLiveDetails(r, now: now)
        }
    }

    /// The container whose root filesystem holds the exec'd file (the exec's first PATH item), if one does.
    func containerOfExecutable(_ d: DecodedEvent) -> ContainerIdentity? {
        guard let item = d.paths.first(where: { $0.item == 0 }) ?? d.paths.first, let dev = item.dev,
            let device = ContainerRootDevices.device(fromAudit: dev), let c = rootDevices.container(onDevice: device)
        else { return nil }
        // An anonymous device number is reused once its mount is gone: the entry holds while the process it was
        // learned from still has that root (a process already gone cannot say either way).
        if let proc, let witness = rootDevices.witness(of: c), witness > 0,
            let current = ContainerRootDevices.device(of: proc.rootPath(witness)), current != device
        {
            rootDevices.forget(device, of: c)
            return nil
        }
        return c
    }

    /// Any other event of a known process.
    func observe(_ r: ProcessRecord, _ d: DecodedEvent, now: Int64) {
        if let cwd = d.cwd { r.cwd = cwd.compacted }
        if let exe = d.process.exe, let known = r.exePath, exe != known {
            // The image changed without an audited exec: what was known of it is stale.
            r.exePath = exe.compacted
            r.argv = proc?.cmdline(r.pid)
            r.comm = d.process.comm?.compacted ?? r.comm
            r.exeUpperLayer = nil
            if proc != nil { loadLiveDetails(r, now: now) }
        } else if r.exePath == nil, let exe = d.process.exe {
            r.exePath = exe.compacted
        }
        if r.comm == nil { r.comm = d.process.comm?.compacted }
    }

    func applyAfter(
        call: SyscallKind, succeeded: Bool, d: DecodedEvent, record r: ProcessRecord, paths: [ResolvedPath], now: Int64
    ) {
        switch call {
        case .fork:
            guard succeeded, let child = d.syscall?.exit, child > 0 else { return }
            // clone(CLONE_THREAD) makes a thread, not a process (x86_64/arm64/i386 pass the flags in a0).
            if d.syscall?.name == "clone", d.syscall?.archName != "s390x", let flags = d.syscall?.args.first,
                flags & 0x10000 != 0
            {
                return
            }
            if let seen = table[child], seen.ppid == r.pid, seen.exitedMillis == nil {
                // The child ran — and may have exec'd — before its parent's call returned (vfork always does so:
                // busybox httpd starts its CGIs that way). It is known already; a hint now would later replace its
                // record with a copy of the parent's image.
                if seen.parent == nil { table.attach(seen, to: r) }
                return
            }
            table.addHint(child: child, parent: r, now: now)
        case .exitGroup:
            table.markExited(r, now: now)
        case .chdir:
            if succeeded, let p = paths.first(where: { $0.name != nil })?.name { r.cwd = p.compacted }
        case .fchdir:
            if succeeded, let fd = d.syscall?.args.first, let e = r.fds[Int64(bitPattern: fd)],
                e.type == .directory || e.type == .file, let name = e.name
            {
                r.cwd = name
            }
        case .credentials:
            if succeeded, proc != nil { loadLiveDetails(r, now: now) }
        default:
            applyFDChange(call: call, succeeded: succeeded, d: d, record: r, paths: paths)
        }
    }

    // MARK: the view

    private static let memfdPrefix = Array("/memfd:".utf8)

    /// Built in one go: the event is a large value, and every later change to it was a copy of the whole.
    func view(
        event: AuditEvent, d: DecodedEvent, record r: ProcessRecord?, now: Int64, paths: [ResolvedPath] = [],
        fd: FileDescriptorView? = nil, exec: Bool = false
    ) -> EnrichedEvent {
        let p = d.process
        var pv = ProcessView(pid: p.pid)
        pv.ppid = p.ppid ?? r?.ppid
        pv.name = p.comm ?? r?.comm
        pv.argv = r?.argv
        pv.exePath = p.exe ?? r?.exePath
        pv.cwd = d.cwd ?? r?.cwd
        pv.ttyName = p.tty
        pv.tty = p.tty == nil && d.syscall == nil ? nil : TTYDevice.number(name: p.tty)
        pv.startMillis = r?.startMillis
        pv.vpid = r?.vpid
        pv.durationNanos = r?.startMillis.map { start in
            // Stamps are attacker-shaped text: a forged one far in the past or future must saturate, not trap.
            let (elapsed, overflow) = now.subtractingReportingOverflow(start)
            return overflow ? (now < start ? 0 : .max) : min(max(0, elapsed), Int64.max / 1_000_000) * 1_000_000
        }
        pv.auditSession = p.ses
        pv.uid = p.uid
        pv.gid = p.gid
        pv.euid = p.euid
        pv.egid = p.egid
        pv.suid = p.suid
        pv.sgid = p.sgid
        pv.fsuid = p.fsuid
        pv.fsgid = p.fsgid
        pv.capEffective = r?.capEffective
        pv.capPermitted = r?.capPermitted
        if let exe = pv.exePath { pv.isExeFromMemfd = exe.starts(with: Self.memfdPrefix) }
        pv.isExeUpperLayer = r?.exeUpperLayer

        var ancestors: [ProcessSummary] = []
        var cursor = r?.parent
        while let a = cursor, ancestors.count < configuration.maxAncestors {
            ancestors.append(a.summary())
            cursor = a.parent
        }

        var user = UserView(uid: p.euid ?? p.uid)
        var group = GroupView(gid: p.egid ?? p.gid)
        if let auid = p.auid { user.loginUID = auid == DecodedEvent.unsetID ? -1 : auid }
        if let db = r?.accounts {
            if let uid = user.uid, let u = db.user(uid) {
                user.name = u.name
                user.homedir = u.home
                user.shell = u.shell
            }
            if let gid = group.gid { group.name = db.groupName(gid) }
            if let auid = p.auid, auid != DecodedEvent.unsetID { user.loginName = db.user(auid)?.name }
        } else if proc == nil, event.records.contains(where: { $0.count > 0 && $0.field(at: $0.count - 1).enriched }) {
            // Replay: auditd's ENRICHED tail, resolved when the event was written on the recording host (a RAW
            // log has none: its events skip the five searches).
            user.name = Self.recordedName(event, "EUID") ?? Self.recordedName(event, "UID")
            group.name = Self.recordedName(event, "EGID") ?? Self.recordedName(event, "GID")
            user.loginName = Self.recordedName(event, "AUID")
        }

        var container: ContainerView? = nil
        if let identity = r?.container {
            container = ContainerView(identity: identity, metadata: containers?.metadata(for: identity, now: now, exec: exec))
        }
        return EnrichedEvent(
            event: d, timeMillis: now, process: pv, ancestors: ancestors, user: user, group: group, fd: fd,
            paths: paths, container: container)
    }

    /// A name auditd wrote in the ENRICHED tail of the event's first record carrying it; nil for `unknown(N)`.
    static func recordedName(_ event: AuditEvent, _ field: StaticString) -> String? {
        for rec in event.records {
            // Enriched fields follow the raw ones: a record whose last field is raw has none (every record of a
            // RAW log), and needs no search.
            guard rec.count > 0, rec.field(at: rec.count - 1).enriched else { continue }
            guard let i = rec.index(of: field), rec.fields[i].enriched, let v = rec.value(at: i) else { continue }
            let s = String(decoding: v, as: UTF8.self)
            if s.hasPrefix("unknown") || s == "unset" || s.isEmpty { return nil }
            return s
        }
        return nil
    }
}
