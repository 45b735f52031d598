/// A field as the engine names it after compilation: an index into ``FieldRegistry/definitions``.
///
/// Rules are compiled against the registry once, so an event never sees a field *name*: the audit side switches
/// (or indexes an array) on `rawValue`. Resolve the ids you support at start-up with
/// `FieldRegistry.standard.id(of: "proc.name")`.
public struct FieldID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { FieldRegistry.standard.definitions[Int(rawValue)].name }
}

/// The argument of a field, decided when the rule is compiled: `proc.aname[2]` is `.index(2)`,
/// `proc.env[HOME]` and `evt.arg.flags` are `.key("HOME")`/`.key("flags")`.
public enum FieldArgument: Hashable, Sendable, CustomStringConvertible {
    case index(Int)
    case key(String)

    public var description: String {
        switch self {
        case .index(let i): return String(i)
        case .key(let k): return k
        }
    }
}

/// One event, as the rules engine sees it. The audit side implements this over its decoded event.
///
/// The contract, and why:
/// * Return `nil` when the value is not known for this event — never a placeholder such as `""`, `0` or `"<NA>"`.
///   Falco's semantics hinge on it: a missing value makes *every* comparison false, `!=` included, so an
///   exclusion like `not container.image.repository in (...)` must not match on a made-up empty string.
/// * The engine calls `extract` lazily, only for the fields a candidate rule's condition reaches, and at most once
///   per (field, argument) per event: expensive lookups (`/proc`, the process table) may be done here on demand.
/// * Strings are returned as UTF-8 bytes (``FieldValue/string(_:)``); numbers in the registry's type (a signed
///   field may still be given as `.unsigned` and vice versa, the engine converts).
/// * Ancestor fields (`proc.aname`, `proc.aexe`, `proc.aexepath`, `proc.acmdline`, `proc.apid`, `proc.aenv`):
///   with `.index(n)` return the n-th ancestor's value (0 = the process itself, 1 = parent); with no argument
///   return ``FieldValue/list(_:)`` of the ancestors from the parent upwards — the engine then matches if *any*
///   ancestor satisfies the comparison (libsinsp `compare_full_aname`). `proc.apid` without index returns the
///   list of ancestor pids rendered as decimal strings.
/// * `evt.arg`/`evt.rawarg` get `.index(i)` for `evt.arg[i]` and `.key(name)` for `evt.arg.name`/`evt.arg[name]`.
/// * `evt.type` must be the same name the event was evaluated under; `evt.num` must start at 1 (the stock macro
///   `never_true` is `evt.num=0`).
public protocol FieldSource {
    func extract(_ field: FieldID, argument: FieldArgument?) -> FieldValue?
}
