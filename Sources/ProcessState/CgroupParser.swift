/// Finds the container of a process in the text of /proc/PID/cgroup.
///
/// The id is matched in any path component of any hierarchy, not by whole-path patterns: nested runtimes and cgroup
/// v1 memory lines carry the caller's prefix (`/process_api/<hex>/system.slice/docker-<id>.scope`), and a runtime may
/// be configured with any cgroup parent. Conmon's own scopes (`crio-conmon-<id>`, `libpod-conmon-<id>`) are the
/// runtime's monitor on the host, not the container.
public enum CgroupParser {
    /// nil when the text has no cgroup line at all (a process caught while exiting): unknown, not the host.
    public static func container(inCgroupFile text: some Collection<UInt8>) -> ContainerIdentity? {
        var fallback: ContainerIdentity? = nil
        var lines = 0
        for line in text.split(separator: 10) {
            // hierarchy-ID:controller-list:path — the path may itself contain ':'.
            let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].first == UInt8(ascii: "/") else { continue }
            lines += 1
            if let found = container(inPath: String(decoding: parts[2], as: UTF8.self)) {
                if found.runtime != .unknown { return found }
                if fallback == nil { fallback = found }
            }
        }
        guard lines > 0 else { return nil }
        return fallback ?? .host
    }

    /// The container named by one cgroup path, or nil.
    public static func container(inPath path: String) -> ContainerIdentity? {
        let components = path.split(separator: "/").map(String.init)
        var podUID: String? = nil
        for c in components { if let uid = podUIDFrom(component: c) { podUID = uid } }
        for (i, raw) in components.enumerated().reversed() {
            var c = Substring(raw)
            if c.hasSuffix(".scope") { c = c.dropLast(6) }
            let prefixes: [(String, ContainerIdentity.Runtime)] = [
                ("docker-", .docker), ("cri-containerd-", .containerd), ("crio-", .crio), ("libpod-", .podman),
            ]
            for (prefix, runtime) in prefixes where c.hasPrefix(prefix) {
                let id = c.dropFirst(prefix.count)
                if isFullID(id) { return ContainerIdentity(runtime: runtime, fullID: String(id), podUID: podUID) }
            }
            if isFullID(c) {
                let parent = i > 0 ? components[i - 1] : ""
                if parent == "docker" { return ContainerIdentity(runtime: .docker, fullID: String(c)) }
                if podUID != nil, parent.hasPrefix("pod") {
                    return ContainerIdentity(runtime: .cri, fullID: String(c), podUID: podUID)
                }
                return ContainerIdentity(runtime: .unknown, fullID: String(c), podUID: podUID)
            }
        }
        return nil
    }

    /// `pod<uid>` (cgroupfs) or `kubepods-<qos>-pod<uid_with_underscores>.slice` / `kubepods-pod<uid>.slice` (systemd).
    static func podUIDFrom(component c: String) -> String? {
        var s = Substring(c)
        if s.hasPrefix("kubepods"), s.hasSuffix(".slice") {
            s = s.dropLast(6)
            guard let r = s.firstRange(of: "-pod") else { return nil }
            s = s[r.upperBound...]
        } else if s.hasPrefix("pod") {
            s = s.dropFirst(3)
        } else {
            return nil
        }
        let uid = s.replacingOccurrences(of: "_", with: "-")
        return isUUID(uid) ? uid : nil
    }

    static func isFullID(_ s: Substring) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    static func isUUID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
                return false
            }
        }
        return true
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of a: Character, with b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}
