import Foundation

/// One batch of an import file's rows, each document checked: its duplicate key and the case
/// it makes, or why it fails the rules.
struct CheckedBatch: Sendable {
    typealias Checked = ConcurrentResults<Result<(key: String?, case: Caseload.NewCase), any Error>>
    var rows: [ImportRow]
    var checked: Checked
    /// How far into the file the reader was after this batch.
    var bytesRead: Int64

    /// Reads and checks an import file's batches, one at a time (no rows at the end of the file).
    struct Reader: Sendable {
        /// Not Sendable (a source reads a file as it goes): read only by the work of one serial
        /// ``OrderedPipeline``, one batch at a time, and that pipeline waits for its work when
        /// released, before the import returns.
        nonisolated(unsafe) let source: any ImportRowSource
        let rules: ImportRules
        let caseload: Caseload

        func read() throws -> CheckedBatch {
            let rows = try source.nextBatch(Caseload.batchSize)
            // Checking rows and keying names runs on every core; the report is made in file
            // order by the importer.
            let checked = Checked(count: rows.count)
            DispatchQueue.concurrentPerform(iterations: rows.count) { i in
                guard case .document(let document) = rows[i].content else { return }
                checked[i] = Result {
                    let key = caseload.duplicateKey(for: document.principal)
                    return (key, try rules.check(document, duplicateKey: key))
                }
            }
            return CheckedBatch(rows: rows, checked: checked, bytesRead: source.file.bytesRead)
        }
    }
}
