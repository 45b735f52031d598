#if canImport(Glibc)
import Glibc
#endif

/// Vigil's state (file-source offsets, baselines, spools) says what is monitored and how: only root reads it.
public enum StateDirectory {
    /// Creates the directory (and parents) 0700, or tightens an existing one to 0700, logging what it changed.
    public static func prepare(_ path: String) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                DaemonLog.write("state_dir \(path): mkdir \(prefix): \(String(cString: strerror(errno)))")
                return
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        if info.st_mode & 0o077 != 0 {
            if chmod(path, 0o700) == 0 {
                DaemonLog.write("state_dir \(path): mode tightened to 0700")
            } else {
                DaemonLog.write("state_dir \(path): cannot chmod 0700: \(String(cString: strerror(errno)))")
            }
        }
    }
}
