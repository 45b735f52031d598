import Foundation
import Testing
import VigilTestSupport

/// Ordinary container work for about a minute under every packaged rule: the false-positive count must be 0.
///
/// Two containers, started while `vigil run` is live (so the runtime's own start-up is part of the window):
/// - web (docker style): its entrypoint shell starts busybox httpd on a few static files and fetches them with
///   wget in a loop, with `ls`, `date`, `sleep` between; the test also runs an exec health probe into it every few
///   seconds (`runc exec CTR wget …`, what a Kubernetes exec probe does);
/// - build (podman style): a package-free build in a loop (copy sources, sed/awk/sort them, tar+gzip, sha256sum,
///   clean up) plus a cron-like job appending to its own log every 5 s.
@Suite(.serialized, .enabled(if: E2E.available, "needs root and ../shared/lab"), .liveVigil("Benign"))
struct BenignWorkloadTests {
    static let seconds = 60

    static let web = """
        mkdir -p /srv/www && cd /srv/www
        for i in 1 2 3 4 5; do echo "<html><body>page $i</body></html>" > page$i.html; done
        httpd -f -p 8080 -h /srv/www </dev/null >/dev/null 2>&1 &
        web=$!
        end=$(( $(date +%s) + \(seconds) ))
        while [ $(date +%s) -lt $end ]; do
          for i in 1 2 3 4 5; do wget -q -O /dev/null http://127.0.0.1:8080/page$i.html; done
          ls -l /srv/www >/dev/null
          date >/dev/null
          sleep 1
        done
        kill $web
        """

    static let build = """
        mkdir -p /src /build
        for i in 1 2 3 4 5 6 7 8; do seq 1 200 | sed "s/^/line $i /" > /src/module$i.txt; done
        end=$(( $(date +%s) + \(seconds) ))
        next=0
        while [ $(date +%s) -lt $end ]; do
          rm -rf /build/out && mkdir -p /build/out
          cp /src/*.txt /build/out/
          for f in /build/out/*.txt; do sed -e 's/line/LINE/' "$f" | awk '{print $2, $3}' | sort -n > "$f.sorted"; done
          tar -C /build -czf /build/out.tar.gz out
          sha256sum /build/out.tar.gz > /build/out.sha256
          now=$(date +%s)
          if [ $now -ge $next ]; then date >> /tmp/cron.log; find /tmp -name '*.tmp' -delete; next=$(( now + 5 )); fi
          sleep 1
        done
        """

    @Test func ordinaryContainerWorkRaisesNoAlert() throws {
        let session = try #require(E2ESession.current)
        let started = Date()
        let webC = try session.lab.run(
            name: "benign-web", style: .docker, image: "docker.io/library/busybox:1.35", command: ["sh", "-c", Self.web])
        let buildC = try session.lab.run(
            name: "benign-build", style: .podman, image: "docker.io/library/busybox:1.35", command: ["sh", "-c", Self.build])
        defer {
            session.lab.remove(webC)
            session.lab.remove(buildC)
        }
        // Exec health probes into the web container while both run.
        var probes = 0
        var probeFailures = 0
        while Date().timeIntervalSince(started) < Double(Self.seconds) {
            let r = try session.lab.exec(webC, command: ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/page1.html"])
            probes += 1
            if r.status != 0 { probeFailures += 1 }
            Thread.sleep(forTimeInterval: 6)
        }
        for c in [webC, buildC] {
            let status = try session.lab.checked(["wait", c.id, "60"], timeout: 90)
            let logs = (try? session.lab.checked(["logs", c.id])) ?? ""
            #expect(status == "0", "the \(c.name) workload failed (exit \(status)): \(logs)")
        }
        #expect(probes >= 5 && probeFailures == 0, "\(probeFailures) of \(probes) exec probes failed")
        Thread.sleep(forTimeInterval: 3)  // the daemon's assembly window

        let ids: Set<String> = [webC.shortId, buildC.shortId]
        let all = session.vigil.alerts()
        let falsePositives = all.filter { $0.containerId.map(ids.contains) == true }
        let seconds = Date().timeIntervalSince(started)
        session.record(
            "benign workload: \(String(format: "%.0f", seconds)) s, 2 containers (\(webC.shortId) docker, \(buildC.shortId) podman), "
                + "\(probes) exec probes; false positives: \(falsePositives.count); audit records lost: \(session.vigil.recordsLost)")
        for a in falsePositives { session.record("  FP \(a.rule): \(a.output)") }
        #expect(falsePositives.isEmpty, "false positives from ordinary container work:\n\(falsePositives.map(\.description).joined(separator: "\n"))")
        // A positive control: the same daemon, still live, alerts on a real behaviour in a container of this run.
        #expect(session.vigil.process.isRunning, "vigil run died during the benign workload:\n\(session.vigil.log)")
        try expectAlert(
            Behaviour(rule: "Sensitive credential file read", what: "control: cat /etc/shadow after the workload",
                      script: "cat /etc/shadow >/dev/null", process: "cat", object: "/etc/shadow"))
    }
}
