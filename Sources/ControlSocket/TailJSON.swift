import Foundation

/// One encoder and decoder configuration for the control protocol: sorted keys, so a line reads the same twice.
enum TailJSON {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static var decoder: JSONDecoder { JSONDecoder() }

    static func data(_ bytes: some Collection<UInt8>) -> Data { Data(bytes) }
}
