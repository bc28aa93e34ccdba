import Foundation
import Testing

@testable import CasesCore

@Suite struct ReleaseLedgerTests {
    let records: [StatisticsRecord] = {
        var generator = CaseloadGenerator(seed: 11)
        return generator.caseload(count: 300)
    }()

    func dp(_ epsilon: String, by dimensions: [TableDimension] = [.segment]) throws -> TableSpec {
        try TableSpec(
            period: try Period(year: 2021), dimensions: dimensions, mechanism: .discreteLaplace(epsilon: try ExactRational(decimal: epsilon)))
    }

    @Test func samePeriodAndSpecReturnsTheStoredRelease() throws {
        var ledger = ReleaseLedger()
        let spec = try dp("0.5")
        let first = try ledger.publish(records, spec: spec)
        let second = try ledger.publish(records + CaseloadGenerator.cell(1), spec: spec)
        #expect(first.isNew)
        #expect(!second.isNew)
        #expect(second.entry == first.entry)
        #expect(ledger.entries.count == 1)
        #expect(try ledger.budgetLeft(for: spec.period) == ExactRational(1, 2))
    }

    @Test func revisionSpendsBudget() throws {
        var ledger = ReleaseLedger()
        let spec = try dp("0.5")
        _ = try ledger.publish(records, spec: spec)
        let revised = try ledger.publish(records, spec: spec, revision: true)
        #expect(revised.isNew)
        #expect(revised.entry.isRevision == true)
        #expect(try ledger.spent(for: spec.period) == .one)
        #expect(revised.release.budgetLeft == .zero)
    }

    @Test func exceedingTheBudgetThrowsBudgetExhausted() throws {
        var ledger = ReleaseLedger()
        _ = try ledger.publish(records, spec: try dp("0.7"))
        #expect(throws: StatisticsError.budgetExhausted(period: "2021", spent: "0.7", requested: "0.4", budget: "1")) {
            try ledger.publish(records, spec: try dp("0.4", by: [.destination]))
        }
        // Exactly what is left still fits: 0.7 + 0.3 = 1 with no rounding error.
        _ = try ledger.publish(records, spec: try dp("0.3", by: [.destination]))
        #expect(try ledger.budgetLeft(for: try Period(parsing: "2021-Q3")) == .zero)
        let error = StatisticsError.budgetExhausted(period: "2021", spent: "1", requested: "0.1", budget: "1")
        #expect(error.description.hasPrefix("The privacy budget for people counted in 2021 is used up"))
    }

    @Test func tenReleasesOfOneTenthAddUpExactly() throws {
        var ledger = ReleaseLedger()
        let dims: [[TableDimension]] = [
            [], [.segment], [.reason], [.destination], [.outcome], [.quarter],
            [.segment, .destination], [.reason, .destination], [.segment, .reason], [.outcome, .segment],
        ]
        for d in dims { _ = try ledger.publish(records, spec: try dp("0.1", by: d)) }
        #expect(try ledger.spent(for: try Period(year: 2021)) == .one)
        #expect(throws: StatisticsError.self) { try ledger.publish(records, spec: try dp("0.000001", by: [.year])) }
    }

    @Test func thresholdReleaseWithOtherSettingsOfTheSameTableIsRefused() throws {
        var ledger = ReleaseLedger()
        let period = try Period(year: 2021)
        _ = try ledger.publish(records, spec: try TableSpec(period: period, dimensions: [.segment]))
        #expect(throws: StatisticsError.self) {
            try ledger.publish(records, spec: try TableSpec(period: period, dimensions: [.segment], k: 11))
        }
        let revised = try ledger.publish(records, spec: try TableSpec(period: period, dimensions: [.segment], k: 11), revision: true)
        #expect(revised.isNew)
        #expect(try ledger.spent(for: period) == .zero)
    }

    @Test func untouchedChainVerifies() throws {
        var ledger = ReleaseLedger()
        _ = try ledger.publish(records, spec: try dp("0.2"))
        _ = try ledger.publish(records, spec: try TableSpec(period: try Period(year: 2022), dimensions: [.destination]))
        _ = try ledger.publish(records, spec: try dp("0.2", by: [.reason]))
        try ledger.verifyChain()
        // Entries survive a round trip through their stored form.
        let data = try JSONEncoder().encode(ledger.entries)
        let restored = ReleaseLedger(entries: try JSONDecoder().decode([ReleaseLedgerEntry].self, from: data))
        try restored.verifyChain()
        #expect(restored == ledger)
    }

    @Test func tamperedEntryBreaksTheChain() throws {
        var ledger = ReleaseLedger()
        _ = try ledger.publish(records, spec: try dp("0.2"))
        _ = try ledger.publish(records, spec: try dp("0.2", by: [.reason]))
        _ = try ledger.publish(records, spec: try dp("0.2", by: [.destination]))
        let stored = try JSONEncoder().encode(ledger.entries)
        var json = String(decoding: stored, as: UTF8.self)
        // Lower the recorded ε of the second entry, as someone hiding spent budget would.
        let entries = try JSONDecoder().decode([ReleaseLedgerEntry].self, from: stored)
        var second = try JSONSerialization.jsonObject(with: JSONEncoder().encode(entries[1])) as! [String: Any]
        second["epsilon"] = "1/100"
        var tampered = entries
        tampered[1] = try JSONDecoder().decode(ReleaseLedgerEntry.self, from: JSONSerialization.data(withJSONObject: second))
        #expect(throws: StatisticsError.chainBroken(index: 1)) { try ReleaseLedger(entries: tampered).verifyChain() }
        // A removed entry breaks the link of the next one.
        #expect(throws: StatisticsError.chainBroken(index: 1)) { try ReleaseLedger(entries: [entries[0], entries[2]]).verifyChain() }
        // Edited published numbers are caught too.
        json = json.replacingOccurrences(of: "relocated", with: "moved")
        let edited = try JSONDecoder().decode([ReleaseLedgerEntry].self, from: Data(json.utf8))
        #expect(throws: StatisticsError.chainBroken(index: 0)) { try ReleaseLedger(entries: edited).verifyChain() }
    }
}
