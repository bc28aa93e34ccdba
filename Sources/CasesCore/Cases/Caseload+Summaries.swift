import CasesCrypto
import Foundation
import GRDB

/// Listing: every case's small sealed summary, opened on every core while the next rows are read.
extension Caseload {
    /// The associated-data name of sealed summaries: the column they live in, so that a summary
    /// and the sealed case beside it (table `case_snapshot`, the same row) never share one.
    static let summaryTable = "case_snapshot.summary"

    /// Cases matching `filter`, newest activity first, and the ids of any that failed their
    /// integrity check (listed so the caseworker knows, never silently skipped).
    ///
    /// Reads each case's small sealed summary and opens them on every core at once.
    public func list(_ filter: CaseFilter = CaseFilter()) throws -> (cases: [CaseSummary], damaged: [String]) {
        let now = today()
        var (cases, damaged) = try vault.vault.read { db in
            try summaries(db) { filter.matches($0, today: now) ? $0 : nil }
        }
        cases.sort { ($0.lastActivityAt, $0.id.compact) > ($1.lastActivityAt, $1.id.compact) }
        return (cases, damaged)
    }

    /// Every case's summary, in no particular order, and the ids of cases that did not open.
    func summaries(_ db: Database) throws -> (cases: [CaseSummary], damaged: [String]) {
        try summaries(db) { $0 }
    }

    /// What `keep` makes of each case's summary (nil leaves the case out), in no particular
    /// order, and the ids of cases that did not open (a row without a summary among them).
    /// `keep` runs on the threads that open the summaries, so a filter or a smaller record
    /// keeps memory to what is kept.
    func summaries<T: Sendable>(_ db: Database, keep: @escaping @Sendable (CaseSummary) -> T?) throws -> (cases: [T], damaged: [String]) {
        let (key, vaultID) = (vault.key.records, vault.vault.vaultID)
        let cursor = try CaseTable.summaries(db)
        var cases: [T] = []
        var damaged: [String] = []
        // This thread reads the next chunk of rows while other threads open the chunks read.
        try OrderedPipeline<(kept: [T], damaged: [String])>.map(depth: 4) {
            let rows = try PackedRows.fetch(cursor, limit: 4096)
            return rows.count == 0 ? nil : rows
        } transform: { rows in
            Self.openSummaries(rows, key: key, vaultID: vaultID, keep: keep)
        } consume: { chunk in
            cases += chunk.kept
            damaged += chunk.damaged
        }
        return (cases, damaged.sorted())
    }

    /// What `keep` makes of each summary of `rows` that opens, and the ids of those that do not.
    private static func openSummaries<T>(
        _ rows: PackedRows, key: SecretBytes, vaultID: [UInt8],
        keep: (CaseSummary) -> T?
    ) -> (kept: [T], damaged: [String]) {
        var opener = SealedRecord.Opener(key: key, vaultID: vaultID, table: Self.summaryTable)
        defer { opener.wipe() }
        var kept: [T] = []
        var damaged: [String] = []
        for i in 0..<rows.count {
            let summary = CaseID(parsing: rows.ids[i]).flatMap { id in
                rows.withSealed(i) { sealed in
                    try? opener.open(sealed, row: id.compact) { plain in try CaseSummary(decoding: plain, expected: id) }
                }
            }
            if let summary {
                if let k = keep(summary) { kept.append(k) }
            } else {
                damaged.append(displayID(rows.ids[i]))
            }
        }
        return (kept, damaged)
    }

    /// A stored id as a caseworker reads it, or as it is when it does not parse.
    static func displayID(_ text: String) -> String { CaseID(parsing: text)?.description ?? text }

    func openSummary(id: CaseID, sealed: Data) throws -> CaseSummary {
        try sealed.withUnsafeBytes { try openSummary(id: id, sealed: $0) }
    }

    func openSummary(id: CaseID, sealed: UnsafeRawBufferPointer) throws -> CaseSummary {
        guard
            var plain = try? SealedRecord.open(
                sealed, key: vault.key.records, vaultID: vault.vault.vaultID, table: Self.summaryTable, row: id.compact)
        else {
            throw CaseError.integrity(id)
        }
        defer { plain.wipe() }
        guard let s = try? CaseSummary(decoding: plain, expected: id) else {
            throw CaseError.integrity(id)
        }
        return s
    }

}
