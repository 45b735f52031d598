import RuleEngine

/// A rules file is YAML from many hands, loaded at start-up and on SIGHUP by a daemon that must keep running:
/// any input either loads or fails with a non-empty message, and whatever loads can be evaluated and formatted
/// without crashing, against an event where every field has a value and one where none has.
enum RulesFuzzTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let text = String(validating: input.bindMemory(to: UInt8.self), as: UTF8.self) else { return }
        let ruleset: Ruleset
        do {
            ruleset = try RuleLoader().load(sources: [(name: "fuzz.yaml", text: text)])
        } catch {
            FuzzInvariant.check(!error.description.isEmpty, "load error without a message")
            return
        }
        let evaluator = RuleEvaluator(ruleset: ruleset)
        let formatter = AlertFormatter(hostname: "fuzz")
        for source in [TypedFieldSource(known: true), TypedFieldSource(known: false)] {
            evaluator.forEachMatch(eventType: nil, source: source) { rule in
                let alert = formatter.alert(rule: rule, timeNanoseconds: 0, source: source, evaluator: evaluator)
                let json = formatter.json(alert)
                FuzzInvariant.check(!json.contains(10), "alert JSON contains a raw newline")
                FuzzInvariant.check(String(validating: json, as: UTF8.self) != nil, "alert JSON is not UTF-8")
            }
        }
    }
}

/// Every field known (with a value of its type, containing characters that need escaping) or none known.
struct TypedFieldSource: FieldSource {
    let known: Bool

    func extract(_ field: FieldID, argument: FieldArgument?) -> FieldValue? {
        guard known else { return nil }
        switch FieldRegistry.standard[field].type {
        case .charbuf, .fspath, .dynamic: return .string(Array("/tmp/a\"b\n\u{1b}[31m".utf8))
        case .int16, .int32, .int64, .pid, .fd, .relTime, .absTime: return .signed(-1)
        case .uint32, .uint64, .port: return .unsigned(443)
        case .bool: return .bool(true)
        case .byteBuffer: return .bytes([0, 0xff, 10])
        case .charbufList: return .list([Array("a".utf8), Array("b c".utf8)])
        case .ipAddress, .ipNetwork: return nil
        }
    }
}
