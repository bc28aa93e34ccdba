import Foundation
import GRDB

/// Brings an existing caseload into the vault: `cases import FILE --format jsonl|csv`.
///
/// All or nothing. The whole file is read in one IMMEDIATE transaction: each valid row is
/// sealed and stored as it is read (a case and its past as events, exactly as `open`,
/// `advance` and `close` would have written them), and if any row was rejected, or this is a
/// dry run, the transaction is rolled back, so nothing is stored. A dry run makes the same
/// checks in the same order, so it gives the same report as the real run would. The file is streamed: one line (at most
/// ``Options/lineLimit`` bytes) is in memory at a time, and it is opened read-only.
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
        let source: any ImportRowSource = switch format {
        case .jsonl: JSONLCaseSource(file: file, lineLimit: options.lineLimit)
        case .csv: try CSVCaseSource(file: file, lineLimit: options.lineLimit)
        }
        let report = try run(source, progress: progress)
        if report.rejectedCount > 0 { throw ImportError.rejected(report) }
        return report
    }

    /// Thrown inside the transaction to roll it back while keeping the report.
    private struct RollBack: Error { let report: ImportReport }

    func run(_ source: any ImportRowSource, progress: ((Progress) -> Void)?) throws -> ImportReport {
        let rules = ImportRules(caseload: caseload)
        do {
            return try caseload.vault.vault.write { db in
                var report = ImportReport()
                report.dryRun = options.dryRun
                let existing = try existingDuplicateKeys(db)
                // New cases land at random places in the tables (random ids, random rowids), so
                // a long import touches every page again and again: with SQLite's default 8 MiB
                // cache, pages were spilled to the WAL and read back many times over. A fixed
                // 64 MiB for the import's duration keeps that bounded and the memory flat.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
                var earlier: [String: Int] = [:]
                var lastTick = Int64(0)
                while true {
                    let batch = try source.nextBatch(Caseload.batchSize)
                    if batch.isEmpty { break }
                    // Checking rows and keying names runs on every core; the report is made in
                    // file order below.
                    let checked = ConcurrentResults<Result<String?, any Error>>(count: batch.count)
                    DispatchQueue.concurrentPerform(iterations: batch.count) { i in
                        guard case .document(let document) = batch[i].content else { return }
                        checked[i] = Result {
                            try rules.check(document)
                            return caseload.duplicateKey(for: document.principal)
                        }
                    }
                    var accepted: [OpenDocument] = []
                    for (i, row) in batch.enumerated() {
                        report.rows += 1
                        let document: OpenDocument
                        switch row.content {
                        case .problem(let reason):
                            report.reject(line: row.line, reason, listLimit: options.maxListed)
                            continue
                        case .document(let d):
                            document = d
                        }
                        let key: String?
                        do {
                            key = try checked[i]!.get()
                        } catch let e as InputError {
                            let reason = e.renamingFields { source.fieldName($0, in: document) }.rowReason
                            report.reject(line: row.line, reason, listLimit: options.maxListed)
                            continue
                        }
                        if let key {
                            let inVault = existing[key]
                            let inFile = earlier[key]
                            if inVault != nil || inFile != nil {
                                report.duplicates.append(.init(line: row.line, existingCase: inVault?.description, earlierLine: inFile,
                                                               added: options.allowDuplicates))
                                if !options.allowDuplicates { continue }
                            }
                            if inFile == nil { earlier[key] = row.line }
                        }
                        report.valid += 1
                        accepted.append(document)
                    }
                    // A dry run, or a file with a rejected row, keeps nothing: check the rest
                    // without sealing it (storing never refuses a checked row, so the report is
                    // the same).
                    if report.rejectedCount == 0 && !options.dryRun {
                        report.imported += try caseload.insertNew(db, accepted).count
                    }
                    if let progress, source.file.bytesRead - lastTick >= 256 * 1024 {
                        lastTick = source.file.bytesRead
                        progress(Progress(bytesRead: source.file.bytesRead, totalBytes: source.file.size, rows: report.rows))
                    }
                }
                progress?(Progress(bytesRead: source.file.bytesRead, totalBytes: source.file.size, rows: report.rows))
                if report.rows == 0 {
                    report.reject(line: 1, "the file holds no case: it is empty or only blank lines", listLimit: options.maxListed)
                }
                if options.dryRun || report.rejectedCount > 0 {
                    report.imported = 0
                    throw RollBack(report: report)
                }
                return report
            }
        } catch let r as RollBack {
            return r.report
        }
    }

    /// The duplicate key of every case already in the vault. A case that does not open is left
    /// out here; `cases list` and `cases audit verify` name it.
    func existingDuplicateKeys(_ db: Database) throws -> [String: CaseID] {
        var keys: [String: CaseID] = [:]
        for (key, id) in try caseload.summaries(db, keep: { c in c.duplicateKey.map { ($0, c.id) } }).cases {
            keys[key] = id
        }
        return keys
    }
}
