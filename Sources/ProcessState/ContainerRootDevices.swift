import AuditStream

#if canImport(Glibc)
import Glibc
#endif

/// Which container a filesystem device is the root of (an overlay rootfs has a device of its own), learned from
/// live container processes (`/proc/PID/root`). It attributes a process that was gone before its cgroup could be read
/// — what `runc exec CTR cat /etc/shadow` leaves: runc's init joins the container and execs `cat`, which may exit
/// before the daemon handles the exec, and its parent is the host's `runc`. The exec's PATH record names the
/// executable's device: if that device is one container's root, the process ran in that container.
///
/// A device seen as the root of the host, or of two containers when it is a block device (rootfs directories on a
/// shared filesystem), is ambiguous and never used. An anonymous device (major 0: overlay, tmpfs) belongs to one
/// mount at a time; its number is reused once that mount is gone, so the newest container seen on it owns it.
struct ContainerRootDevices {
    enum Owner: Equatable {
        case container(ContainerIdentity)
        case ambiguous
    }

    private(set) var owners: [UInt64: Owner] = [:]
    /// Containers whose root was already looked at, with the process it was read from: a process of the container
    /// that sees its mounts, for questions about a process of it that is already gone (its executable's layer).
    private var known: [ContainerIdentity: Int64] = [:]
    let capacity: Int

    /// `hostRoots`: the devices of the host's root (this daemon's `/`, and pid 1's where readable).
    init(capacity: Int = 8_192, hostRoots: [UInt64]) {
        self.capacity = capacity
        for device in hostRoots { owners[device] = .ambiguous }
    }

    /// `major << 32 | minor`, the form both `stat` and the PATH record's `dev=MM:mm` reduce to.
    static func key(major: UInt32, minor: UInt32) -> UInt64 { UInt64(major) << 32 | UInt64(minor) }

    /// The device of `path` (following links, as `/proc/PID/root` must be).
    static func device(of path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        // glibc's dev_t layout (gnu_dev_major / gnu_dev_minor, macros Swift does not import).
        let dev = UInt64(st.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        return key(major: UInt32(truncatingIfNeeded: major), minor: UInt32(truncatingIfNeeded: minor))
    }

    /// `dev=` of a PATH record: hexadecimal `major:minor`.
    static func device(fromAudit text: Bytes) -> UInt64? {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")),
            let major = Number.hex(text[text.startIndex..<colon]), let minor = Number.hex(text[(colon + 1)...]),
            major <= UInt32.max, minor <= UInt32.max
        else { return nil }
        return key(major: UInt32(major), minor: UInt32(minor))
    }

    /// Whether the root of `container` still needs to be looked at.
    func needsRoot(of container: ContainerIdentity) -> Bool { known[container] == nil }

    /// The process `container`'s root was learned from (it may have exited since).
    func witness(of container: ContainerIdentity) -> Int64? { known[container] }

    /// A container process whose root is still the host's (runc's init before pivot_root) teaches nothing: the
    /// container is looked at again with its next process.
    mutating func learn(root device: UInt64, of container: ContainerIdentity, from pid: Int64 = 0) {
        if owners[device] == .ambiguous { return }
        known[container] = pid
        if owners.count >= capacity {
            owners = owners.filter { $0.value == .ambiguous }
            known = [:]
        }
        switch owners[device] {
        case nil: owners[device] = .container(container)
        case .container(let other) where other != container:
            owners[device] = device >> 32 == 0 ? .container(container) : .ambiguous
        default: break
        }
    }

    /// Drops a stale entry (its container's root is no longer on that device); the container is learned again.
    mutating func forget(_ device: UInt64, of container: ContainerIdentity) {
        if owners[device] == .container(container) { owners[device] = nil }
        known[container] = nil
    }

    func container(onDevice device: UInt64) -> ContainerIdentity? {
        if case .container(let c) = owners[device] { return c }
        return nil
    }
}
