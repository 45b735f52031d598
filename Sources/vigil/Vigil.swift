import ArgumentParser

@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Runtime security monitoring for container hosts, fed by the kernel audit stream.",
        version: "0.1.0",
        subcommands: [Run.self, Status.self, Replay.self, Rules.self, SeccompProbe.self]
    )
}
