import RuleEngine

/// The Falco fields Vigil extracts from audit events, resolved once from the registry's field ids.
public enum AuditField: Sendable {
    case evtType, evtNum, evtDir, evtSource, evtHostname, evtRawTime, evtRawTimeS, evtRawTimeNs, evtTime, evtDatetime
    case evtTimeS, evtDatetimeS
    case evtTimeISO, evtRes, evtRawRes, evtFailed, evtArg, evtIsOpenRead, evtIsOpenWrite, evtIsOpenCreate, evtIsOpenExec
    case procPid, procPpid, procName, procExe, procExePath, procArgs, procCmdline, procCmdNArgs, procCwd, procTty
    case procDuration, procPname, procPexe, procPexePath, procPcmdline, procAname, procAexe, procAexePath
    case procAcmdline, procApid, procIsExeFromMemfd, procIsExeUpperLayer, procEnv, procExeline, procCmdLenArgs
    case procVpid, procPvpid, threadVtid
    case threadTid, threadCapEffective, threadCapPermitted
    case userUid, userLoginUid, userName, userLoginName, userHomedir, userShell, groupGid, groupName
    case fdName, fdNameRaw, fdDirectory, fdFilename, fdTypeChar, fdType, fdIno, fdSip, fdRip, fdIp, fdSport, fdRport
    case fdPort, fdSockFamily, fdL4proto, fdCip, fdCport, fdLip, fdLport, fdNet, fdSnet, fdRnet, fdCnet, fdLnet
    case fdIsServer, fdNum, fdDev, fdDevMajor, fdDevMinor
    case fsPathName, fsPathNameRaw, fsPathSource, fsPathSourceRaw, fsPathTarget, fsPathTargetRaw
    case containerID, containerFullID, containerName, containerImage, containerImageRepository, containerImageTag
    case containerImageDigest, containerImageID, containerType, containerStartTs, containerDuration, containerPrivileged, containerLabel
    case containerMounts, containerMount, containerMountSource, containerMountDest, containerMountMode
    case containerMountReadWrite, containerMountPropagation
    case k8sPodName, k8sNamespace, k8sPodUID, k8sPodSandboxID, k8sPodFullSandboxID

