import Alerts
import CLinux
import DequeModule
import Foundation
import RuleEngine
import Synchronization
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's control socket: local clients (`vigil tail`) subscribe to its alerts and events.
///
/// Two threads meet here and neither waits on a client:
/// - the daemon's loop calls ``publish(_:source:)`` / ``publishEvent(_:)``. With no subscriber that is one
///   relaxed atomic load (``isActive``); with subscribers it evaluates each one's filter and appends to its
///   bounded queue under a short lock. A full queue drops its oldest item and counts it.
/// - the server's own thread accepts, checks the peer's credentials, reads the subscribe request, compiles its
///   filter (which can take a moment against a large ruleset), and writes queued lines with non-blocking sends.
///   A client that does not read only fills its own queue; it is told `{"missed":N}` before the next item it gets.
public final class ControlServer: @unchecked Sendable {
    public struct Settings: Sendable {
        public var path: String
        public var access: ControlAccess
        public var queueSize: Int
        public var maxClients: Int

        public init(path: String, access: ControlAccess, queueSize: Int = 1_024, maxClients: Int = 16) {
            self.path = path
            self.access = access
            self.queueSize = max(1, queueSize)
            self.maxClients = max(1, maxClients)
        }
    }

    public struct Counters: Sendable {
        public var clients = 0
        public var accepted = 0
        public var refused = 0
        public var delivered = 0
        public var missed = 0
    }

    public let settings: Settings
    private let listenFD: Int32
    private let wakeFD: Int32
    private let subscribers = Atomic<Int>(0)
    private let eventSubscribers = Atomic<Int>(0)
    private let wakePending = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let shared = Mutex(Shared())
    private let finished = DispatchSemaphore(value: 0)
    private var started = false
    /// Server thread only.
    private var clients: [Client] = []

    struct Shared {
        var subscribed: [Client] = []
        var definitions: Ruleset?
        var counters = Counters()
    }

