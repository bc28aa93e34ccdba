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
            return try caseload.vault.vault.withRollbackJournal(if: !options.dryRun) { try caseload.vault.vault.write { db in
                var report = ImportReport()
                report.dryRun = options.dryRun
                let existing = try existingDuplicateKeys(db)
                // New cases land at random places in the tables (random ids, random rowids), so
                // a long import touches every page again and again: with SQLite's default 8 MiB
                // cache, pages were spilled to disk and read back many times over. A fixed
                // 64 MiB for the import's duration keeps that bounded and the memory flat.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
                // The keys of the file's own rows (to flag a row repeating an earlier one) go in
                // a table of the vault for the transaction's length, not in memory, so memory
                // does not grow with the file: its pages share the import's fixed page cache and
                // spill to disk like the rest. The first 64 bits of keyed hashes, and line
                // numbers, which tell nothing without the vault's key; the table is emptied and
                // dropped before the commit (its pages zeroed: secure_delete), or goes with the
                // rollback.
                try db.execute(sql: "CREATE TABLE import_row_key (key INTEGER PRIMARY KEY, line INTEGER NOT NULL) STRICT")
                let findEarlier = try RawStatement(db, sql: "SELECT line FROM import_row_key WHERE key = ?")
                let keepFirst = try RawStatement(db, sql: "INSERT OR IGNORE INTO import_row_key (key, line) VALUES (?, ?)")
                var lastTick = Int64(0)
                let tip = try caseload.chainTip(db)
                var (nextSeq, chainMAC) = (tip.seq + 1, tip.mac)
                // Several batches at a time: while this, the database's thread, inserts one
                // batch, the next is sealed and the ones after it are read and checked, on
                // the other threads.
                let reading = BatchReader(source: source, rules: rules, caseload: caseload)
                var sealing: BatchSealer?
                var bytesRead = Int64(0)
                while true {
                    let next = try reading.next()
                    let (batch, checked) = (next.rows, next.checked)
                    bytesRead = max(bytesRead, next.bytesRead)
                    if batch.isEmpty { break }
                    var accepted: [Caseload.NewCase] = []
                    for i in batch.indices { // by index: `for row in batch` copied each row
                        report.rows += 1
                        let line = batch[i].line
                        if case .problem(let reason) = batch[i].content {
                            report.reject(line: line, reason, listLimit: options.maxListed)
                            continue
                        }
                        let (key, new): (String?, Caseload.NewCase)
                        do {
                            (key, new) = try checked.take(i)!.get() // moved out: renumbered below without a copy
                        } catch let e as InputError {
                            guard case .document(let document) = batch[i].content else { continue } // unreachable: checked rows are documents
                            let reason = e.renamingFields { source.fieldName($0, in: document) }.rowReason
                            report.reject(line: line, reason, listLimit: options.maxListed)
                            continue
                        }
                        if let key {
                            let inVault = existing[key]
                            let short = Self.rowKey(key)
                            // A row that will be stored is kept as the first with its key, in one
                            // step with looking for an earlier one (almost every row is new); a
                            // row left out as the vault's duplicate is only looked up.
                            let kept = (inVault == nil || options.allowDuplicates) ? try keepFirst.runChanging(.int(short), .int(Int64(line))) : false
                            let inFile = kept ? nil : try findEarlier.firstInt(.int(short)).map(Int.init)
                            if inVault != nil || inFile != nil {
                                report.duplicates.append(.init(line: line, existingCase: inVault?.description, earlierLine: inFile,
                                                               added: options.allowDuplicates))
                                if !options.allowDuplicates { continue }
                            }
                        }
                        report.valid += 1
                        accepted.append(consume new)
                    }
                    // A dry run, or a file with a rejected row, keeps nothing: check the rest
                    // without sealing it (storing never refuses a checked row, so the report is
                    // the same).
                    if report.rejectedCount == 0 && !options.dryRun && !accepted.isEmpty {
                        let ids = try caseload.chooseIDs(db, count: accepted.count, taken: sealing?.ids ?? [])
                        for i in accepted.indices {
                            accepted[i].renumber(id: ids[i], firstSeq: nextSeq)
                            nextSeq += Int64(accepted[i].events.count)
                        }
                        let next = BatchSealer(caseload: caseload, cases: accepted)
                        if let sealing { report.imported += try sealing.insert(db, chainingFrom: &chainMAC) }
                        sealing = next
                    }
                    if let progress, bytesRead - lastTick >= 256 * 1024 {
                        lastTick = bytesRead
                        progress(Progress(bytesRead: bytesRead, totalBytes: source.file.size, rows: report.rows))
                    }
                }
                progress?(Progress(bytesRead: bytesRead, totalBytes: source.file.size, rows: report.rows))
                if report.rows == 0 {
                    report.reject(line: 1, "the file holds no case: it is empty or only blank lines", listLimit: options.maxListed)
                }
                if options.dryRun || report.rejectedCount > 0 {
                    report.imported = 0
                    throw RollBack(report: report)
                }
                if let sealing { report.imported += try sealing.insert(db, chainingFrom: &chainMAC) }
                // Emptied a few thousand rows at a time: dropping it whole held every one of its
                // pages in memory at once (80 MiB at 1,000,000 rows).
                repeat {
                    try db.execute(sql: "DELETE FROM import_row_key WHERE key IN (SELECT key FROM import_row_key LIMIT 5000)")
                } while db.changesCount > 0
                try db.execute(sql: "DROP TABLE import_row_key")
                return report
            } }
        } catch let r as RollBack {
            return r.report
        }
    }

    /// A row's duplicate key in the import's own table: its first 64 bits. Two different people
    /// of one file share them with a chance of about 1 in 3 × 10⁷ for 1,000,000 rows; the
    /// report would then name both lines as a probable duplicate.
    static func rowKey(_ key: String) -> Int64 {
        // The hex digits read from the UTF-8 bytes: `prefix(16)` walked the string by characters.
        var v: UInt64 = 0
        for c in key.utf8.prefix(16) {
            let digit: UInt8 = switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: 0
            }
            v = v << 4 | UInt64(digit)
        }
        return Int64(bitPattern: v)
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

