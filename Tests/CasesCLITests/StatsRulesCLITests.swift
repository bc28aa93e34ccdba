import Foundation
import Testing

/// The rules `cases stats` enforces on every release: floors, periods, one mechanism per year,
/// a budget per person, revisions, and the ledger position printed with each release.
@Suite struct StatsRulesCLITests {
    /// A vault with 37 principals who arrived in 2021 and, by intake, 2021 too.
    func vault() throws -> CLIHarness {
        let cli = try CLIHarness()
        try cli.initVault()
        let lines =
            (0..<22).map { ArrivalLines.line($0, arrived: "2021-05-10", country: $0 < 12 ? "LT" : "GE") }
            + (22..<37).map { ArrivalLines.line($0, arrived: "2021-07-10", reason: "political_pressure", country: "GE", family: 1) }
        #expect(try cli.run(["import", "-", "--format", "jsonl"], stdin: lines.joined(separator: "\n") + "\n").code == 0)
        return cli
    }

    func errorCode(_ r: CLIHarness.Result, _ cli: CLIHarness) -> String? {
        (cli.json(r.err)["error"] as? [String: Any])?["code"] as? String
    }

    @Test func floorsOfKAndRoundingCanOnlyRise() throws {
        let cli = try vault()
        for args in [["--k", "5"], ["--round", "1"], ["--k", "9"], ["--round", "4"], ["--k", "5", "--round", "1", "--revise"]] {
            let r = try cli.run(["stats", "--year", "2021", "--by", "reason"] + args)
            #expect(r.code == 65, "\(args) was accepted")
            #expect(r.err.contains("below the floor"), "\(r.err)")
        }
        #expect(try cli.run(["stats", "--year", "2021", "--by", "reason", "--k", "15", "--round", "10"]).code == 0)
        // The vault's floor rises for every later release, and never comes down.
        #expect(try cli.run(["stats", "--raise-k-floor", "12"]).code == 0)
        #expect(try cli.run(["stats", "--raise-k-floor", "11"]).code == 65)
        #expect(try cli.run(["stats", "--year", "2021", "--by", "destination", "--k", "10"]).code == 65)
        let r = try cli.run(["stats", "--year", "2021", "--by", "destination", "--json"])
        #expect(r.code == 0, "\(r.err)")
        #expect((cli.json(r.out)["release"] as? [String: Any])?["k"] as? Int == 12)
        let settings = cli.json(try cli.run(["stats", "--settings", "--json"]).out)["settings"] as? [String: Any]
        #expect(settings?["k_floor"] as? Int == 12)
        #expect(settings?["destinations"] as? [String] == ["GE", "LT", "UA", "AM", "TR", "KZ", "RS", "DE", "PL", "LV", "EE", "IL"])
    }

