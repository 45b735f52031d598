#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Decodes a runtime's JSON state file (host files written by root; bounded anyway).
enum JSONFile {
    static func decode<T: Decodable>(_ type: T.Type, at path: String, limit: Int = 8 << 20) -> T? {
        guard let bytes = SystemFile.read(path, limit: limit), !bytes.isEmpty else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(bytes))
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
