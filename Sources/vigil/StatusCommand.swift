import Foundation
import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `vigil status`: the running daemon's metrics, for a person.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a running daemon's counters (from its metrics endpoint).")

    @Option(help: "The daemon's metrics address (metrics.listen).")
    var address: String = "127.0.0.1:9737"

    @Flag(help: "Print the raw Prometheus exposition.")
    var raw = false

    func run() throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw ValidationError("--address must be HOST:PORT")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, String(address[..<colon]), &addr.sin_addr)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else {
            FileHandleOut.stderr("vigil status: no daemon answers at \(address) (\(String(cString: strerror(errno))))\n")
            throw ExitCode(1)
        }
        defer { close(fd) }
        let request = "GET /metrics HTTP/1.0\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            response += chunk[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let body = text.range(of: "\r\n\r\n").map({ text[$0.upperBound...] }) else { throw ExitCode(1) }
        if raw {
            print(body, terminator: "")
            return
        }
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let name = parts[0].replacingOccurrences(of: "vigil_", with: "")
            print(name.padding(toLength: 60, withPad: " ", startingAt: 0) + " " + parts[1])
        }
    }
}
