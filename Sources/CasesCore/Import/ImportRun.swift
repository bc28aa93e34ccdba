import Foundation
import GRDB

/// One import inside its transaction, on the database's thread: takes each checked batch in
/// file order, reports and keeps its rows, and stores the kept cases.
///
/// Several batches are in hand at a time: while this thread inserts one batch, the next is
/// sealed and the ones after it are read and checked, on the other threads.
struct ImportRun {
    private let db: Database
    private let caseload: Caseload
    private let options: CaseImporter.Options
    private let source: any ImportRowSource
    private let progress: ((CaseImporter.Progress) -> Void)?
    private var report = ImportReport()
    private let existing: [String: CaseID]
    private let rowKeys: ImportRowKeys
    private let reading: OrderedPipeline<CheckedBatch>
    private let sealing = OrderedPipeline<Caseload.PreparedCases>(depth: 2)
    /// The ids of the batch being sealed, not inserted yet.
    private var sealingIDs: Set<String> = []
    private var nextSeq: Int64
    private var chainMAC: Data
    private var bytesRead = Int64(0)
    private var lastTick = Int64(0)

    /// Thrown inside the transaction to roll it back while keeping the report.
    struct RollBack: Error { let report: ImportReport }

    init(
        _ db: Database, caseload: Caseload, options: CaseImporter.Options, source: any ImportRowSource,
        progress: ((CaseImporter.Progress) -> Void)?
    ) throws {
        (self.db, self.caseload, self.options, self.source, self.progress) = (db, caseload, options, source, progress)
        report.dryRun = options.dryRun
        existing = try Self.existingDuplicateKeys(db, caseload)
        rowKeys = try ImportRowKeys(db)
        let tip = try caseload.chainTip(db)
        (nextSeq, chainMAC) = (tip.seq + 1, tip.mac)
        // Two batches read ahead of the one being read: enough to keep both cores busy while
        // this thread inserts.
        reading = OrderedPipeline(depth: 3, serial: true)
    }

    /// Reads every row, then rolls back (a dry run, or a rejected row) or stores the cases.
    /// - Throws: ``RollBack`` with the report when nothing may be stored.
    mutating func importAll() throws -> ImportReport {
        let rules = ImportRules(caseload: caseload)
        let reader = CheckedBatch.Reader(source: source, rules: rules, caseload: caseload)
        var ended = false
        while true {
            while !ended && !reading.isFull { reading.start { try reader.read() } }
            guard let batch = try reading.next() else { break }
            bytesRead = max(bytesRead, batch.bytesRead)
            if batch.rows.isEmpty { ended = true; continue }
            try store(accept(batch))
            tick(every: 256 * 1024)
        }
        tick(every: 0)
        return try finish()
    }

    /// The rows of `batch` that are stored: every row is counted in the report, and a rejected
    /// row or a duplicate left out is reported.
    private mutating func accept(_ batch: CheckedBatch) throws -> [Caseload.NewCase] {
        var accepted: [Caseload.NewCase] = []
        for i in batch.rows.indices { // by index: `for row in batch` copied each row
            report.rows += 1
            let line = batch.rows[i].line
            if case .problem(let reason) = batch.rows[i].content {
                report.reject(line: line, reason, listLimit: options.maxListed)
                continue
            }
            let (key, new): (String?, Caseload.NewCase)
            do {
                guard let checked = batch.checked.take(i) else { continue } // unreachable: every document is checked
                (key, new) = try checked.get() // moved out: renumbered later without a copy
            } catch let e as InputError {
                guard case .document(let document) = batch.rows[i].content else { continue } // unreachable: checked rows are documents
                report.reject(line: line, e.renamingFields { source.fieldName($0, in: document) }.rowReason, listLimit: options.maxListed)
                continue
            } catch let e as CaseError {
                report.reject(line: line, e.rowReason, listLimit: options.maxListed)
                continue
            }
            if let key, try isLeftOutAsDuplicate(key: key, line: line) { continue }
            report.valid += 1
            accepted.append(consume new)
        }
        return accepted
    }

    /// Reports a row whose duplicate key is a case's in the vault or an earlier row's; true
    /// when it is left out.
    private mutating func isLeftOutAsDuplicate(key: String, line: Int) throws -> Bool {
        let inVault = existing[key]
        // A row that will be stored is kept as the first with its key, in one step with looking
        // for an earlier one (almost every row is new); a row left out as the vault's duplicate
        // is only looked up.
        let kept = (inVault == nil || options.allowDuplicates) ? try rowKeys.keepFirst(key, line: line) : false
        let inFile = kept ? nil : try rowKeys.earlierLine(key)
        guard inVault != nil || inFile != nil else { return false }
        report.duplicates.append(.init(line: line, existingCase: inVault?.description, earlierLine: inFile, added: options.allowDuplicates))
        return !options.allowDuplicates
    }

    /// Gives the cases their ids and event numbers and starts sealing them, then inserts the
    /// batch sealed before. A dry run, or a file with a rejected row, keeps nothing: the rest is
    /// checked without sealing (storing never refuses a checked row, so the report is the same).
    private mutating func store(_ accepted: consuming [Caseload.NewCase]) throws {
        guard report.rejectedCount == 0 && !options.dryRun && !accepted.isEmpty else { return }
        let ids = try caseload.chooseIDs(db, count: accepted.count, taken: sealingIDs)
        for i in accepted.indices {
            accepted[i].renumber(id: ids[i], firstSeq: nextSeq)
            nextSeq += Int64(accepted[i].events.count)
        }
        sealingIDs = Set(ids.map(\.compact))
        let (caseload, cases) = (caseload, accepted)
        sealing.start { caseload.sealNew(cases) }
        while sealing.isFull { _ = try insertSealed() }
    }

    /// Inserts the oldest sealed batch, chained after the events before it; false when none
    /// was left.
    private mutating func insertSealed() throws -> Bool {
        guard var prepared = try sealing.next() else { return false }
        chainMAC = try prepared.chain(after: chainMAC, key: caseload.vault.key.audit)
        try caseload.insert(db, prepared)
        report.imported += prepared.count
        return true
    }

    private mutating func tick(every bytes: Int64) {
        guard let progress, bytes == 0 || bytesRead - lastTick >= bytes else { return }
        lastTick = bytesRead
        progress(CaseImporter.Progress(bytesRead: bytesRead, totalBytes: source.file.size, rows: report.rows))
    }

    private mutating func finish() throws -> ImportReport {
        if report.rows == 0 {
            report.reject(line: 1, "the file holds no case: it is empty or only blank lines", listLimit: options.maxListed)
        }
        if options.dryRun || report.rejectedCount > 0 {
            report.imported = 0
            throw RollBack(report: report)
        }
        while try insertSealed() {}
        try rowKeys.drop()
        return report
    }

    /// The duplicate key of every case already in the vault. A case that does not open is left
    /// out here; `cases list` and `cases audit verify` name it.
    private static func existingDuplicateKeys(_ db: Database, _ caseload: Caseload) throws -> [String: CaseID] {
        var keys: [String: CaseID] = [:]
        for (key, id) in try caseload.summaries(db, keep: { c in c.duplicateKey.map { ($0, c.id) } }).cases {
            keys[key] = id
        }
        return keys
    }
}
