// swift-tools-version:6.1
import PackageDescription

// A sub-package, so the main build stays light. Run from this folder:
//   swift run -c release cases-bench --cases 10000
let package = Package(
    name: "CasesBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "cases", path: ".."),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "cases-bench",
            dependencies: [
                .product(name: "CasesCore", package: "cases"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
