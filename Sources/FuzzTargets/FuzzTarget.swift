/// The inputs Vigil reads from people it does not trust, each as a function of bytes that a fuzzer (libFuzzer
/// through `vigil-fuzz`) or a regression test drives. A target returns normally for every input; a violated
/// invariant stops the process (`FuzzInvariant.check`), which is what a fuzzer reports as a crash.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Audit log bytes through parse → assemble → decode → enrich → rules, and the event JSON.
    case record
    /// A Falco condition through the parser and back through the printer.
    case condition
    /// A rules file through the loader and compiler.
    case rules
    /// A daemon configuration file through the loader.
    case config

    public func run(_ input: UnsafeRawBufferPointer) {
        switch self {
        case .record: RecordFuzzTarget.run(input)
        case .condition: ConditionFuzzTarget.run(input)
        case .rules: RulesFuzzTarget.run(input)
        case .config: ConfigFuzzTarget.run(input)
        }
    }

    public func run(_ input: [UInt8]) {
        input.withUnsafeBytes { run($0) }
    }
}

/// A broken invariant is a finding: it must stop the run so the fuzzer saves the input.
enum FuzzInvariant {
    static func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("fuzz invariant: \(message())") }
    }
}
