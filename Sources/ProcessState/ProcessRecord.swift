import AuditStream

/// One process as the shadow table knows it.
///
/// A class because children hold their parent *by reference*: a process whose parent exited (and left the pid
/// table) keeps the ancestry it had, and a pid reused by a new process never rewrites an old process's ancestors.
/// Mutable while the process lives (exec changes its image in place, so its children see the current parent, as in
/// Falco); an exited record is never changed again.
final class ProcessRecord {
    let pid: Int64
    var ppid: Int64?
    private(set) var parent: ProcessRecord?
    /// An upper bound of the number of ancestors reachable through `parent` (see `ProcessTable.attach`).
    private(set) var depth = 0

    var comm: Bytes?
    var exePath: Bytes?
    var argv: [Bytes]?
    var cwd: Bytes?
    var startMillis: Int64?
    /// /proc starttime (clock ticks since boot): identifies the process across pid reuse (live only).
    var startTicks: UInt64?
    /// The pid inside the process's own pid namespace (`proc.vpid`), from /proc `NSpid`; nil until read.
    var vpid: Int64?
    var container: ContainerIdentity?
    var accounts: AccountDatabase?
    var capEffective: UInt64?
    var capPermitted: UInt64?
    var exeUpperLayer: Bool?
    /// Live: capabilities, account database and overlay check have been read for the current image.
    var detailsLoaded = false
    var exitedMillis: Int64?
    var lastSeenMillis: Int64
    var verifiedMillis: Int64
    var fds = FDTable()

    // Table membership and recency list (owned by ProcessTable).
    var inTable = false
    var newer: ProcessRecord?
    var older: ProcessRecord?

    private let counter: RecordCounter

    init(pid: Int64, now: Int64, counter: RecordCounter) {
        self.pid = pid
        lastSeenMillis = now
        verifiedMillis = now
        self.counter = counter
        counter.live += 1
    }

    deinit { counter.live -= 1 }

    func setParent(_ p: ProcessRecord?) {
        parent = p
        depth = p.map { $0.depth + 1 } ?? 0
    }

    /// Copies the image (what a forked child shares with its parent until it execs).
    func inheritImage(from p: ProcessRecord) {
        comm = p.comm
        exePath = p.exePath
        argv = p.argv
        cwd = p.cwd
        container = p.container
        accounts = p.accounts
        capEffective = p.capEffective
        capPermitted = p.capPermitted
        exeUpperLayer = p.exeUpperLayer
        fds = p.fds
    }

    /// A frozen copy of this record and `levels - 1` of its ancestors, detached from any table.
    func frozenChain(levels: Int) -> ProcessRecord {
        var chain: [ProcessRecord] = []
        var cursor: ProcessRecord? = self
        while let c = cursor, chain.count < max(1, levels) {
            let copy = ProcessRecord(pid: c.pid, now: c.lastSeenMillis, counter: counter)
            copy.ppid = c.ppid
            copy.inheritImage(from: c)
            copy.fds = FDTable()
            copy.startMillis = c.startMillis
            copy.startTicks = c.startTicks
            copy.exitedMillis = c.exitedMillis
            chain.append(copy)
            cursor = c.parent
        }
        for i in stride(from: chain.count - 1, to: 0, by: -1) { chain[i - 1].setParent(chain[i]) }
        return chain[0]
    }

    func summary() -> ProcessSummary { ProcessSummary(pid: pid, name: comm, argv: argv, exePath: exePath, vpid: vpid) }
}

/// Counts ProcessRecord instances alive (in the table or kept as someone's ancestor): the memory bound, measured.
final class RecordCounter {
    var live = 0
}

/// A process's open fds as learned from audited syscalls (open*, socket, accept, dup*, close), bounded per process.
struct FDTable {
    static let capacity = 64
    private(set) var entries: [Int64: FDEntry] = [:]

    subscript(fd: Int64) -> FDEntry? {
        get { entries[fd] }
        set {
            if let newValue {
                if entries[fd] == nil, entries.count >= Self.capacity, let victim = entries.keys.first {
                    entries.removeValue(forKey: victim)
                }
                entries[fd] = newValue
            } else {
                entries.removeValue(forKey: fd)
            }
        }
    }
}

struct FDEntry {
    var type: FileDescriptorType
    var name: Bytes?
    var inode: Int64?
    var dev: UInt32?
    var l4proto: String?
    var local: SocketEndpoint?
    var remote: SocketEndpoint?
    var isServer: Bool?
}

extension Bytes {
    /// A copy that owns exactly its bytes: long-lived state must not keep a whole record line alive.
    var compacted: Bytes { Bytes(Array(self)) }
}
