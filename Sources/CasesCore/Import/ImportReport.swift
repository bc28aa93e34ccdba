/// What `cases import` did, or would do with `--dry-run`: row counts, every rejected row with
/// its line number and reason, and every probable duplicate.
///
/// Reasons name a field or column and a line number, never a value: the report is printed, may
/// be pasted into a ticket, and must not carry anything about a person.
public struct ImportReport: Codable, Equatable, Sendable {
    /// One refused row.
    public struct Rejection: Codable, Equatable, Sendable {
        /// The physical line (1-based) where the row starts.
        public var line: Int
        public var reason: String
    }

    /// One row that probably describes a person already in the vault or earlier in the file.
    public struct Duplicate: Codable, Equatable, Sendable {
        public var line: Int
        /// The case already in the vault with the same name and birth year, if any.
        public var existingCase: String?
        /// The earlier line of this file with the same name and birth year, if any.
        public var earlierLine: Int?
        /// Whether the row was stored anyway (`--allow-duplicates`).
        public var added: Bool
    }

    /// Cases stored by this run: 0 after a dry run or when anything was rejected.
    public var imported = 0
    /// Rows that passed every check (and were stored unless this was a dry run or others failed).
    public var valid = 0
    /// Rows read, blank lines not counted.
    public var rows = 0
    /// Rejected rows, in file order; capped at ``CaseImporter/Options/maxListed`` entries.
    public var rejected: [Rejection] = []
    /// How many rows were rejected in all (can exceed `rejected.count` when the list is capped).
    public var rejectedCount = 0
    public var duplicates: [Duplicate] = []
    public var dryRun = false

    public init() {}

    mutating func reject(line: Int, _ reason: String, listLimit: Int) {
        rejectedCount += 1
        if rejected.count < listLimit { rejected.append(Rejection(line: line, reason: reason)) }
    }

    /// One sentence for a terminal, without any value from the file.
    public var summary: String {
        var s: String
        if rejectedCount > 0 && rows == 0 {
            s = "The file holds no case; nothing was stored."
        } else if rejectedCount > 0 {
            s = "\(rejectedCount) of \(rows) row(s) rejected; nothing was stored."
        } else if dryRun {
            s = "Dry run: \(valid) of \(rows) row(s) would be imported; nothing was stored."
        } else {
            s = "Imported \(imported) case(s) from \(rows) row(s)."
        }
        let skipped = duplicates.filter { !$0.added }.count
        if skipped > 0 { s += " \(skipped) probable duplicate(s) left out (--allow-duplicates adds them)." }
        let added = duplicates.count - skipped
        if added > 0 { s += " \(added) probable duplicate(s) added as asked." }
        return s
    }
}

/// Why an import stopped; the CLI maps each to its exit code (docs/cli.md).
public enum ImportError: CasesError, Equatable {
    /// Some rows were refused; nothing was stored. Carries the whole report for printing.
    case rejected(ImportReport)
    case fileNotFound(String)
    case unreadable(String)
    case unknownFormat(String)

    public var kind: FailureKind {
        switch self {
        case .rejected, .unknownFormat: .invalidInput
        case .fileNotFound: .notFound
        case .unreadable: .io
        }
    }

    public var description: String {
        switch self {
        case .rejected(let r):
            let first = r.rejected.first.map { " The first is line \($0.line): \($0.reason)." } ?? ""
            return
                "\(r.rejectedCount) row(s) of the import were rejected, so nothing was stored.\(first) Fix every row the report lists and run the import again (--dry-run checks without storing)."
        case .fileNotFound(let p): return "The import file \(p) does not exist; check the path."
        case .unreadable(let p): return "Could not read the import file \(p): check that it is a file and that you may read it. Nothing was stored."
        case .unknownFormat(let p): return "Cannot tell the format of \(p) from its name; add --format jsonl or --format csv."
        }
    }
}
