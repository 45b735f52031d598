import ArgumentParser
import VigilDaemon

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Runtime security monitoring for container hosts, fed by the kernel audit stream.",
        version: "0.1.0",
        subcommands: [
            Run.self, Status.self, Tail.self, Replay.self, Rules.self, AlertsCommand.self, SeccompProbe.self, BaselineCommand.self,
            SeccompCommand.self,
        ]
    )

    /// As argument-parser's own async main, after blocking the daemon's signals for `vigil run` while this is
    /// still the only thread (see `SignalChannel.blockDaemonSignals`).
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "run" { SignalChannel.blockDaemonSignals() }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
