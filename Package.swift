// swift-tools-version:6.1
import PackageDescription

// Linux only, on purpose: the code calls Glibc directly (open, read, write, fsync on file
// descriptors), and CSodium's shim calls prctl(PR_SET_DUMPABLE), which macOS does not have. So
// no `platforms:` line claims a macOS build that would not compile. A port would guard those
// calls with `#if canImport(Glibc)` and find macOS equivalents first.
//
// Every package is pinned to one exact version, as an application should be, so that a build
// today and a build next year compile the same code. `Package.resolved` stays out of git: on the
// development machines its commit ids come from a local package mirror and resolve nowhere else.
let package = Package(
    name: "cases",
    products: [
        .executable(name: "cases", targets: ["cases"]),
        .library(name: "CasesCore", targets: ["CasesCore"]),
        // For the benchmarks' sub-package, which handles secret bytes itself.
        .library(name: "CasesCrypto", targets: ["CasesCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // zxcvbn's C port, to refuse guessable passphrases (Debian's libzxcvbn-dev has no .pc file).
        .systemLibrary(name: "CZxcvbn", providers: [.apt(["libzxcvbn-dev"])]),
        // GLPK, the GNU linear and integer programming kit: exact feasible intervals of
        // suppressed cells across linked tables.
        .systemLibrary(
            name: "CGLPK",
            providers: [.apt(["libglpk-dev"])]
        ),
        // Safe Swift over libsodium: secret buffers, Argon2id, AEAD, X25519, HMAC/HKDF, scrypt.
        .target(name: "CasesCrypto", dependencies: ["CSodium"]),
        // The age v1 file format (C2SP), on CasesCrypto only, so it can be fuzzed and reused alone.
        .target(name: "AgeFormat", dependencies: ["CasesCrypto"]),
        .target(
            name: "CasesCore",
            dependencies: [
                "CasesCrypto", "AgeFormat", "CZxcvbn", "CGLPK",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .executableTarget(
            name: "cases",
            dependencies: [
                "CasesCore", "CasesCrypto", "AgeFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the test targets share: the `slow` tag, test seeds, waits on a condition.
        .target(name: "CasesTestSupport", path: "Tests/CasesTestSupport"),
        .testTarget(name: "CasesCryptoTests", dependencies: ["CasesCrypto", "CSodium"]),
        .testTarget(name: "AgeFormatTests", dependencies: ["AgeFormat", "CasesCrypto"]),
        .testTarget(
            name: "CasesCoreTests",
            dependencies: [
                "CasesCore", "CasesCrypto", "AgeFormat", "CSodium", "CasesTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "CasesCLITests",
            dependencies: [
                "CasesCore", "CasesCrypto", "CasesTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
