import ArgumentParser
import AuditStream
import Baselines
import Foundation
import VigilDaemon

#if canImport(Glibc)
import Glibc
#endif

/// Where the `baseline` and `seccomp` commands find the profiles: `--db`, else the configuration's
/// `baselines.database`, else `<state_dir>/baselines.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The baselines database (default: baselines.database of the configuration, else <state_dir>/baselines.sqlite).")
    var db: String?

    @Option(help: "Configuration file the default database path is read from.")
    var config: String = "/etc/vigil/vigil.yaml"

    /// `create`: only `import` makes a new database (a profile shipped to a node that has not learned yet).
    func open(create: Bool = false) throws -> BaselineStore {
        var path = db
        if path == nil {
            var cfg = DaemonConfiguration()
            if access(config, F_OK) == 0 {
                do {
                    cfg = try ConfigurationLoader.load(path: config).0
                } catch {
                    throw ValidationError("\(error)")
                }
            }
            path = cfg.baselinesDatabase
        }
        guard let path else { throw ValidationError("no database") }
        if !create, access(path, F_OK) != 0 { throw ValidationError("\(path): no baselines database (is baselines.enabled on?)") }
        do {
            return try BaselineStore(path: path)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A profile by its key as typed: exact, normalised (`nginx` → `nginx:latest`) or a unique prefix
    /// (a container id's first digits).
    static func resolve(_ typed: String, in store: BaselineStore) throws -> String {
        let keys = try store.keys()
        if keys.contains(typed) { return typed }
        let normal = ProfileKey(parsing: typed).description
        if keys.contains(normal) { return normal }
        let prefixed = keys.filter { $0.hasPrefix(typed) || $0.hasPrefix("container:" + typed) }
        if prefixed.count == 1 { return prefixed[0] }
        if prefixed.isEmpty { throw ValidationError("no profile '\(Printable.escape(Array(typed.utf8)))' (see vigil baseline list)") }
        throw ValidationError("'\(Printable.escape(Array(typed.utf8)))' names \(prefixed.count) profiles: \(prefixed.map { Printable.escape(Array($0.utf8)) }.joined(separator: ", "))")
    }

    static func nowMillis() -> Int64 { Daemon.wallClockNanos() / 1_000_000 }
}

/// Terminal-safe text of a stored string (profile keys and items come from the workloads).
func safe(_ s: String) -> String { Printable.escape(Array(s.utf8)) }

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Inspect and tune the per-workload behavioural baselines.",
        discussion: """
            A running daemon picks up changes made here within a second (baselines.flush_ms).
            PROFILE is an image (repository:tag or repository@digest), container:<id> or unit:<name>.service; a \
            unique prefix is enough.
            """,
        subcommands: [List.self, Show.self, Export.self, Import.self, Accept.self, Reset.self, Mode.self, Check.self, BaselineBench.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the database file (SQLite integrity_check); exit status 1 when it is damaged.")
        @OptionGroup var options: DatabaseOptions

        func run() throws {
            let store = try options.open()
            let problems = try store.integrityCheck()
            if problems == ["ok"] {
                print("ok: \(safe(store.path)) (\(try store.keys().count) profiles)")
                return
            }
            for p in problems { print(safe(p)) }
            throw ExitCode(1)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Profiles with their mode and sizes.")
        @OptionGroup var options: DatabaseOptions

        func run() throws {
            let store = try options.open()
            let docs = try store.loadAll()
            print("PROFILE\tMODE\tPROCESS\tFILE\tNETWORK\tSYSCALL\tUSER\tEVENTS\tDROPPED\tDEVIATIONS")
            for d in docs {
                let dims = Dimension.allCases.map { String(d.items($0).count) }.joined(separator: "\t")
                let dropped = d.dropped.values.reduce(0, +)
                let deviations = try store.deviations(d.key).count
                print("\(safe(d.key))\t\(d.mode.rawValue)\t\(dims)\t\(d.events)\t\(dropped)\t\(deviations)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A profile's items and its deviations not accepted yet.")
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The profile.") var profile: String

        func run() throws {
            let store = try options.open()
            let key = try DatabaseOptions.resolve(profile, in: store)
            guard let d = try store.load(key) else { throw ValidationError("no profile '\(safe(key))'") }
            print("profile \(safe(d.key)): \(d.mode.rawValue), \(d.itemCount) items, \(d.events) events")
            print("learning since \(Self.time(d.createdMillis)), last growth \(Self.time(d.lastGrowthMillis)), mode set \(Self.time(d.modeChangedMillis))")
            for dim in Dimension.allCases {
                let items = d.items(dim)
                let dropped = d.dropped[dim.rawValue].map { ", \($0) dropped at the cap" } ?? ""
                print("\n\(dim.rawValue) (\(items.count)\(dropped))")
                for i in items.sorted() { print("  \(safe(i))") }
            }
            let deviations = try store.deviations(key)
            if !deviations.isEmpty {
                print("\ndeviations (vigil baseline accept \(safe(key)) --all accepts them)")
                for dv in deviations {
                    print("  \(dv.dimension.rawValue)\t\(safe(dv.item))\t×\(dv.count)\tlast \(Self.time(dv.lastMillis))")
                }
            }
        }

        static func time(_ ms: Int64) -> String {
            var t = time_t(ms / 1000)
            var tmv = tm()
            gmtime_r(&t, &tmv)
            var buf = [Int8](repeating: 0, count: 32)
            strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%SZ", &tmv)
            return String(cString: buf)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a profile as JSON (for import on another node).")
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The profile.") var profile: String
        @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?

        func run() throws {
            let store = try options.open()
            let key = try DatabaseOptions.resolve(profile, in: store)
            guard let d = try store.load(key) else { throw ValidationError("no profile '\(safe(key))'") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var data = try encoder.encode(d)
            data.append(10)
            try writeOutput(data, to: output)
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a profile from an exported JSON file.")
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The JSON file.") var file: String

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot read") }
            let doc: ProfileDocument
            do {
                doc = try JSONDecoder().decode(ProfileDocument.self, from: data)
            } catch let e as DecodingError {
                throw ValidationError("\(file): not a Vigil baseline: \(Self.describe(e))")
            }
            let store = try options.open(create: true)
            try store.importProfile(doc)
            print("imported \(safe(doc.key)) (\(doc.mode.rawValue), \(doc.itemCount) items)")
        }

        static func describe(_ e: DecodingError) -> String {
            switch e {
            case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c):
                let path = c.codingPath.map(\.stringValue).joined(separator: ".")
                return (path.isEmpty ? "" : "at \(path): ") + c.debugDescription
            @unknown default:
                return "\(e)"
            }
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add deviations to a profile, so they no longer alert.",
            discussion: "Either DIMENSION and ITEMs (as an alert's baseline.accept field shows them), or --all for every recorded deviation.")
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The profile.") var profile: String
        @Argument(help: "process, file, network, syscall or user.") var dimension: String?
        @Argument(help: "Items, as the alert shows them (`w /data/*`, `connect inet 10.0.0.5:443`).") var items: [String] = []
        @Flag(help: "Accept every deviation recorded for the profile.") var all = false

        func validate() throws {
            if all { return }
            guard let dimension, Dimension(rawValue: dimension) != nil else {
                throw ValidationError("DIMENSION must be one of \(Dimension.allCases.map(\.rawValue).joined(separator: ", ")) (or use --all)")
            }
            guard !items.isEmpty else { throw ValidationError("give at least one ITEM (or --all)") }
        }

        func run() throws {
            let store = try options.open()
            let key = try DatabaseOptions.resolve(profile, in: store)
            let added: Int
            if all {
                added = try store.acceptAllDeviations(key, nowMillis: DatabaseOptions.nowMillis())
            } else {
                added = try store.accept(key, Dimension(rawValue: dimension!)!, items, nowMillis: DatabaseOptions.nowMillis())
            }
            print("accepted \(added) item(s) into \(safe(key))")
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget what a profile learned; it learns again from now.")
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The profile.") var profile: String

        func run() throws {
            let store = try options.open()
            let key = try DatabaseOptions.resolve(profile, in: store)
            try store.reset(key, nowMillis: DatabaseOptions.nowMillis())
            print("reset \(safe(key)): learning")
        }
    }

    struct Mode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a profile's mode: learning, monitoring or protect.")
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The profile.") var profile: String
        @Argument(help: "learning, monitoring or protect.") var mode: String

        func validate() throws {
            guard ProfileMode(rawValue: mode) != nil else { throw ValidationError("MODE must be learning, monitoring or protect") }
        }

        func run() throws {
            let store = try options.open()
            let key = try DatabaseOptions.resolve(profile, in: store)
            try store.setMode(key, ProfileMode(rawValue: mode)!, nowMillis: DatabaseOptions.nowMillis())
            print("\(safe(key)): \(mode)")
        }
    }
}

struct SeccompCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seccomp",
        abstract: "Seccomp profiles from baselines.",
        subcommands: [Export.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an OCI/Docker seccomp profile allowing exactly a baseline's learned syscalls.",
            discussion: """
                defaultAction SCMP_ACT_ERRNO (EPERM), the learned syscalls allowed, the learned architectures. The \
                profile is compiled with libseccomp (seccomp_export_bpf) before it is written, so an invalid one is \
                an error, not a container that fails to start. It is only as complete as what was audited: learn \
                with baselines.audit_all_syscalls: true.
                """)
        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The profile.") var profile: String
        @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
        @Flag(help: "Report the compiled BPF program's size and the syscalls per arch (on standard error).") var check = false
        @Option(help: "Also allow this syscall (repeatable).") var allow: [String] = []

        func run() throws {
            let store = try options.open()
            let key = try DatabaseOptions.resolve(profile, in: store)
            guard let d = try store.load(key) else { throw ValidationError("no profile '\(safe(key))'") }
            let profile: SeccompProfile
            let size: Int
            do {
                profile = try SeccompProfile(profile: d, extra: allow)
                size = try profile.compiledBPFSize()
            } catch {
                throw ValidationError("\(safe(key)): \(error)")
            }
            try writeOutput(Data(profile.json().utf8), to: output)
            if check {
                var report = "\(safe(key)): BPF program \(size) bytes (\(size / 8) instructions), \(profile.allowed.count) syscalls allowed"
                for arch in profile.architectures { report += "\n  \(arch): \(profile.syscallsByArch[arch]?.count ?? 0) syscalls" }
                for u in profile.unknown { report += "\n  left out (unknown to libseccomp): \(safe(u))" }
                FileHandle.standardError.write(Data((report + "\n").utf8))
            }
        }
    }
}

func writeOutput(_ data: Data, to path: String?) throws {
    if let path {
        guard FileManager.default.createFile(atPath: path, contents: data) else { throw ValidationError("\(path): cannot write") }
    } else {
        FileHandle.standardOutput.write(data)
    }
}
