// swift-tools-version:6.1
import PackageDescription

// A sub-package, so the main build stays light. Run from this folder:
//   swift run -c release cases-bench --help
//   swift run -c release cases-bench --cases 10000      (the default subcommand, baseline)
// Linux only and pinned exactly, like the main package (see its Package.swift for why).
let package = Package(
    name: "CasesBenchmarks",
    dependencies: [
        .package(name: "cases", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "cases-bench",
            dependencies: [
                .product(name: "CasesCore", package: "cases"),
                .product(name: "CasesCrypto", package: "cases"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        )
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