    static let byName: [String: AuditField] = [
        "evt.type": .evtType, "syscall.type": .evtType, "evt.num": .evtNum, "evt.dir": .evtDir,
        "evt.source": .evtSource, "evt.hostname": .evtHostname, "evt.rawtime": .evtRawTime,
        "evt.rawtime.s": .evtRawTimeS, "evt.rawtime.ns": .evtRawTimeNs, "evt.time": .evtTime,
        "evt.datetime": .evtDatetime, "evt.time.s": .evtTimeS, "evt.datetime.s": .evtDatetimeS, "evt.time.iso8601": .evtTimeISO, "evt.res": .evtRes, "evt.rawres": .evtRawRes,
        "evt.failed": .evtFailed, "evt.arg": .evtArg, "evt.is_open_read": .evtIsOpenRead,
        "evt.is_open_write": .evtIsOpenWrite, "evt.is_open_create": .evtIsOpenCreate,
        "evt.is_open_exec": .evtIsOpenExec,
        "proc.pid": .procPid, "proc.ppid": .procPpid, "proc.name": .procName, "proc.exe": .procExe,
        "proc.exepath": .procExePath, "proc.args": .procArgs, "proc.cmdline": .procCmdline,
        "proc.cmdnargs": .procCmdNArgs, "proc.cwd": .procCwd, "proc.tty": .procTty, "proc.duration": .procDuration,
        "proc.pname": .procPname, "proc.pexe": .procPexe, "proc.pexepath": .procPexePath,
        "proc.pcmdline": .procPcmdline, "proc.aname": .procAname, "proc.aexe": .procAexe,
        "proc.aexepath": .procAexePath, "proc.acmdline": .procAcmdline, "proc.apid": .procApid,
        "proc.is_exe_from_memfd": .procIsExeFromMemfd, "proc.is_exe_upper_layer": .procIsExeUpperLayer,
        "proc.env": .procEnv, "proc.exeline": .procExeline, "proc.cmdlenargs": .procCmdLenArgs,
        "proc.vpid": .procVpid, "proc.pvpid": .procPvpid, "thread.vtid": .threadVtid, "thread.tid": .threadTid, "thread.cap_effective": .threadCapEffective,
        "thread.cap_permitted": .threadCapPermitted, "user.uid": .userUid, "user.loginuid": .userLoginUid,
        "user.name": .userName, "user.loginname": .userLoginName, "user.homedir": .userHomedir,
        "user.shell": .userShell, "group.gid": .groupGid, "group.name": .groupName,
        "fd.name": .fdName, "fd.nameraw": .fdNameRaw, "fd.directory": .fdDirectory, "fd.filename": .fdFilename,
        "fd.typechar": .fdTypeChar, "fd.type": .fdType, "fd.ino": .fdIno, "fd.sip": .fdSip, "fd.rip": .fdRip,
        "fd.ip": .fdIp, "fd.sport": .fdSport, "fd.rport": .fdRport, "fd.port": .fdPort,
        "fd.sockfamily": .fdSockFamily, "fd.l4proto": .fdL4proto, "fd.cip": .fdCip, "fd.cport": .fdCport,
        "fd.lip": .fdLip, "fd.lport": .fdLport, "fd.net": .fdNet, "fd.snet": .fdSnet, "fd.rnet": .fdRnet,
        "fd.cnet": .fdCnet, "fd.lnet": .fdLnet, "fd.is_server": .fdIsServer, "fd.num": .fdNum,
        "fd.dev": .fdDev, "fd.dev.major": .fdDevMajor, "fd.dev.minor": .fdDevMinor,
        "fs.path.name": .fsPathName, "fs.path.nameraw": .fsPathNameRaw, "fs.path.source": .fsPathSource,
        "fs.path.sourceraw": .fsPathSourceRaw, "fs.path.target": .fsPathTarget, "fs.path.targetraw": .fsPathTargetRaw,
        "container.id": .containerID, "container.full_id": .containerFullID, "container.name": .containerName,
        "container.image": .containerImage, "container.image.repository": .containerImageRepository,
        "container.image.tag": .containerImageTag, "container.image.digest": .containerImageDigest,
        "container.image.id": .containerImageID, "container.start_ts": .containerStartTs,
        "container.duration": .containerDuration,
        "container.type": .containerType, "container.privileged": .containerPrivileged,
        "container.label": .containerLabel, "container.mounts": .containerMounts, "container.mount": .containerMount,
        "container.mount.source": .containerMountSource, "container.mount.dest": .containerMountDest,
        "container.mount.mode": .containerMountMode, "container.mount.rdwr": .containerMountReadWrite,
        "container.mount.propagation": .containerMountPropagation, "k8s.pod.name": .k8sPodName, "k8s.ns.name": .k8sNamespace,
        "k8s.pod.uid": .k8sPodUID, "k8s.pod.id": .k8sPodUID, "k8s.pod.sandbox_id": .k8sPodSandboxID,
        "k8s.pod.full_sandbox_id": .k8sPodFullSandboxID,
    ]

    /// Whether Vigil extracts a registered field at all: the others load (Falco's rules name them) and are always
    /// missing, which `vigil rules fields` says.
    public static func isExtracted(_ name: String) -> Bool { byName[name] != nil }

    public static var extractedNames: [String] { byName.keys.sorted() }
}

/// FieldID → AuditField, an array lookup per extraction.
public struct AuditFieldMap: Sendable {
    private let table: [AuditField?]

    public init(registry: FieldRegistry = .standard) {
        var t = [AuditField?](repeating: nil, count: registry.definitions.count)
        for (i, def) in registry.definitions.enumerated() { t[i] = AuditField.byName[def.name] }
        table = t
    }

    func field(_ id: FieldID) -> AuditField? {
        let i = Int(id.rawValue)
        return i < table.count ? table[i] : nil
    }
}
