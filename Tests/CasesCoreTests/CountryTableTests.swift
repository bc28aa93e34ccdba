import Foundation
import Testing

@testable import CasesCore

/// `Country+Table.swift` is generated from ISO 3166-1 by Scripts/generate-countries.py; this
/// proves the committed file is exactly what the script writes from the installed data, as
/// SchemaTests does for the embedded schema.
@Suite struct CountryTableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func committedTableIsWhatTheGeneratorWrites() throws {
        let script = Self.root.appendingPathComponent("Scripts/generate-countries.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "--stdout"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let generated = out.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "Scripts/generate-countries.py failed (run Scripts/setup): \(problem)")
        let committed = try Data(contentsOf: Self.root.appendingPathComponent("Sources/CasesCore/Cases/Country+Table.swift"))
        #expect(generated == committed, "Country+Table.swift differs from ISO 3166-1: run Scripts/generate-countries.py")
        // And the compiled table is the committed one: every code once, in order.
        let codes = Country.table.map(\.code)
        #expect(codes == codes.sorted() && Set(codes).count == codes.count && codes.count >= 249)
    }
}
