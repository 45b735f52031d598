/// Falco's load-result warning codes (`falco_load_result.cpp`), so users can search Falco's docs for them.
public enum LoadWarningCode: String, Hashable, Sendable, CaseIterable {
    case unknownSource = "LOAD_UNKNOWN_SOURCE"
    case unsafeNACheck = "LOAD_UNSAFE_NA_CHECK"
    case noEventType = "LOAD_NO_EVTTYPE"
    case unknownFilter = "LOAD_UNKNOWN_FILTER"
    case unusedMacro = "LOAD_UNUSED_MACRO"
    case unusedList = "LOAD_UNUSED_LIST"
    case unknownItem = "LOAD_UNKNOWN_ITEM"
    case deprecatedItem = "LOAD_DEPRECATED_ITEM"
    case appendNoValues = "LOAD_APPEND_NO_VALUES"
    case exceptionNameNotUnique = "LOAD_EXCEPTION_NAME_NOT_UNIQUE"
    case invalidMacroName = "LOAD_INVALID_MACRO_NAME"
    case invalidListName = "LOAD_INVALID_LIST_NAME"
    case compileCondition = "LOAD_COMPILE_CONDITION"
    case unknownKey = "LOAD_UNKNOWN_KEY"
    /// Vigil's own: with `rule_matching: first`, an earlier rule always matches when this one would.
    case shadowedRule = "LOAD_SHADOWED_RULE"
}

/// Falco's load error codes.
public enum LoadErrorCode: String, Hashable, Sendable {
    case fileRead = "LOAD_ERR_FILE_READ"
    case yamlParse = "LOAD_ERR_YAML_PARSE"
    case yamlValidate = "LOAD_ERR_YAML_VALIDATE"
    case compileCondition = "LOAD_ERR_COMPILE_CONDITION"
    case compileOutput = "LOAD_ERR_COMPILE_OUTPUT"
    case validate = "LOAD_ERR_VALIDATE"
    case extension_ = "LOAD_ERR_EXTENSION"
}

/// A position in a rules file (1-based).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One load error or warning, with everything a person needs to find and fix it.
public struct LoadDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable { case error, warning }

    public var severity: Severity
    /// `LOAD_ERR_*` or `LOAD_*` code.
    public var code: String
    public var message: String
    public var location: SourceLocation?
    /// `rule`, `macro`, `list`, `required_engine_version`, ...
    public var itemKind: String?
    public var itemName: String?

    public var description: String {
        var out = ""
        if let location { out += "\(location): " }
        out += "\(severity.rawValue) \(code)"
        if let itemKind {
            out += " (\(itemKind)"
            if let itemName { out += " '\(itemName)'" }
            out += ")"
        }
        out += ": " + message
        return out
    }
}

/// The loader's error: the first error of the file that was rejected, plus every diagnostic so far.
public struct RuleLoadError: Error, Sendable, CustomStringConvertible {
    public var error: LoadDiagnostic
    public var diagnostics: [LoadDiagnostic]

    public var description: String { error.description }
}
