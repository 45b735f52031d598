import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a unix socket, as the kernel recorded it when the peer called `connect`:
/// `SO_PEERCRED` (pid, uid, gid) and `SO_PEERGROUPS` (supplementary groups).
///
/// The kernel's record rather than a user-database lookup (`getgrouplist`): it is what the connecting process
/// actually holds (a process that dropped its groups, or never had them, is judged by what it has), it cannot
/// race with a pid being reused, and it needs no NSS call inside the daemon's seccomp filter.
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32]) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    /// `SO_PEERGROUPS` (Linux 4.13); Glibc's Swift module does not export the constant.
    static let peerGroupsOption: Int32 = 59

    public init?(socket fd: Int32) {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (Glibc's module hides it behind _GNU_SOURCE).
        var cred = [UInt32](repeating: 0, count: 3)
        var len = socklen_t(12)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0, len == 12 else { return nil }
        var groups = [UInt32](repeating: 0, count: 64)
        var glen = socklen_t(groups.count * MemoryLayout<UInt32>.size)
        if getsockopt(fd, SOL_SOCKET, Self.peerGroupsOption, &groups, &glen) != 0 {
            if errno == ERANGE, glen > 0 {
                groups = [UInt32](repeating: 0, count: Int(glen) / MemoryLayout<UInt32>.size)
                if getsockopt(fd, SOL_SOCKET, Self.peerGroupsOption, &groups, &glen) != 0 { glen = 0 }
            } else {
                glen = 0
            }
        }
        self.init(
            pid: Int32(bitPattern: cred[0]), uid: cred[1], gid: cred[2],
            groups: Array(groups.prefix(Int(glen) / MemoryLayout<UInt32>.size)))
    }
}

/// Who may use the control socket: root, and members (primary or supplementary group) of one configured group.
public struct ControlAccess: Sendable, Equatable {
    /// The group besides root; nil for root only.
    public var gid: UInt32?
    /// Its name, for messages.
    public var groupName: String

    public init(gid: UInt32?, groupName: String) {
        self.gid = gid
        self.groupName = groupName
    }

    /// Resolves a group name or number (empty: root only).
    public init(group: String) throws(TailProtocolError) {
        if group.isEmpty {
            self.init(gid: nil, groupName: "")
            return
        }
        if let n = UInt32(group) {
            self.init(gid: n, groupName: group)
            return
        }
        guard let entry = getgrnam(group) else { throw TailProtocolError(message: "control.group '\(group)' is not a group of this system") }
        self.init(gid: entry.pointee.gr_gid, groupName: group)
    }

    public func permits(_ peer: PeerCredentials) -> Bool {
        if peer.uid == 0 { return true }
        guard let gid else { return false }
        return peer.gid == gid || peer.groups.contains(gid)
    }

    /// The one line a refused peer reads before the daemon closes the connection.
    public func refusal(_ peer: PeerCredentials) -> String {
        let who = gid.map { "root and members of group '\(groupName)' (gid \($0))" } ?? "root"
        return "permission denied: uid \(peer.uid) (gid \(peer.gid)) may not use the Vigil control socket; only \(who) may"
    }
}
