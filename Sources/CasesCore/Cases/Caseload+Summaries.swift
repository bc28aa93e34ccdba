import CasesCrypto
import Foundation
import GRDB

/// Listing: every case's small sealed summary, opened on every core while the next rows are read.
extension Caseload {
    /// The associated-data name of sealed summaries. Since format 7 a summary lives in its
    /// case's row (`case_snapshot.summary`); the name stays, so nothing is sealed again.
    static let summaryTable = "case_summary"

    /// Cases matching `filter`, newest activity first, and the ids of any that failed their
    /// integrity check (listed so the caseworker knows, never silently skipped).
    ///
    /// Reads each case's small sealed summary (falling back to the whole snapshot for a case
    /// written before summaries existed) and opens them on every core at once.
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
    /// order, and the ids of cases that did not open. `keep` runs on the threads that open the
    /// summaries, so a filter or a smaller record keeps memory to what is kept.
    func summaries<T>(_ db: Database, keep: @escaping @Sendable (CaseSummary) -> T?) throws -> (cases: [T], damaged: [String]) {
        // Fetching and opening overlap: this thread reads the next chunk of rows while other
        // threads open the chunks already read.
        let group = DispatchGroup()
        let workers = DispatchQueue(label: "cases.summaries", attributes: .concurrent)
        var chunks: [SummaryChunk<T>] = []
        let (key, vaultID) = (vault.key.records, vault.vault.vaultID)
        let cursor = try Row.fetchCursor(db, sql: "SELECT case_id, summary FROM case_snapshot WHERE summary IS NOT NULL")
        while true {
            let rows = try PackedRows.fetch(cursor, limit: 4096)
            if rows.count == 0 { break }
            let chunk = SummaryChunk<T>(rows)
            chunks.append(chunk)
            workers.async(group: group) {
                var opener = SealedRecord.Opener(key: key, vaultID: vaultID, table: Self.summaryTable)
                defer { opener.wipe() }
                for i in 0..<rows.count {
                    let summary = CaseID(parsing: rows.ids[i]).flatMap { id in
                        rows.withSealed(i) { sealed in
                            try? opener.open(sealed, row: id.compact) { plain in try CaseSummary(decoding: plain, expected: id) }
                        }
                    }
                    if let summary {
                        if let kept = keep(summary) { chunk.kept.append(kept) }
                    } else {
                        chunk.failed.append(i)
                    }
                }
            }
        }
        // A case written before summaries existed, or whose summary is missing, is read whole.
        // Counting the snapshots' unique index is cheap; the search runs only on a mismatch.
        let fetched = chunks.reduce(0) { $0 + $1.rows.count }
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") ?? 0
        let legacy = total == fetched ? [] : try Row.fetchAll(db, sql: "SELECT case_id, sealed FROM case_snapshot WHERE summary IS NULL")
        group.wait()

        var cases: [T] = []
        var damaged: [String] = []
        for chunk in chunks {
            cases += chunk.kept
            damaged += chunk.failed.map { Self.displayID(chunk.rows.ids[$0]) }
        }
        for row in legacy {
            let text: String = row["case_id"]
            if let id = CaseID(parsing: text), let c = try? openSnapshot(id: id, sealed: row["sealed"]) {
                if let kept = keep(CaseSummary(c)) { cases.append(kept) }
            } else {
                damaged.append(Self.displayID(text))
            }
        }
        return (cases, damaged.sorted())
    }

    /// A stored id as a caseworker reads it, or as it is when it does not parse.
    static func displayID(_ text: String) -> String { CaseID(parsing: text)?.description ?? text }

    func openSummary(id: CaseID, sealed: Data) throws -> CaseSummary {
        try sealed.withUnsafeBytes { try openSummary(id: id, sealed: $0) }
    }

    func openSummary(id: CaseID, sealed: UnsafeRawBufferPointer) throws -> CaseSummary {
        guard var plain = try? SealedRecord.open(sealed, key: vault.key.records, vaultID: vault.vault.vaultID, table: Self.summaryTable, row: id.compact) else {
            throw CaseError.integrity(id)
        }
        defer { plain.wipe() }
        guard let s = try? CaseSummary(decoding: plain, expected: id) else {
            throw CaseError.integrity(id)
        }
        return s
    }

}

/// One chunk of summary rows and what a worker made of them: written by that one worker, read
/// after the dispatch group's wait.
final class SummaryChunk<Kept>: @unchecked Sendable {
    let rows: PackedRows
    var kept: [Kept] = []
    var failed: [Int] = [] // the rows that did not open
    init(_ rows: PackedRows) { self.rows = rows }
}