/// Reads, decodes and checks an import file's batches on a thread of its own, up to `depth`
/// batches ahead of the importer: each row's duplicate key, or why it fails the rules. Running
/// ahead keeps both cores busy while the importer waits for a batch to be sealed or inserts
/// one. Stops and waits for its thread when released, so the file is never read after the
/// import returns.
final class BatchReader: @unchecked Sendable {
    /// Each row's duplicate key and the case it makes, or why it fails the rules.
    typealias Checked = ConcurrentResults<Result<(key: String?, case: Caseload.NewCase), any Error>>
    struct Batch {
        var rows: [ImportRow]
        var checked: Checked
        /// How far into the file the reader was after this batch.
        var bytesRead: Int64
    }
    private let state = NSCondition()
    // Guarded by `state`.
    private var ready: [Result<Batch, any Error>] = []
    private var stopped = false
    private var ended = false
    private let done = DispatchGroup()

    init(source: any ImportRowSource, rules: ImportRules, caseload: Caseload, depth: Int = 2) {
        nonisolated(unsafe) let source = source // used by this reader's thread alone until `done`
        done.enter()
        let thread = Thread { [self] in
            defer { done.leave() }
            while true {
                state.lock()
                while ready.count >= depth && !stopped { state.wait() }
                let stop = stopped
                state.unlock()
                if stop { return }
                let next = Result { try Self.read(source, rules: rules, caseload: caseload) }
                let last = (try? next.get().rows.isEmpty) ?? true
                state.lock()
                ready.append(next)
                ended = last
                state.broadcast()
                state.unlock()
                if last { return }
            }
        }
        // As deep as the main thread's: rows are decoded here too, and Foundation's decoder,
        // which reads the lines the fast reader leaves, recurses into nested JSON.
        thread.stackSize = 8 << 20
        thread.start()
    }

    private static func read(_ source: any ImportRowSource, rules: ImportRules, caseload: Caseload) throws -> Batch {
        let rows = try source.nextBatch(Caseload.batchSize)
        // Checking rows and keying names runs on every core; the report is made in file order
        // by the importer.
        let checked = Checked(count: rows.count)
        DispatchQueue.concurrentPerform(iterations: rows.count) { i in
            guard case .document(let document) = rows[i].content else { return }
            checked[i] = Result {
                let key = caseload.duplicateKey(for: document.principal)
                return (key, try rules.check(document, duplicateKey: key))
            }
        }
        return Batch(rows: rows, checked: checked, bytesRead: source.file.bytesRead)
    }

    /// The next batch, in file order (no rows at the end of the file), or the error reading it.
    func next() throws -> Batch {
        state.lock()
        defer { state.unlock() }
        while ready.isEmpty {
            if ended { return Batch(rows: [], checked: Checked(count: 0), bytesRead: 0) }
            state.wait()
        }
        state.broadcast()
        return try ready.removeFirst().get()
    }

    deinit {
        state.lock()
        stopped = true
        state.broadcast()
        state.unlock()
        done.wait()
    }
}

/// One batch's accepted cases (with their ids and event numbers), sealed on other threads
/// while the importer inserts the batch before. They are MAC-chained when inserted, on the
/// database's thread, which has time to spare while the other threads read and seal. Waits
/// for its thread when released.
final class BatchSealer: @unchecked Sendable {
    let ids: Set<String>
    private let caseload: Caseload
    private let done = DispatchGroup()
    // Written once by the sealing thread, read after `done`.
    private var result: Caseload.PreparedCases?

    init(caseload: Caseload, cases: [Caseload.NewCase]) {
        self.caseload = caseload
        ids = Set(cases.map(\.file.id.compact))
        done.enter()
        DispatchQueue.global().async { [self] in
            result = caseload.sealNew(cases)
            done.leave()
        }
    }

    /// Chains the batch's events after `mac` (the MAC of the event before its first; left at
    /// its last event's) and inserts it, on the database's thread. Returns how many cases it held.
    func insert(_ db: Database, chainingFrom mac: inout Data) throws -> Int {
        done.wait()
        let prepared = result!
        mac = try prepared.chain(after: mac, key: caseload.vault.key.audit)
        try caseload.insert(db, prepared)
        return prepared.count
    }

    deinit { done.wait() }
}
