import CYaml

/// Refuses YAML whose aliases expand beyond what Vigil will ever read, before Yams builds the tree.
///
/// Yams shares an aliased node instead of copying it, so an alias bomb in a *value* costs nothing to compose, but
/// it hashes every mapping key to find duplicates — a key that is an alias of a nine-fold nested list is hashed
/// node by node (a fuzzer found an 812-byte configuration that took 11 s), and anything that later walks or
/// re-serialises an aliased value pays for its full expansion. Counting, over libyaml's events, how many nodes each
/// anchor stands for bounds both, in one linear pass over the text. Syntax errors are left to the parser that
/// follows, which reports them with their position.
public enum YAMLExpansionGuard {
    public struct Failure: Error, Sendable {
        public var message: String
        /// 1-based.
        public var line: Int
        public var column: Int
    }

    /// Most nodes a mapping key may stand for (keys of Vigil's files are scalars).
    public static let maxKeyNodes = 1_000
    /// Most nodes a document may expand to (the stock rules file is about 10 000).
    public static let maxDocumentNodes = 2_000_000

    public static func check(_ text: String) throws(Failure) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return }
        let failure: Failure? = bytes.withUnsafeMutableBufferPointer { buf in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            return scan(&parser)
        }
        if let failure { throw failure }
    }

    private struct Frame {
        var isMapping: Bool
        var anchor: String?
        var size = 1
        var expectingKey = true
        var line: Int
        var column: Int
    }

    private static func scan(_ parser: inout yaml_parser_t) -> Failure? {
        var anchors: [String: Int] = [:]
        var stack: [Frame] = []
        var event = yaml_event_t()

        func name(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        // A finished node of `size` nodes: into its parent (as its key or value) or as the document's root.
        func complete(_ size: Int, anchor: String?, line: Int, column: Int) -> Failure? {
            if let anchor { anchors[anchor] = size }
            guard var parent = stack.popLast() else {
                return size > maxDocumentNodes
                    ? Failure(message: "YAML aliases expand the document to more than \(maxDocumentNodes) nodes", line: line, column: column)
                    : nil
            }
            if parent.isMapping {
                if parent.expectingKey, size > maxKeyNodes {
                    return Failure(
                        message: "a mapping key stands for more than \(maxKeyNodes) nodes (YAML aliases); keys must be plain values",
                        line: line, column: column)
                }
                parent.expectingKey.toggle()
            }
            parent.size = min(parent.size + size, maxDocumentNodes + 1)
            let tooBig = parent.size > maxDocumentNodes
            stack.append(parent)
            return tooBig
                ? Failure(message: "YAML aliases expand the document to more than \(maxDocumentNodes) nodes", line: line, column: column)
                : nil
        }

        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }  // the parser after us reports it
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            var failure: Failure? = nil
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_DOCUMENT_START_EVENT:
                anchors = [:]
                stack = []
            case YAML_SCALAR_EVENT:
                failure = complete(1, anchor: name(event.data.scalar.anchor), line: line, column: column)
            case YAML_ALIAS_EVENT:
                let size = name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                failure = complete(size, anchor: nil, line: line, column: column)
            case YAML_SEQUENCE_START_EVENT:
                stack.append(Frame(isMapping: false, anchor: name(event.data.sequence_start.anchor), line: line, column: column))
            case YAML_MAPPING_START_EVENT:
                stack.append(Frame(isMapping: true, anchor: name(event.data.mapping_start.anchor), line: line, column: column))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return nil }
                failure = complete(frame.size, anchor: frame.anchor, line: frame.line, column: frame.column)
            default:
                break
            }
            if let failure { return failure }
        }
    }
}
