import Foundation
import Testing

@Suite struct StatsCLITests {
    @Test func statsFromASyntheticCaseloadHasTheContractShapeAndABudget() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let generated = try cli.run(["demo", "generate", "--count", "3000", "--seed", "7"])
        #expect(generated.code == 0)
        let imported = try cli.run(["import", "-", "--format", "jsonl"], stdin: generated.out)
        #expect(imported.code == 0, "\(imported.err)")

        let r = try cli.run(["stats", "--year", "2021", "--by", "segment,destination", "--json"])
        #expect(r.code == 0, "\(r.err)")
        let doc = cli.json(r.out)
        let release = try #require(doc["release"] as? [String: Any])
        #expect(release["method"] as? String == "threshold")
        #expect(release["k"] as? Int == 10)
        #expect(release["round"] as? Int == 5)
        #expect(release["period"] as? String == "2021")
        #expect(doc["dimensions"] as? [String] == ["segment", "destination"])
        #expect((doc["headline"] as? String)?.hasPrefix("About ") == true)
        let cells = try #require(doc["cells"] as? [[String: Any]])
        #expect(!cells.isEmpty)
        for cell in cells {
            if let n = cell["count"] as? Int {
                #expect(n >= 10 && n % 5 == 0)
            } else {
                #expect(["<10", "x"].contains(cell["count"] as? String))
            }
        }
        // Asked again: the same release, byte for byte.
        #expect(try cli.run(["stats", "--year", "2021", "--by", "segment,destination", "--json"]).out == r.out)

        // Noise from a budget: 0.6 + 0.6 > 1.0 is refused with 77.
        let spent = try cli.run(["stats", "--year", "2022", "--by", "segment", "--dp", "--epsilon", "0.6"])
        #expect(spent.code == 0, "\(spent.err)")
        let over = try cli.run(["stats", "--year", "2022", "--by", "reason", "--dp", "--epsilon", "0.6", "--json"])
        #expect(over.code == 77)
        #expect((cli.json(over.err)["error"] as? [String: Any])?["code"] as? String == "budget")

        let csv = cli.folder + "/2021.csv"
        #expect(try cli.run(["stats", "--year", "2021", "--by", "destination", "--format", "hxl", "--out", csv]).code == 0)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 2 && lines[1].hasPrefix("#"))
        #expect(try cli.run(["stats", "--year", "2021", "--by", "destination", "--format", "hxl", "--out", csv]).code == 73)
        #expect(try cli.run(["stats", "--by", "name"]).code == 65)
        let ledger = cli.json(try cli.run(["stats", "--ledger", "--json"]).out)["releases"] as? [[String: Any]]
        #expect(ledger?.count == 3)
    }
}
