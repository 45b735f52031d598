import VigilDaemon

/// The configuration is read at start-up and on SIGHUP: any input either loads or fails with a message, never
/// a crash that would take the monitor down on reload.
enum ConfigFuzzTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let text = String(validating: input.bindMemory(to: UInt8.self), as: UTF8.self) else { return }
        do {
            _ = try ConfigurationLoader.parse(text, file: "fuzz.yaml")
        } catch {
            FuzzInvariant.check(!String(describing: error).isEmpty, "configuration error without a message")
        }
    }
}
