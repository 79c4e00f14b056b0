// swift-tools-version:6.0
// as2-agent — an AS2 (RFC 4130) agent for Linux. Module boundaries: docs/architecture.md.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "as2-agent",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "as2-agent", targets: ["as2-agent"]),
        .executable(name: "as2-agent-watch", targets: ["as2-agent-watch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C glue: libcrypto (+ one-line shims for macros) and system zlib. Only AS2Crypto imports them.
        .target(
            name: "CAS2OpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Byte sources and sinks shared by every layer: memory, file ranges, concatenations, temp files.
        .target(name: "AS2Bytes", swiftSettings: strict),
        // MIME entities over exact bytes: parse, serialize, CTE. No crypto, no I/O.
        .target(name: "AS2MIME", dependencies: ["AS2Bytes"], swiftSettings: strict),
        // Certificates, keys, CMS sign/verify/encrypt/decrypt/compress, digests. The only OpenSSL user.
        .target(name: "AS2Crypto", dependencies: ["AS2Bytes", "CAS2OpenSSL", "CZlib"], swiftSettings: strict),
        // Message build/unpack, MIC, MDN build/parse, policy → disposition. Pure: bytes/files in, values out.
        .target(name: "AS2Protocol", dependencies: ["AS2Bytes", "AS2MIME", "AS2Crypto"], swiftSettings: strict),
        // agent.conf (TOML) → typed values, and its validation (check-config).
        .target(
            name: "AS2Config",
            dependencies: ["AS2Protocol", "AS2Crypto", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        // Durable message state in SQLite (WAL, migrations).
        .target(
            name: "AS2Journal",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // NIO HTTP(S) server + client: bytes and headers only, no AS2 semantics.
        .target(
            name: "AS2HTTP",
            dependencies: [
                "AS2Bytes",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The folder contract: watcher client, claims, atomic writes, sidecars.
        .target(
            name: "AS2Spool",
            dependencies: ["AS2Bytes", "AS2Protocol", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Services wired together: outbound, inbound, async MDN, retries. The only module that knows them all.
        .target(
            name: "AS2Agent",
            dependencies: [
                "AS2Bytes", "AS2Protocol", "AS2Crypto", "AS2MIME", "AS2Config", "AS2Journal", "AS2HTTP", "AS2Spool",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The command line: run, send, inspect, check-config, keys, messages, …
        .executableTarget(
            name: "as2-agent",
            dependencies: [
                "AS2Agent", "AS2Bytes", "AS2Protocol", "AS2Crypto", "AS2MIME", "AS2Config", "AS2Journal", "AS2HTTP", "AS2Spool",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Benchmarks (`make bench`): message build/unpack rates and large-payload runs, one scenario per process. Not shipped.
        .executableTarget(
            name: "as2-bench",
            dependencies: [
                "AS2Bytes", "AS2Protocol", "AS2Crypto", "AS2MIME", "AS2HTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // GPL-2.0-or-later: a separate program linking libinotifytools; prints one event per line.
        .executableTarget(
            name: "as2-agent-watch",
            exclude: ["COPYING"],
            linkerSettings: [.linkedLibrary("inotifytools")]
        ),

        .testTarget(name: "AS2BytesTests", dependencies: ["AS2Bytes"], swiftSettings: strict),
        .testTarget(name: "AS2MIMETests", dependencies: ["AS2Bytes", "AS2MIME"], swiftSettings: strict),
        .testTarget(name: "AS2CryptoTests", dependencies: ["AS2Bytes", "AS2Crypto"], swiftSettings: strict),
        .testTarget(name: "AS2ProtocolTests", dependencies: ["AS2Bytes", "AS2Protocol", "AS2Crypto", "AS2MIME"], swiftSettings: strict),
        .testTarget(name: "AS2ConfigTests", dependencies: ["AS2Config", "AS2Crypto", "AS2Protocol"], swiftSettings: strict),
        .testTarget(
            name: "AS2JournalTests", dependencies: ["AS2Journal", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict
        ),
        .testTarget(
            name: "AS2HTTPTests",
            dependencies: [
                "AS2HTTP", "AS2Bytes", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "AS2SpoolTests", dependencies: ["AS2Spool"], swiftSettings: strict),
        .testTarget(
            name: "AS2AgentTests",
            dependencies: ["AS2Agent", "AS2Bytes", "AS2Crypto", "AS2Protocol", "AS2Journal", "AS2Spool", "AS2HTTP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: ["AS2Bytes", "AS2Protocol", "AS2Crypto", "AS2MIME"],
            exclude: ["peer"],
            swiftSettings: strict
        ),
        .testTarget(name: "CLITests", dependencies: ["as2-agent"], swiftSettings: strict),
    ]
)
