import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// The microdata a year's first release seals into the ledger.
@Suite struct FrozenQuarterTests {
    @Test func aFrozenQuarterHoldsCategoryCountsOnly() throws {
        var generator = CaseloadGenerator(seed: 5)
        let records = generator.caseload(count: 400)
        let q = FrozenQuarter(year: 2021, quarter: 2, destinations: ["GE", "LT"], records: records)
        #expect(q.arrival.map(\.count).reduce(0, +) == records.filter { $0.arrivedOn.map { $0.year == 2021 && $0.quarter == 2 } ?? false }.count)
        #expect(q.intake.map(\.count).reduce(0, +) == records.filter { $0.intakeOn.year == 2021 && $0.intakeOn.quarter == 2 }.count)
        let encoded = String(decoding: try JSONEncoder().encode(q), as: UTF8.self)
        // Destinations outside the list are only `other`; no date finer than the quarter.
        #expect(!encoded.contains("\"UA\"") && !encoded.contains(" UA ") && !encoded.contains("2021-"))
        #expect(try JSONDecoder().decode(FrozenQuarter.self, from: Data(encoded.utf8)) == q)
        // Expanded again, the records give the same tables.
        let spec = try TableSpec(period: Period(parsing: "2021-Q2"), dimensions: [.segment, .reason])
        let live = try StatisticsEngine.computeRelease(of: records, spec: spec)
        let frozen = try StatisticsEngine.computeRelease(of: q.records(.arrival), spec: spec)
        #expect(live.cells == frozen.cells && live.margins == frozen.margins && live.total == frozen.total)
    }

    @Test func equalQuartersHashDifferentlySoAPrintedHashConfirmsNoGuess() {
        let records = CaseloadGenerator.cell(3)
        let a = FrozenQuarter(year: 2021, quarter: 1, destinations: ["GE"], records: records)
        let b = FrozenQuarter(year: 2021, quarter: 1, destinations: ["GE"], records: records)
        #expect(a.intake == b.intake && a.arrival == b.arrival)
        #expect(a.salt != b.salt && a.salt.count == 64)
    }

    @Test func aNewcomerAfterTheFirstReleaseIsNotCounted() throws {
        var ledger = ReleaseLedger()
        let records = CaseloadGenerator.cell(22, destination: "LT")
        let byReason = try TableSpec(period: Period(year: 2021), dimensions: [.reason])
        let first = try ledger.publish(records, spec: byReason)
        let frozenCount = ledger.entries[0].frozen?.count
        #expect(frozenCount == 4)
        let later = try ledger.publish(
            records + CaseloadGenerator.cell(1, destination: "LT"),
            spec: try TableSpec(period: Period(year: 2021), dimensions: [.reason], includeFamily: true))
        #expect(later.release.total == first.release.total)
        #expect(later.release.cells.map(\.count) == first.release.cells.map(\.count))
        #expect(ledger.entries[1].frozen == nil)
    }

    @Test func aRevisionRefreezesOnlyThePeriodItNames() throws {
        var ledger = ReleaseLedger()
        var generator = CaseloadGenerator(seed: 9)
        let records = generator.caseload(count: 200)
        _ = try ledger.publish(records, spec: try TableSpec(period: Period(year: 2021), dimensions: [.reason]))
        let before = ledger.frozenQuarters(ofYear: 2021)
        let q3 = try TableSpec(period: Period(parsing: "2021-Q3"), dimensions: [.reason])
        let revised = try ledger.publish(records + generator.caseload(count: 30), spec: q3, revision: true)
        let after = ledger.frozenQuarters(ofYear: 2021)
        #expect(after[1] == before[1] && after[2] == before[2] && after[4] == before[4])
        #expect(after[3] != before[3] && after[3]?.arrival != before[3]?.arrival)
        // The year's table was published again from the new quarter, before the one asked for.
        #expect(revised.republished.map { $0.release?.spec.tableKey } == [try TableSpec(period: Period(year: 2021), dimensions: [.reason]).tableKey])
        try ledger.verifyChain()
    }

    @Test func theVaultFileShowsNoCategoryOfAFrozenYear() throws {
        let t = try ReleaseStoreTests().vault(arrivals: 1)
        _ = try t.caseload.publish(try TableSpec(period: Period(year: 2021), dimensions: [.segment]))
        #expect(try t.reopen().releaseLedger().entries[0].frozen?.count == 4)
        try t.unlocked.vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: t.path))
        for word in ["journalist", "criminal_prosecution", "visa_free", "open 0 1"] {
            #expect(bytes.range(of: Data(word.utf8)) == nil, "\(word) in the vault file")
        }
    }

    /// A release row that froze a year is as long as its padding bucket: its size says, within
    /// a factor of two, how many category combinations the year holds, and nothing finer.
    @Test func aFreezingReleaseRowIsPaddedToABucket() throws {
        var lengths: [Int] = []
        for n in [1, 3] {
            let t = try ReleaseStoreTests().vault(arrivals: n)
            _ = try t.caseload.publish(try TableSpec(period: Period(year: 2021), dimensions: [.segment]))
            let sealed = try t.unlocked.vault.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM release WHERE seq = 1") }
            let body = try #require(sealed).count - 1 - XChaCha20Poly1305.overhead
            #expect(body == Padding.bucket(for: body - 1))
            #expect(try t.caseload.releaseLedger().entries[0].frozen?.count == 4)
            lengths.append(body)
        }
        // One principal or three of the same kind: the same combinations, the same length.
        #expect(lengths[0] == lengths[1])
    }
}
