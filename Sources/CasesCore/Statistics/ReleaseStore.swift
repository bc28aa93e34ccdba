import CasesCrypto
import Foundation
import GRDB

/// The release ledger as stored in the vault: each entry sealed under the ledger key, in an
/// append-only table whose MACs chain every entry to the one before.
extension Caseload {
    static let releaseTable = "release"

    /// What the statistics may know of each case: never a name, a city, a free text or an exact
    /// date beyond the year and quarter the engine derives. Cases without a segment or reason
    /// (still in intake) cannot be placed in a public category and are not counted.
    public func statisticsRecords() throws -> [StatisticsRecord] {
        try vault.vault.read { db in try statisticsRecords(db) }
    }

    func statisticsRecords(_ db: Database) throws -> [StatisticsRecord] {
        let (records, damaged) = try summaries(db) { c -> StatisticsRecord? in
            guard let segment = c.segment, let reason = c.reason else { return nil }
            return StatisticsRecord(
                intakeOn: c.openedOn, arrivedOn: c.arrivedOn, segment: segment, reason: reason,
                destination: c.arrivalCountry ?? c.destination, outcome: c.outcome, familyMembers: c.familyCount)
        }
        // A release is sealed for good: counting around a damaged case would publish it wrong.
        guard damaged.isEmpty else { throw StatisticsError.damagedCases(count: damaged.count) }
        return records
    }

    /// Every stored release, oldest first, after checking each seal and the MAC chain.
    public func releaseLedger() throws -> ReleaseLedger {
        try vault.vault.read { db in try loadLedger(db) }
    }

    func loadLedger(_ db: Database) throws -> ReleaseLedger {
        var previous = Data(count: 32)
        var entries: [ReleaseLedgerEntry] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, sealed, mac FROM release ORDER BY seq")
        var expected: Int64 = 1
        while let row = try rows.next() {
            let seq: Int64 = row["seq"]
            let sealed: Data = row["sealed"]
            guard seq == expected,
                constantTimeEqual(Self.chainMAC(previous: previous, seq: seq, sealed: sealed, key: vault.key.ledger), row["mac"] as Data),
                let entry = try? vault.open(
                    ReleaseLedgerEntry.self, sealed: sealed, table: Self.releaseTable, row: String(seq), key: vault.key.ledger)
            else { throw StatisticsError.chainBroken(index: Int(expected - 1)) }
            entries.append(entry)
            previous = row["mac"]
            expected += 1
        }
        let ledger = ReleaseLedger(entries: entries)
        try ledger.verifyChain()
        return ledger
    }

    /// Publishes the table a request describes through the ledger: the stored release if this
    /// exact table was released before (nothing spent), else a new one (with the quarters it
    /// froze, and with `--revise` the year's tables published again), sealed and chained.
    /// One transaction, so two coordinators cannot both spend the last of a budget.
    public func publish(_ request: ReleaseRequest) throws -> ReleaseDecision {
        try vault.vault.write { db in
            var ledger = try loadLedger(db)
            let before = ledger.entries.count
            // Read inside the transaction: a quarter freezes exactly the caseload beside it.
            let decision = try ledger.publish(request) { try statisticsRecords(db) }
            try append(ledger.entries[before...], db)
            return decision
        }
    }

    /// As ``publish(_:)`` with today's date and no flags.
    public func publish(_ spec: TableSpec, revision: Bool = false) throws -> ReleaseDecision {
        try publish(ReleaseRequest(spec: spec, revision: revision, today: today()))
    }

    /// The statistics settings in force.
    public func statisticsSettings() throws -> StatisticsSettings {
        try releaseLedger().settings
    }

    /// Records new statistics settings in the ledger: floors may only rise.
    public func changeStatisticsSettings(kFloor: Int? = nil, roundingFloor: Int? = nil, destinations: [String]? = nil) throws -> StatisticsSettings {
        try vault.vault.write { db in
            var ledger = try loadLedger(db)
            let before = ledger.entries.count
            let settings = try ledger.changeSettings(kFloor: kFloor, roundingFloor: roundingFloor, destinations: destinations)
            try append(ledger.entries[before...], db)
            return settings
        }
    }

    /// Seals and chains new ledger entries after the stored ones.
    private func append(_ new: ArraySlice<ReleaseLedgerEntry>, _ db: Database) throws {
        var previous = try Data.fetchOne(db, sql: "SELECT mac FROM release ORDER BY seq DESC LIMIT 1") ?? Data(count: 32)
        for (offset, entry) in new.enumerated() {
            let seq = Int64(new.startIndex + offset + 1)
            let sealed = try vault.seal(entry, table: Self.releaseTable, row: String(seq), key: vault.key.ledger)
            let mac = Self.chainMAC(previous: previous, seq: seq, sealed: sealed, key: vault.key.ledger)
            try db.execute(sql: "INSERT INTO release (seq, sealed, mac) VALUES (?, ?, ?)", arguments: [seq, sealed, mac])
            previous = mac
        }
    }
}
