// swift-tools-version: 6.1
import PackageDescription

// The per-event path (parse → assemble → decode → enrich → evaluate) in release builds: Swift's dynamic
// exclusivity checks (swift_beginAccess/endAccess on every class-property and global access) were 2.6 % of a
// replay with rules. Debug builds, the tests and the ASan build keep them on.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "AuditStream", targets: ["AuditStream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CAudit",
            pkgConfig: "audit",
            providers: [.apt(["libaudit-dev"])]
        ),
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        .systemLibrary(name: "CLinux"),
        .target(
            name: "AuditStream",
            dependencies: [
                "CAudit", "CSeccomp",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: hotPath
        ),
        .target(
            name: "ProcessState",
            dependencies: ["AuditStream"],
            swiftSettings: hotPath
        ),
        .target(
            name: "Baselines",
            dependencies: [
                "AuditStream", "ProcessState", "CSeccomp",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "RuleEngine",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: hotPath
        ),
        .target(
            name: "Alerts",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "AuditControl",
            dependencies: ["CAudit"]
        ),
        .target(
            name: "VigilDaemon",
            dependencies: [
                "AuditStream", "AuditControl", "CLinux", "CSeccomp", "RuleEngine", "ProcessState", "Alerts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: hotPath
        ),
        .target(
            name: "ControlSocket",
            dependencies: [
                "Alerts", "RuleEngine", "VigilDaemon", "CLinux",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "AuditStream",
                "CLinux",
                "AuditControl",
                "VigilDaemon",
                "RuleEngine",
                "ProcessState",
                "Alerts",
                "ControlSocket",
                "Baselines",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "FuzzTargets",
            dependencies: ["AuditStream", "ProcessState", "RuleEngine", "VigilDaemon", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "vigil-fuzz",
            dependencies: ["FuzzTargets"]
        ),
        .testTarget(
            name: "AuditStreamTests",
            dependencies: ["AuditStream"]
        ),
        .testTarget(
            name: "AlertsTests",
            dependencies: [
                "Alerts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ProcessStateTests",
            dependencies: ["ProcessState", "AuditStream"]
        ),
        .testTarget(
            name: "BaselinesTests",
            dependencies: ["Baselines", "ProcessState", "AuditStream", "VigilTestSupport"]
        ),
        .testTarget(
            name: "RuleEngineTests",
            dependencies: ["RuleEngine"]
        ),
        .target(
            name: "VigilTestSupport",
            path: "Tests/VigilTestSupport"
        ),
        .testTarget(
            name: "AuditControlTests",
            dependencies: ["AuditControl", "AuditStream", "VigilTestSupport"]
        ),
        .testTarget(
            name: "VigilDaemonTests",
            dependencies: ["VigilDaemon", "AuditControl", "AuditStream", "RuleEngine", "ProcessState", "VigilTestSupport"]
        ),
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: ["FuzzTargets", "RuleEngine", "VigilTestSupport"]
        ),
        .testTarget(
            name: "E2ETests",
            dependencies: ["VigilTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
