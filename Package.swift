// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "Ordinaut",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ordinaut", targets: ["OrdinautCLI"]),
        .library(name: "Ordinaut", targets: ["Ordinaut"]),
        .library(name: "OrdinautExtensionKit", targets: ["OrdinautExtensionKit"]),
        .library(name: "OrdinautTesting", targets: ["OrdinautTesting"]),
        .library(name: "OrdinautCommands", targets: ["OrdinautCommands"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
        // Already in the graph through Hummingbird: the Tracer protocol our own OTLP exporter implements.
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        .target(name: "OrdinautCore", swiftSettings: swiftSettings),
        .target(name: "OrdinautJSONSchema", dependencies: ["OrdinautCore"], swiftSettings: swiftSettings),
        .target(name: "OrdinautJMESPath", dependencies: ["OrdinautCore"], swiftSettings: swiftSettings),
        .target(name: "OrdinautCalendar", swiftSettings: swiftSettings),
        // OpenTelemetry tracing without swift-otel: W3C Trace Context, samplers, a batch span
        // processor and the OTLP/HTTP JSON encoding; the bytes are sent by a closure the composition
        // root gives it (libcurl). Also the JSON log handler and the trace-id log metadata.
        .target(
            name: "OrdinautTracing",
            dependencies: [
                "OrdinautCore",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautPipeline",
            dependencies: ["OrdinautCore", "OrdinautJMESPath", "OrdinautCalendar"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautMCP",
            dependencies: [
                "OrdinautTracing",
                "OrdinautCore", "OrdinautJSONSchema", "OrdinautAuth",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautStdio",
            dependencies: [
                "OrdinautCore", "OrdinautMCP", "OrdinautIO", "OrdinautAuth", "CSpawn",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautHTTP",
            dependencies: [
                "OrdinautTracing",
                "OrdinautCore", "OrdinautMCP", "OrdinautAuth", "OrdinautHTTPCommon",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautAuth",
            dependencies: [
                "OrdinautCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the transports, the REST API and the extension host share: the seed's error body and
        // byte-level header helpers.
        .target(
            name: "OrdinautHTTPCommon",
            dependencies: [
                "OrdinautCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // Blocking descriptor I/O on threads of its own (stdin, subprocess pipes), and child processes.
        .target(name: "OrdinautIO", dependencies: ["CSpawn"], swiftSettings: swiftSettings),
        // fork + PR_SET_PDEATHSIG + setpgid + execve for child processes (OrdinautIO only).
        .target(name: "CSpawn"),
        .target(
            name: "OrdinautREST",
            dependencies: [
                "OrdinautCore", "OrdinautAuth", "OrdinautAccess", "OrdinautHTTPCommon", "OrdinautStore", "OrdinautScheduler", "OrdinautEvents",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautEvents",
            dependencies: ["OrdinautCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautExtensionKit",
            dependencies: [
                "OrdinautCore", "OrdinautMCP", "OrdinautEvents", "OrdinautAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The client libraries are opened on first use (CLazyLibrary); their headers come from
        // libcurl4-openssl-dev, libhiredis-dev and libpq-dev.
        .target(name: "CLazyLibrary"),
        .target(name: "CCurl", dependencies: ["CLazyLibrary"]),
        .target(
            name: "OrdinautWebhooks",
            dependencies: ["CCurl", "OrdinautTracing", "OrdinautCore", "OrdinautMCP", "OrdinautPipeline"],
            swiftSettings: swiftSettings
        ),
        .target(name: "CHiredis", dependencies: ["CLazyLibrary"]),
        .target(
            name: "OrdinautRedis",
            dependencies: ["CHiredis", "OrdinautCore", "OrdinautEvents", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(name: "OrdinautStore", dependencies: ["OrdinautCore", "OrdinautTracing"], swiftSettings: swiftSettings),
        // Agents and their tokens: the operations every surface shares, the stored-token directory
        // the authenticator asks, and the admin MCP tools.
        .target(
            name: "OrdinautAccess",
            dependencies: [
                "OrdinautCore", "OrdinautAuth", "OrdinautStore", "OrdinautMCP",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "OrdinautSQLite", dependencies: ["CSQLite", "OrdinautStore"], swiftSettings: swiftSettings),
        .target(name: "CLibPQ", dependencies: ["CLazyLibrary"]),
        .target(name: "OrdinautPostgres", dependencies: ["CLibPQ", "OrdinautStore"], swiftSettings: swiftSettings),
        .target(
            name: "OrdinautScheduler",
            dependencies: [
                "OrdinautTracing",
                "OrdinautCore", "OrdinautJSONSchema", "OrdinautCalendar", "OrdinautPipeline", "OrdinautMCP", "OrdinautEvents", "OrdinautStore", "OrdinautAuth",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The files of protocol/ and extensions/ that the binary carries (C23 #embed).
        .target(name: "CResources"),
        .target(name: "CBuildInfo"),
        .target(
            name: "OrdinautExtensionHost",
            dependencies: [
                "OrdinautTracing",
                "OrdinautCore", "OrdinautJSONSchema", "OrdinautMCP", "OrdinautEvents", "OrdinautExtensionKit", "OrdinautAuth",
                "OrdinautIO", "OrdinautHTTPCommon", "OrdinautWebhooks", "CResources",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautExtEventsDemo", dependencies: ["OrdinautExtensionKit"], path: "extensions/events_demo",
            exclude: ["extension.json", "static"], swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautExtMCPHTTP", dependencies: ["OrdinautExtensionKit"], path: "extensions/mcp_http",
            exclude: ["extension.json"], swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautExtObservability",
            dependencies: ["OrdinautExtensionKit", .product(name: "Prometheus", package: "swift-prometheus")], path: "extensions/observability",
            exclude: ["extension.json"], swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautExtWebUI", dependencies: ["OrdinautExtensionKit"], path: "extensions/webui",
            exclude: ["extension.json", "static"], swiftSettings: swiftSettings
        ),
        .target(
            name: "Ordinaut",
            dependencies: [
                "OrdinautTracing", .product(name: "Tracing", package: "swift-distributed-tracing"),
                "OrdinautCore", "OrdinautMCP", "OrdinautStdio", "OrdinautHTTP", "OrdinautStore", "OrdinautSQLite", "OrdinautPostgres",
                "OrdinautScheduler", "OrdinautAuth", "OrdinautAccess", "OrdinautREST", "OrdinautHTTPCommon", "OrdinautWebhooks",
                "OrdinautEvents", "OrdinautRedis", "OrdinautExtensionKit", "OrdinautExtensionHost", "OrdinautExtEventsDemo", "OrdinautExtMCPHTTP",
                "OrdinautExtObservability", "OrdinautExtWebUI", "CBuildInfo",
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OrdinautTesting",
            dependencies: [
                "OrdinautCore", "OrdinautMCP", "OrdinautAuth", "Ordinaut", "OrdinautEvents", "OrdinautExtensionKit", "OrdinautExtensionHost",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "OrdinautCLI", dependencies: ["OrdinautCommands"], swiftSettings: swiftSettings,
                          linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"])]),
        .target(
            name: "OrdinautCommands",
            dependencies: [
                "Ordinaut", "OrdinautTracing", "OrdinautCalendar", "OrdinautCore", "OrdinautMCP", "OrdinautExtensionHost", "OrdinautStore", "OrdinautAuth",
                "OrdinautAccess", "OrdinautWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OrdinautBench",
            dependencies: [
                "OrdinautCalendar", "OrdinautCore", "OrdinautJMESPath", "OrdinautMCP", "OrdinautEvents", "OrdinautRedis", "OrdinautAuth",
                "OrdinautWebhooks", "OrdinautStore", "OrdinautSQLite", "OrdinautPostgres", "OrdinautScheduler",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "bench/swift",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "OrdinautStdioTests", dependencies: ["OrdinautStdio", "OrdinautCore"], swiftSettings: swiftSettings),
        .testTarget(name: "OrdinautIOTests", dependencies: ["OrdinautIO"], swiftSettings: swiftSettings),
        .testTarget(name: "OrdinautWebhooksTests", dependencies: ["OrdinautWebhooks", "OrdinautMCP", "OrdinautCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OrdinautEventsTests",
            dependencies: ["OrdinautEvents", "OrdinautRedis", "OrdinautCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautRESTTests",
            dependencies: [
                "OrdinautREST", "Ordinaut", "OrdinautTesting", "OrdinautCore", "OrdinautScheduler", "OrdinautStore", "OrdinautExtensionHost",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautExtensionHostTests",
            dependencies: [
                "OrdinautExtensionHost", "OrdinautExtensionKit", "OrdinautEvents", "OrdinautMCP", "OrdinautCore", "OrdinautAuth",
                "OrdinautTesting", "Ordinaut", "OrdinautExtEventsDemo",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautSchedulerTests",
            dependencies: [
                "OrdinautScheduler", "OrdinautStore", "OrdinautSQLite", "OrdinautPostgres", "OrdinautCore", "OrdinautMCP", "OrdinautAuth",
                "OrdinautEvents", "OrdinautTesting", "Ordinaut",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautAuthTests",
            dependencies: [
                "OrdinautAuth", "OrdinautCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautAccessTests",
            dependencies: [
                "OrdinautAccess", "OrdinautAuth", "OrdinautStore", "OrdinautSQLite", "OrdinautMCP", "OrdinautCore", "OrdinautTesting",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautTracingTests",
            dependencies: ["OrdinautTracing", "OrdinautCore", .product(name: "Tracing", package: "swift-distributed-tracing")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CLazyLibraryTests", dependencies: ["CLazyLibrary", "CCurl", "CLibPQ", "CHiredis"], swiftSettings: swiftSettings),
        .testTarget(name: "OrdinautCoreTests", dependencies: ["OrdinautCore"], swiftSettings: swiftSettings),
        .testTarget(name: "OrdinautExtObservabilityTests", dependencies: ["OrdinautExtObservability", "OrdinautExtensionKit"], swiftSettings: swiftSettings),
        .testTarget(name: "OrdinautSQLiteTests", dependencies: ["OrdinautSQLite", "OrdinautStore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OrdinautJSONSchemaTests",
            dependencies: ["OrdinautJSONSchema", "OrdinautCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "OrdinautCalendarTests", dependencies: ["OrdinautCalendar"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OrdinautPipelineTests",
            dependencies: ["OrdinautPipeline", "OrdinautCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautJMESPathTests",
            dependencies: ["OrdinautJMESPath", "OrdinautCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautMCPTests",
            dependencies: ["OrdinautMCP", "OrdinautCore", "OrdinautTesting", "Ordinaut", "OrdinautAuth"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdinautHTTPTests",
            dependencies: [
                "OrdinautHTTP", "Ordinaut", "OrdinautMCP", "OrdinautCore", "OrdinautAuth", "OrdinautExtensionKit",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
