import Foundation
import Testing

@testable import CasesCore

@Suite struct ReleaseRenderingTests {
    /// 1,598 principals in 2021: 708 to Georgia, 450 to Lithuania, 300 to Ukraine, the rest spread thin.
    let caseload: [StatisticsRecord] = {
        var records =
            CaseloadGenerator.cell(708, destination: "GE") + CaseloadGenerator.cell(450, segment: .lawyer, destination: "LT")
            + CaseloadGenerator.cell(300, segment: .oppositionActivist, destination: "UA")
        for (i, code) in ["AM", "TR", "DE", "KZ", "RS", "PL", "US", "IL"].enumerated() {
            records += CaseloadGenerator.cell(10 + i * 2, segment: .humanRightsDefender, destination: code)
        }
        records += CaseloadGenerator.cell(4, segment: .other, destination: "BR")
        return records
    }()

    func release(by dimensions: [TableDimension], family: Bool = false) throws -> Release {
        try StatisticsEngine.computeRelease(
            of: caseload, spec: try TableSpec(period: try Period(year: 2021), dimensions: dimensions, includeFamily: family))
    }

    @Test func headlineNamesTheRoundedTotalAndTopDestinations() throws {
        #expect(caseload.count == 1598)
        let expected = "About 1,600 people relocated in 2021, excluding family members; most went to Georgia, Lithuania and Ukraine."
        #expect(try release(by: [.destination]).headline == expected)
        #expect(try release(by: [.segment, .destination]).headline == expected)
        // Without a destination dimension the headline claims nothing about destinations.
        #expect(try release(by: [.segment]).headline == "About 1,600 people relocated in 2021, excluding family members.")
    }

    /// "Fewer than 10 people relocated in 2021, plus about 10 family members" would prove that
    /// someone left: the family total goes through the same suppression.
    @Test func headlineNeverPairsAHiddenTotalWithFamilyMembers() throws {
        let spec = try TableSpec(period: try Period(year: 2021), includeFamily: true)
        let few = try StatisticsEngine.computeRelease(of: CaseloadGenerator.cell(5, family: 2), spec: spec)
        #expect(few.headline == "Fewer than 10 people relocated in 2021.")
        #expect(few.familyTotal == .withheld)
        // All in one category: the total is withheld, and the headline says so, nothing more.
        let byReason = try TableSpec(period: try Period(year: 2021), dimensions: [.reason], includeFamily: true)
        let one = try StatisticsEngine.computeRelease(of: CaseloadGenerator.cell(12, family: 1), spec: byReason)
        #expect(one.total == .withheld)
        #expect(one.headline == "How many people relocated in 2021 is withheld, so that small groups cannot be worked out.")
    }

    @Test func jsonHasTheShapeOfTheCommandLineContract() throws {
        let r = try release(by: [.segment, .destination])
        let object = try JSONSerialization.jsonObject(with: Data(r.renderJSON().utf8)) as! [String: Any]
        let meta = object["release"] as! [String: Any]
        #expect(meta["id"] as? String == r.id)
        #expect(meta["period"] as? String == "2021")
        #expect(meta["method"] as? String == "threshold")
        #expect(meta["k"] as? Int == 10)
        #expect(meta["round"] as? Int == 5)
        #expect(meta["epsilon"] is NSNull)
        #expect(meta["budget_left"] is NSNull)
        #expect(object["headline"] as? String == r.headline)
        #expect(object["dimensions"] as? [String] == ["segment", "destination"])
        let cells = object["cells"] as! [[String: Any]]
        #expect(cells.count == r.cells.count)
        for cell in cells {
            #expect(cell["segment"] is String && cell["destination"] is String)
            #expect(cell["count"] is Int || ["<10", "x"].contains(cell["count"] as? String))
        }
        #expect((object["total"] as! [String: Any])["count"] as? Int == 1600)
        // Sorted keys: the same release always gives the same bytes.
        #expect(r.renderJSON() == r.renderJSON())
        #expect(r.renderJSON().hasPrefix("{\"cells\":"))
    }

    @Test func jsonCarriesExactEpsilonAndBudgetForNoisyReleases() throws {
        let spec = try TableSpec(
            period: try Period(year: 2021), dimensions: [.destination],
            mechanism: .discreteLaplace(epsilon: try ExactRational(decimal: "0.1")))
        let r = try StatisticsEngine.computeRelease(of: caseload, spec: spec, budgetLeft: ExactRational(9, 10))
        let json = r.renderJSON()
        #expect(json.contains("\"epsilon\":0.1"))
        #expect(json.contains("\"budget_left\":0.9"))
        #expect(json.contains("\"method\":\"dp\""))
    }

    @Test func csvAndHxlListCellsMarginsAndTotal() throws {
        let r = try release(by: [.segment, .destination])
        let csv = r.rendered(as: .csv).split(separator: "\n")
        #expect(csv.first == "segment,destination,count")
        #expect(csv.last == "total,total,1600")
        #expect(csv.count == 1 + r.cells.count + r.margins.count + 1)
        let hxl = r.rendered(as: .hxl).split(separator: "\n")
        #expect(hxl[1] == "#group+segment,#country+code+destination,#affected+num")
        let family = try release(by: [.destination], family: true).rendered(as: .hxl).split(separator: "\n")
        #expect(family[0] == "destination,count,family")
        #expect(family[1] == "#country+code+destination,#affected+num,#affected+num+family")
    }

    @Test func terminalTableShowsHeadlineCountryNamesAndFootnote() throws {
        let text = try release(by: [.segment, .destination]).rendered(as: .table)
        #expect(text.hasPrefix("About 1,600 people relocated in 2021"))
        #expect(text.contains("GE Georgia"))
        #expect(text.contains("Counts under 10 shown as <10"))
        let oneWay = try release(by: [.destination]).rendered(as: .table)
        #expect(oneWay.contains("LT Lithuania"))
        #expect(oneWay.contains("total"))
    }

    @Test func countryNamesFallBackToISOThenTheCode() {
        #expect(CountryNames.name(for: "ge") == "Georgia")
        #expect(CountryNames.name(for: "NL") == "the Netherlands")
        #expect(CountryNames.name(for: "BR") == "Brazil")
        #expect(CountryNames.name(for: "XQ") == "XQ")
        #expect(StatisticsSettings.defaultDestinations.allSatisfy { CountryNames.name(for: $0) != $0 })
    }
}
