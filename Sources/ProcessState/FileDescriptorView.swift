import AuditStream

/// What kind of object an fd refers to (`fd.type`, `fd.typechar`).
public enum FileDescriptorType: String, Sendable {
    case file, directory, ipv4, ipv6, unix, netlink, pipe, event, signalfd, eventpoll, inotify
    /// A socket whose family is not known.
    case socket
    case unknown

    /// Falco's `fd.typechar`.
    public var typechar: Character {
        switch self {
        case .file: return "f"
        case .directory: return "d"
        case .ipv4: return "4"
        case .ipv6: return "6"
        case .unix: return "u"
        case .netlink: return "n"
        case .pipe: return "p"
        case .event: return "e"
        case .signalfd: return "s"
        case .eventpoll: return "l"
        case .inotify: return "i"
        case .socket, .unknown: return "o"
        }
    }

    public var isSocket: Bool {
        switch self {
        case .ipv4, .ipv6, .unix, .netlink, .socket: return true
        default: return false
        }
    }
}

/// An IP endpoint: 4 or 16 address bytes and a port.
public struct SocketEndpoint: Sendable, Equatable {
    public var address: [UInt8]
    public var port: UInt16

    public var addressText: String {
        address.count == 4 ? address.map(String.init).joined(separator: ".") : SocketAddress.ipv6Text(address)
    }
}

/// The fd a syscall operates on: for open* the new fd, for connect/sendto/bind/close/read… the fd in a0, for dup*
/// the *old* fd (Falco's convention).
public struct FileDescriptorView: Sendable {
    /// `fd.num` (−1 for a failed open).
    public var number: Int64?
    public var type: FileDescriptorType

    public init(number: Int64?, type: FileDescriptorType) {
        self.number = number
        self.type = type
    }
    /// `fd.name`: an absolute path for files; the unix path for unix sockets; `cip:cport->sip:sport` when both ends
    /// of an IP socket are known; else nil. An IP socket's text is made when asked: every connect and accept has
    /// a view, few rules read its name.
    public var name: Bytes? {
        get {
            if namesEndpoints, let c = clientEndpoint, let s = serverEndpoint {
                return Bytes(Array("\(Self.endpointText(c))->\(Self.endpointText(s))".utf8))
            }
            return storedName
        }
        set {
            storedName = newValue
            namesEndpoints = false
        }
    }
    private var storedName: Bytes?
    /// Set for IP sockets: `name` is their endpoints' text when both are known.
    var namesEndpoints = false
    /// `fd.nameraw`: the path as passed.
    public var nameRaw: Bytes?
    public var inode: Int64?
    /// `fd.dev`: major << 20 | minor, the kernel's encoding.
    public var dev: UInt32?
    /// `fd.l4proto`: tcp, udp, icmp, raw.
    public var l4proto: String?
    public var local: SocketEndpoint?
    public var remote: SocketEndpoint?
    /// True when this end is the server (bind/listen/accept); false for connect/sendto; nil unknown.
    public var isServer: Bool?

    public var typechar: Character { type.typechar }
    public var directory: Bytes? {
        guard type == .file || type == .directory, let name else { return nil }
        return PathName.split(name).directory
    }
    public var filename: Bytes? {
        guard type == .file || type == .directory, let name else { return nil }
        return PathName.split(name).filename
    }
    public var serverEndpoint: SocketEndpoint? { isServer == true ? local : isServer == false ? remote : nil }
    public var clientEndpoint: SocketEndpoint? { isServer == true ? remote : isServer == false ? local : nil }
    public var sip: String? { serverEndpoint?.addressText }
    public var sport: UInt16? { serverEndpoint?.port }
    public var cip: String? { clientEndpoint?.addressText }
    public var cport: UInt16? { clientEndpoint?.port }
    public var rip: String? { remote?.addressText }
    public var rport: UInt16? { remote?.port }
    public var lip: String? { local?.addressText }
    public var lport: UInt16? { local?.port }

    static func endpointText(_ e: SocketEndpoint) -> String {
        e.address.count == 16 ? "[\(e.addressText)]:\(e.port)" : "\(e.addressText):\(e.port)"
    }
}
