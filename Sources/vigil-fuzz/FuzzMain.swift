import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

// `vigil-fuzz` is two programs from one source. Built with `-sanitize=fuzzer -D VIGIL_FUZZ` (`make fuzz`) it is a
// libFuzzer binary for the target named by VIGIL_FUZZ_TARGET; built normally it runs files through a target,
// which is how a saved crash is reproduced outside the fuzzer.

#if VIGIL_FUZZ
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

nonisolated(unsafe) var selectedTarget = FuzzTarget.record

/// SwiftPM links an executable's entry point under this name; libFuzzer's driver takes over from here.
@_cdecl("vigil_fuzz_main")
func vigilFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = getenv("VIGIL_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        complain("vigil-fuzz: set VIGIL_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n")
        return 2
    }
    selectedTarget = target
    if let dir = getenv("VIGIL_FUZZ_WRITE_SEEDS").map({ String(cString: $0) }) {
        do {
            let n = try FuzzSeeds.write(for: target, from: .fromEnvironment(), into: dir)
            complain("vigil-fuzz: \(n) seeds for \(target.rawValue) in \(dir)\n")
            return 0
        } catch {
            complain("vigil-fuzz: cannot write seeds: \(error)\n")
            return 1
        }
    }
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
#else
@main
struct FuzzReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            complain("usage: vigil-fuzz TARGET FILE...   (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))\n")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                complain("vigil-fuzz: cannot open \(path)\n")
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = fread(&chunk, 1, chunk.count, file)
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            fclose(file)
            target.run(bytes)
            print("\(path): ok")
        }
    }
}
#endif

/// Standard error without touching C's global `stderr` (not concurrency-safe in Swift 6).
func complain(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
}
