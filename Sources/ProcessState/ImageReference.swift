/// An image reference split the way Falco's container fields show it: `registry:5000/team/app:1.2@sha256:…` →
/// repository `registry:5000/team/app`, tag `1.2`, digest `sha256:…`.
public struct ImageReference: Sendable, Equatable {
    public var repository: String
    public var tag: String?
    public var digest: String?

    public init(_ reference: String) {
        var rest = Substring(reference)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        // A ':' is a tag separator only after the last '/' (before it, it is a registry port).
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        } else if digest == nil {
            // The engines' own rule: a reference without tag or digest means `latest`.
            tag = "latest"
        }
        repository = String(rest)
    }
}
