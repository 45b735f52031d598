#if canImport(Glibc)
import Glibc
#endif

/// Vigil's own diagnostics on standard error (journald captures them under systemd), one line each, with
/// attacker-controlled parts already escaped by the caller.
public enum DaemonLog {
    public static func write(_ message: String) {
        var line = "vigil: " + message
        // A diagnostic is one line whatever it quotes.
        line = String(line.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        line += "\n"
        _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}
