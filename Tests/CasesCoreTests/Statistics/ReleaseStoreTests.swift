import Foundation
import GRDB
import Testing

@testable import CasesCore

/// The release ledger as stored in the vault.
@Suite struct ReleaseStoreTests {
    /// A vault holding `n` principals who arrived in Georgia in 2021.
    func vault(arrivals n: Int) throws -> TestVault {
        let t = try TestVault()
        _ = try t.caseload.open((0..<n).map { i in arrivedIn2021(i) })
        return t
    }

    func arrivedIn2021(_ i: Int) -> OpenDocument {
        var d = sampleDocument(canary: "Person\(i)")
        d.openedOn = ISODate("2021-02-01")
        d.history = [
            HistoryStep(stage: .riskAssessment, on: ISODate("2021-02-10")!, assessment: RiskAssessment(level: .high, likelihood: 3, impact: 4)),
            HistoryStep(stage: .destination, on: ISODate("2021-03-01")!, destination: DestinationPlan(country: CountryCode("GE"), route: .visaFree)),
            HistoryStep(
                stage: .arrival, on: ISODate("2021-04-01")!,
                arrival: Arrival(arrivedOn: ISODate("2021-04-01"), country: CountryCode("GE"), city: "Tbilisi")),
        ]
        return d
    }

    @Test func askingAgainReturnsTheStoredReleaseEvenAfterANewPerson() throws {
        let t = try vault(arrivals: 23)
        let spec = try TableSpec(period: Period(year: 2021), dimensions: [.destination])
        let first = try t.caseload.publish(spec)
        #expect(first.isNew)
        _ = try t.caseload.open([arrivedIn2021(99)])
        let again = try t.caseload.publish(spec)
        #expect(!again.isNew)
        #expect(again.entry == first.entry)
        #expect(again.release.rendered(as: .json) == first.release.rendered(as: .json))
        #expect(try t.reopen().releaseLedger().entries.count == 1)
    }

    @Test func noisyRevisionsSpendTheBudgetUntilItIsGone() throws {
        let t = try vault(arrivals: 30)
        let spec = try TableSpec(period: Period(year: 2021), dimensions: [.segment], mechanism: .discreteLaplace(epsilon: ExactRational(1, 2)))
        let first = try t.caseload.publish(spec)
        #expect(first.release.budgetLeft == ExactRational(1, 2))
        #expect(!(try t.caseload.publish(spec)).isNew) // the same table again costs nothing
        let revised = try t.caseload.publish(spec, revision: true)
        #expect(revised.isNew)
        #expect(revised.release.budgetLeft == .zero)
        do {
            _ = try t.caseload.publish(spec, revision: true)
            Issue.record("spent beyond the budget")
        } catch let e as StatisticsError {
            #expect(e.kind == .budget)
        }
        #expect(try t.caseload.releaseLedger().entries.count == 2)
    }

    @Test func aTamperedReleaseBreaksTheLedger() throws {
        let t = try vault(arrivals: 12)
        _ = try t.caseload.publish(try TableSpec(period: Period(year: 2021)))
        _ = try t.caseload.publish(try TableSpec(period: Period(year: 2022), dimensions: [.segment]))
        try t.unlocked.vault.write { db in
            try db.execute(sql: "DROP TRIGGER release_is_append_only_update")
            var sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM release WHERE seq = 1")!
            sealed[sealed.count / 2] ^= 0x10
            try db.execute(sql: "UPDATE release SET sealed = ? WHERE seq = 1", arguments: [sealed])
        }
        #expect(throws: StatisticsError.chainBroken(index: 0)) { try t.caseload.releaseLedger() }
        #expect(StatisticsError.chainBroken(index: 0).kind == .integrity)
    }

    @Test func casesStillInIntakeAreNotCounted() throws {
        let t = try vault(arrivals: 3)
        var doc = sampleDocument()
        doc.principal.segment = nil
        _ = try t.caseload.open(doc)
        #expect(try t.caseload.statisticsRecords().count == 3)
    }

    /// A release is kept for good, so one made while a case does not open would stay wrong.
    @Test func aDamagedCaseStopsARelease() throws {
        let t = try vault(arrivals: 3)
        let victim = try #require(try t.caseload.list().cases.first).id
        try t.unlocked.vault.write { db in
            var sealed = try Data.fetchOne(db, sql: "SELECT summary FROM case_snapshot WHERE case_id = ?", arguments: [victim.compact])!
            sealed[sealed.count - 1] ^= 0x01
            try db.execute(sql: "UPDATE case_snapshot SET summary = ? WHERE case_id = ?", arguments: [sealed, victim.compact])
        }
        let spec = try TableSpec(period: Period(year: 2021), dimensions: [.segment])
        #expect(throws: StatisticsError.damagedCases(count: 1)) { try t.caseload.publish(spec) }
        #expect(StatisticsError.damagedCases(count: 1).kind == .integrity)
        #expect(try t.caseload.releaseLedger().entries.isEmpty)
    }
}
