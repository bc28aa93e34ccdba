// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "cases",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cases", targets: ["cases"]),
        .library(name: "CasesCore", targets: ["CasesCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // zxcvbn's C port, to refuse guessable passphrases (Debian's libzxcvbn-dev has no .pc file).
        .systemLibrary(name: "CZxcvbn", providers: [.apt(["libzxcvbn-dev"])]),
        // Safe Swift over libsodium: secret buffers, Argon2id, AEAD, X25519, HMAC/HKDF, scrypt.
        .target(name: "CasesCrypto", dependencies: ["CSodium"]),
        // The age v1 file format (C2SP), on CasesCrypto only, so it can be fuzzed and reused alone.
        .target(name: "AgeFormat", dependencies: ["CasesCrypto"]),
        .target(
            name: "CasesCore",
            dependencies: [
                "CasesCrypto", "AgeFormat", "CZxcvbn",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .executableTarget(
            name: "cases",
            dependencies: [
                "CasesCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CasesCryptoTests", dependencies: ["CasesCrypto", "CSodium"]),
        .testTarget(name: "AgeFormatTests", dependencies: ["AgeFormat"]),
        .testTarget(name: "CasesCoreTests", dependencies: ["CasesCore"]),
        .testTarget(name: "CasesCLITests", dependencies: ["CasesCore"]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
