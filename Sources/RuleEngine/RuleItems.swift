/// The items of a rules file as the reader hands them to the collector: what was written, where, and which keys
/// were present (Falco's override rules depend on presence, not just values).
enum OverrideMode: String, Sendable { case append, replace }

struct ListItem: Sendable {
    var name: String
    var items: [String]
    var append: Bool
    var override: [String: OverrideMode]
    var location: SourceLocation
}

struct MacroItem: Sendable {
    var name: String
    var condition: String?
    var conditionLocation: SourceLocation?
    var append: Bool
    var override: [String: OverrideMode]
    var location: SourceLocation
}

/// One exception of a rule (§1.3).
struct ExceptionItem: Sendable, Hashable {
    enum Names: Sendable, Hashable {
        case scalar(String)
        case list([String])
    }
    enum Value: Sendable, Hashable {
        case scalar(String)
        case list([String])
    }

    var name: String
    var fields: Names?
    var comps: Names?
    /// Scalar `fields`: one scalar per value. List `fields`: one tuple (scalars or lists) per value.
    enum Row: Sendable, Hashable {
        case scalar(String)
        case tuple([Value])
    }

    var values: [Row]
    var valuesPresent: Bool
    var location: SourceLocation
}

struct RuleItem: Sendable {
    var name: String
    var location: SourceLocation
    var keys: Set<String>
    var condition: String?
    var conditionLocation: SourceLocation?
    var output: String?
    var outputLocation: SourceLocation?
    var desc: String?
    var priority: Priority?
    var source: String?
    var enabled: Bool?
    var tags: [String]?
    var exceptions: [ExceptionItem]?
    var warnEvttypes: Bool?
    var skipIfUnknownFilter: Bool?
    var capture: Bool?
    var captureDuration: Int?
    var append: Bool
    var override: [String: OverrideMode]
}

struct PluginRequirement: Sendable, Hashable {
    var name: String
    var version: SemanticVersion
    var alternatives: [PluginRequirement]
}

enum RulesFileItem: Sendable {
    case requiredEngineVersion(SemanticVersion, SourceLocation)
    case requiredPluginVersions([PluginRequirement], SourceLocation)
    case list(ListItem)
    case macro(MacroItem)
    case rule(RuleItem)
}

/// `major.minor.patch`, as Falco compares engine and plugin versions.
public struct SemanticVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        (self.major, self.minor, self.patch) = (major, minor, patch)
    }

    /// `0.57.0`, `1.2.3-rc1` (pre-release/build suffixes ignored).
    public init?(_ text: String) {
        let core = text.split(whereSeparator: { $0 == "-" || $0 == "+" }).first.map(String.init) ?? text
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let a = Int(parts[0]), let b = Int(parts[1]), let c = Int(parts[2]), a >= 0, b >= 0,
            c >= 0
        else { return nil }
        self.init(a, b, c)
    }

    public static func < (l: Self, r: Self) -> Bool { (l.major, l.minor, l.patch) < (r.major, r.minor, r.patch) }

    /// libsinsp `compatible_with`: same major and at least the required version.
    public func isCompatible(withRequired required: SemanticVersion) -> Bool {
        major == required.major && self >= required
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}