    @Test func aPeriodThatHasNotEndedNeedsProvisionalAndSaysSo() throws {
        let cli = try vault()
        let thisYear = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).year!
        for year in [thisYear, 2030] {
            let r = try cli.run(["stats", "--year", String(year), "--json"])
            #expect(r.code == 65)
            #expect(errorCode(r, cli) == "invalid_input")
        }
        let provisional = try cli.run(["stats", "--year", String(thisYear), "--provisional", "--json"])
        #expect(provisional.code == 0, "\(provisional.err)")
        #expect((cli.json(provisional.out)["release"] as? [String: Any])?["provisional"] as? Bool == true)
        let ended = try cli.run(["stats", "--year", "2021", "--json"])
        #expect((cli.json(ended.out)["release"] as? [String: Any])?["provisional"] as? Bool == false)
        // Without --year: the last complete year, said on stderr.
        let defaulted = try cli.run(["stats", "--by", "reason"])
        #expect(defaulted.code == 0, "\(defaulted.err)")
        #expect(defaulted.err.contains("counting \(thisYear - 1), the last complete year"))
    }

    @Test func aYearKeepsTheMechanismOfItsFirstRelease() throws {
        let cli = try vault()
        #expect(try cli.run(["stats", "--year", "2021", "--by", "segment", "--dp"]).code == 0)
        for args in [["--by", "reason"], ["--by", "segment", "--revise"], ["--quarter", "2"]] {
            let r = try cli.run(["stats", "--year", "2021", "--json"] + args)
            #expect(r.code == 65, "\(args): a plain table was published beside a noisy one")
        }
        #expect(try cli.run(["stats", "--year", "2022", "--by", "reason"]).code == 0)
        #expect(try cli.run(["stats", "--year", "2022", "--by", "segment", "--dp"]).code == 65)
    }

    @Test func noisyReleasesSpendFromOneBudgetPerPersonAcrossBases() throws {
        let cli = try vault()
        // Counted by intake in 2020 and by arrival in 2021: both releases spend from the same person.
        #expect(try cli.run(["stats", "--year", "2020", "--basis", "intake", "--dp", "--epsilon", "0.6"]).code == 0)
        let over = try cli.run(["stats", "--year", "2021", "--dp", "--epsilon", "0.5", "--json"])
        #expect(over.code == 77)
        #expect(errorCode(over, cli) == "budget")
        let fits = try cli.run(["stats", "--year", "2021", "--dp", "--epsilon", "0.4", "--json"])
        #expect(fits.code == 0, "\(fits.err)")
        #expect((cli.json(fits.out)["release"] as? [String: Any])?["budget_left"] as? Int == 0)
        // Another arrival year holds other people: it may spend again.
        #expect(try cli.run(["stats", "--year", "2022", "--dp", "--epsilon", "0.4"]).code == 0)
    }

    @Test func everyReleasePrintsItsLedgerEntryAndChainHash() throws {
        let cli = try vault()
        let json = cli.json(try cli.run(["stats", "--year", "2021", "--by", "reason", "--json"]).out)["release"] as? [String: Any]
        #expect(json?["ledger_seq"] as? Int == 1)
        let head = try #require(json?["ledger_head"] as? String)
        #expect(head.count == 64 && head.allSatisfy(\.isHexDigit))
        let csv = try cli.run(["stats", "--year", "2021", "--by", "destination", "--format", "csv"]).out
        let last = try #require(csv.split(separator: "\n").last)
        #expect(last.hasPrefix("# release ") && last.contains("ledger entry 2, chain hash "))
        let table = try cli.run(["stats", "--year", "2021", "--by", "segment"]).out
        #expect(table.contains("ledger entry 3, chain hash "))
        // The stored release is printed with its own place, unchanged.
        let again = cli.json(try cli.run(["stats", "--year", "2021", "--by", "reason", "--json"]).out)["release"] as? [String: Any]
        #expect(again?["ledger_seq"] as? Int == 1 && again?["ledger_head"] as? String == head)
        let ledger = cli.json(try cli.run(["stats", "--ledger", "--json"]).out)["releases"] as? [[String: Any]]
        #expect(ledger?.map { $0["ledger_seq"] as? Int } == [1, 2, 3])
    }

    @Test func aRevisionRefreezesTheYearAndPublishesItsTablesAgain() throws {
        let cli = try vault()
        let before = cli.json(try cli.run(["stats", "--year", "2021", "--by", "reason", "--json"]).out)
        #expect(try cli.run(["stats", "--year", "2021", "--by", "destination"]).code == 0)
        let newcomers = (50..<54).map { ArrivalLines.line($0, arrived: "2021-09-01", country: "LT") }
        #expect(try cli.run(["import", "-", "--format", "jsonl"], stdin: newcomers.joined(separator: "\n") + "\n").code == 0)
        // Without --revise nothing counts them.
        #expect(
            try cli.run(["stats", "--year", "2021", "--by", "reason", "--json"]).out.contains("\"count\":20,\"reason\":\"criminal_prosecution\""))
        let revised = try cli.run(["stats", "--year", "2021", "--by", "reason", "--revise", "--json"])
        #expect(revised.code == 0, "\(revised.err)")
        #expect(revised.out.contains("\"count\":25,\"reason\":\"criminal_prosecution\""))
        #expect((before["release"] as? [String: Any])?["id"] as? String != (cli.json(revised.out)["release"] as? [String: Any])?["id"] as? String)
        let ledger = try #require(cli.json(try cli.run(["stats", "--ledger", "--json"]).out)["releases"] as? [[String: Any]])
        #expect(ledger.map { $0["revision"] as? Bool } == [false, false, true, true])
        #expect(ledger[2]["spec"] as? String == ledger[1]["spec"] as? String)
    }
}