    /// Binds the socket: the directory is created (0755) when missing; a stale socket file is replaced, a live one
    /// (another daemon answering) is an error; the socket is `root:group` mode 0660 before it listens, so no one
    /// can connect while it is wider.
    public init(settings: Settings) throws(TailProtocolError) {
        self.settings = settings
        let path = settings.path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, access(directory, F_OK) != 0 {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
                throw TailProtocolError(message: "cannot create \(directory): \(String(cString: strerror(errno)))")
            }
        }
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFSOCK else { throw TailProtocolError(message: "\(path) exists and is not a socket") }
            if Self.answers(path) { throw TailProtocolError(message: "another process already serves \(path)") }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw TailProtocolError(message: "socket: \(String(cString: strerror(errno)))") }
        var address = Self.address(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let e = errno
            close(fd)
            throw TailProtocolError(message: "cannot bind \(path): \(String(cString: strerror(e)))")
        }
        guard chown(path, 0, settings.access.gid ?? 0) == 0, chmod(path, 0o660) == 0 else {
            let e = errno
            close(fd)
            unlink(path)
            throw TailProtocolError(message: "cannot set owner root:\(settings.access.groupName.isEmpty ? "root" : settings.access.groupName) mode 0660 on \(path): \(String(cString: strerror(e)))")
        }
        guard listen(fd, 16) == 0 else {
            let e = errno
            close(fd)
            unlink(path)
            throw TailProtocolError(message: "cannot listen on \(path): \(String(cString: strerror(e)))")
        }
        let wake = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wake >= 0 else {
            close(fd)
            unlink(path)
            throw TailProtocolError(message: "eventfd: \(String(cString: strerror(errno)))")
        }
        listenFD = fd
        wakeFD = wake
    }

    deinit {
        close(listenFD)
        close(wakeFD)
    }

    static func address(_ path: String) -> sockaddr_un {
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &a.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return a
    }

    static func answers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var a = address(path)
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    // MARK: - The daemon's side

    /// True while at least one client is subscribed: the daemon's whole cost when no one is.
    @inline(__always) public var isActive: Bool { subscribers.load(ordering: .relaxed) > 0 }

    /// True while at least one client asked for events.
    @inline(__always) public var wantsEvents: Bool { eventSubscribers.load(ordering: .relaxed) > 0 }

    /// The loaded rules whose lists and macros subscribers' filters may use (set again after each reload).
    public func setDefinitions(_ ruleset: Ruleset) {
        shared.withLock { $0.definitions = ruleset }
    }

    /// Offers an alert to every subscriber; `source` is the event that produced it (nil for notices).
    public func publish(_ alert: Alerts.Alert, source: AuditFieldSource?) {
        guard isActive else { return }
        var any = false
        for client in shared.withLock({ $0.subscribed }) {
            if let message = client.subscription?.message(for: alert, source: source) {
                enqueue(message, to: client)
                any = true
            }
        }
        if any { wake() }
    }

    /// Offers an enriched event to the subscribers that asked for events.
    public func publishEvent(_ source: AuditFieldSource) {
        guard wantsEvents else { return }
        var any = false
        for client in shared.withLock({ $0.subscribed }) where client.subscription?.request.events == true {
            if let message = client.subscription?.message(forEvent: source) {
                enqueue(message, to: client)
                any = true
            }
        }
        if any { wake() }
    }

    private func enqueue(_ message: TailMessage, to client: Client) {
        let dropped = client.queue.withLock { q -> Bool in
            var dropped = false
            if q.items.count >= settings.queueSize {
                q.items.removeFirst()
                q.missed += 1
                dropped = true
            }
            q.items.append(message)
            return dropped
        }
        if dropped { shared.withLock { $0.counters.missed += 1 } }
    }

    private func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    public func counters() -> Counters {
        shared.withLock { $0.counters }
    }

    // MARK: - The server thread

    /// Starts the server thread (after the daemon's seccomp filter is applied, so the thread inherits it).
    public func start() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "vigil-control"
        thread.start()
    }

    /// Stops the thread, closes every client and removes the socket file.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
        if started { finished.wait() }
        started = false
        unlink(settings.path)
    }

    private func serve() {
        while !stopping.load(ordering: .acquiring) {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            for client in clients {
                var events = Int16(POLLIN)
                if client.hasOutput { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: client.fd, events: events, revents: 0))
            }
            let polled = clients
            _ = poll(&fds, nfds_t(fds.count), 1_000)
            if fds[1].revents != 0 {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
                wakePending.store(false, ordering: .releasing)
            }
            if fds[0].revents != 0 { acceptClients() }
            let now = DispatchTime.now().uptimeNanoseconds
            for (i, client) in polled.enumerated() {
                let revents = fds[i + 2].revents
                if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { readFrom(client) }
                if !client.closed, client.subscription == nil, now - client.connectedAt > 10_000_000_000 {
                    send(.error("no subscribe request within 10 s"), to: client, thenClose: true)
                }
                if !client.closed { writeTo(client) }
            }
            let gone = clients.filter(\.closed)
            if !gone.isEmpty {
                clients.removeAll(where: \.closed)
                for client in gone { remove(client) }
            }
        }
        for client in clients { remove(client) }
        clients = []
    }

    private func acceptClients() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let client = Client(fd: fd, queueSize: settings.queueSize)
            guard let peer = PeerCredentials(socket: fd), settings.access.permits(peer) else {
                let peer = PeerCredentials(socket: fd) ?? PeerCredentials(pid: 0, uid: UInt32.max, gid: UInt32.max, groups: [])
                shared.withLock { $0.counters.refused += 1 }
                sendNow(.error(settings.access.refusal(peer)), fd: fd)
                close(fd)
                continue
            }
            if clients.count >= settings.maxClients {
                shared.withLock { $0.counters.refused += 1 }
                sendNow(.error("too many clients (control.max_clients is \(settings.maxClients))"), fd: fd)
                close(fd)
                continue
            }
            client.peer = peer
            clients.append(client)
            shared.withLock {
                $0.counters.accepted += 1
                $0.counters.clients = clients.count
            }
        }
    }

    /// One best-effort write on a fresh socket (its buffer is empty, so a short line always fits).
    private func sendNow(_ message: TailMessage, fd: Int32) {
        let line = message.line
        _ = line.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func readFrom(_ client: Client) {
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = recv(client.fd, &buffer, buffer.count, 0)
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                client.closed = true
                return
            }
            if n < 0 { return }
            guard client.subscription == nil, !client.closeAfterFlush else { continue }  // later input is ignored
            client.request.append(contentsOf: buffer[0..<n])
            if let newline = client.request.firstIndex(of: 0x0A) {
                subscribe(client, line: client.request[..<newline])
                client.request = []
            } else if client.request.count > 65_536 {
                send(.error("the subscribe request is longer than 64 KiB"), to: client, thenClose: true)
            }
        }
    }

    private func subscribe(_ client: Client, line: ArraySlice<UInt8>) {
        let subscription: TailSubscription
        do {
            let request = try TailRequest(line: line)
            let definitions = shared.withLock { $0.definitions }
            subscription = try TailSubscription(request: request, definitions: try definitions ?? RuleLoader().load(sources: []))
        } catch let e as TailProtocolError {
            send(.error(e.message), to: client, thenClose: true)
            return
        } catch {
            send(.error("\(error)"), to: client, thenClose: true)
            return
        }
        send(.subscribed(filter: subscription.request.filter), to: client, thenClose: false)
        client.subscription = subscription
        shared.withLock { $0.subscribed.append(client) }
        subscribers.add(1, ordering: .relaxed)
        if subscription.request.events { eventSubscribers.add(1, ordering: .relaxed) }
    }

    /// Puts a protocol line ahead of the queue (replies to the client itself, not items).
    private func send(_ message: TailMessage, to client: Client, thenClose: Bool) {
        client.output += message.line
        if thenClose { client.closeAfterFlush = true }
    }

    private func writeTo(_ client: Client) {
        while true {
            if client.outputOffset >= client.output.count {
                client.output.removeAll(keepingCapacity: true)
                client.outputOffset = 0
                if client.closeAfterFlush {
                    client.closed = true
                    return
                }
                guard client.subscription != nil else { return }
                let (missed, batch) = client.queue.withLock { q -> (Int, [TailMessage]) in
                    let m = q.missed
                    q.missed = 0
                    let batch = Array(q.items.prefix(64))
                    q.items.removeFirst(batch.count)
                    return (m, batch)
                }
                if batch.isEmpty && missed == 0 { return }
                if missed > 0 { client.output += TailMessage.missed(missed).line }
                for message in batch { client.output += message.line }
                shared.withLock { $0.counters.delivered += batch.count }
            }
            let n = client.output[client.outputOffset...].withUnsafeBytes {
                Glibc.send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                client.closed = true
                return
            }
            client.outputOffset += n
        }
    }

    private func remove(_ client: Client) {
        shared.withLock { s in
            s.subscribed.removeAll { $0 === client }
            s.counters.clients = clients.count
        }
        if let subscription = client.subscription {
            subscribers.subtract(1, ordering: .relaxed)
            if subscription.request.events { eventSubscribers.subtract(1, ordering: .relaxed) }
        }
        close(client.fd)
    }

    /// One connection. `queue` is shared with the daemon's thread; everything else is the server thread's.
    final class Client: @unchecked Sendable {
        struct Queue {
            var items = Deque<TailMessage>()
            var missed = 0
        }

        let fd: Int32
        let connectedAt = DispatchTime.now().uptimeNanoseconds
        let queue: Mutex<Queue>
        var peer: PeerCredentials?
        /// Set once on the server thread before the client is published to the daemon's thread.
        var subscription: TailSubscription?
        var request: [UInt8] = []
        var output: [UInt8] = []
        var outputOffset = 0
        var closeAfterFlush = false
        var closed = false

        init(fd: Int32, queueSize: Int) {
            self.fd = fd
            queue = Mutex(Queue())
        }

        var hasOutput: Bool {
            outputOffset < output.count || closeAfterFlush
                || (subscription != nil && queue.withLock { !$0.items.isEmpty || $0.missed > 0 })
        }
    }
}
