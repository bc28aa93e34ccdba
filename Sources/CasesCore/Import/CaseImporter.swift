import Foundation
import GRDB

/// Brings an existing caseload into the vault: `cases import FILE --format jsonl|csv`.
///
/// All or nothing. The whole file is read in one IMMEDIATE transaction: each valid row is
/// sealed and stored as it is read (a case and its past as events, exactly as `open`,
/// `advance` and `close` would have written them), and if any row was rejected, or this is a
/// dry run, the transaction is rolled back, so nothing is stored. A dry run makes the same
/// checks in the same order, so it gives the same report as the real run would. The file is
/// streamed: a few batches of lines (each at most ``Options/lineLimit`` bytes) are in memory at
/// a time, and it is opened read-only. The transaction of a real run uses a rollback journal
/// when it can (``Vault/withRollbackJournal(if:_:)``), so each new page is written once.
///
/// Probable duplicates (the same name and birth year as a case in the vault or an earlier row,
/// compared by the keyed ``Caseload`` duplicate key) are reported and left out unless
/// ``Options/allowDuplicates`` is set.
public struct CaseImporter: Sendable {
    public enum Format: String, CaseIterable, Sendable {
        case jsonl, csv

        /// The format a file name suggests (`.csv`; `.jsonl`, `.ndjson`, `.json`), or nil.
        public init?(guessingFrom path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "csv": self = .csv
            case "jsonl", "ndjson", "json": self = .jsonl
            default: return nil
            }
        }
    }

    public struct Options: Sendable {
        public var dryRun = false
        public var allowDuplicates = false
        /// The longest line (JSONL) or record (CSV) read; a longer one is rejected unread.
        public var lineLimit = 1 << 20
        /// Rejected rows listed in the report; more are only counted.
        public var maxListed = 10_000

        public init(dryRun: Bool = false, allowDuplicates: Bool = false) {
            self.dryRun = dryRun
            self.allowDuplicates = allowDuplicates
        }
    }

    /// How far the import is, for a progress bar.
    public struct Progress: Sendable {
        public var bytesRead: Int64
        /// The file's size, or 0 when unknown (a pipe).
        public var totalBytes: Int64
        public var rows: Int
    }

    public let caseload: Caseload
    public var options: Options

    public init(caseload: Caseload, options: Options = Options()) {
        self.caseload = caseload
        self.options = options
    }

    /// Reads, checks and (unless a dry run) stores every case in the file.
    ///
    /// - Returns: the report, when no row was rejected.
    /// - Throws: ``ImportError/rejected(_:)`` carrying the report when any row was rejected
    ///   (nothing is stored then); ``ImportError`` for a file that cannot be opened; a
    ///   ``VaultError`` when the vault cannot be written.
    public func importFile(atPath path: String, format: Format, progress: ((Progress) -> Void)? = nil) throws -> ImportReport {
        let file = try ImportFile(path: path)
        let source: any ImportRowSource =
            switch format {
            case .jsonl: JSONLCaseSource(file: file, lineLimit: options.lineLimit)
            case .csv: try CSVCaseSource(file: file, lineLimit: options.lineLimit)
            }
        let report = try run(source, progress: progress)
        if report.rejectedCount > 0 { throw ImportError.rejected(report) }
        return report
    }

    func run(_ source: any ImportRowSource, progress: ((Progress) -> Void)?) throws -> ImportReport {
        do {
            return try caseload.vault.vault.withRollbackJournal(if: !options.dryRun) {
                try caseload.vault.vault.write { db in
                    // New cases land at random places in the tables (random ids, random rowids), so
                    // a long import touches every page again and again: with SQLite's default 8 MiB
                    // cache, pages are spilled to disk and read back many times over. A fixed
                    // 64 MiB for the import's duration keeps that bounded and the memory flat.
                    try db.execute(sql: "PRAGMA cache_size = -65536")
                    defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
                    var run = try ImportRun(db, caseload: caseload, options: options, source: source, progress: progress)
                    return try run.importAll()
                }
            }
        } catch let r as ImportRun.RollBack {
            return r.report
        }
    }
}
