/// One row of an import file: a document to check and store, or the reason it cannot be read.
struct ImportRow: Sendable {
    enum Content: Sendable {
        case document(OpenDocument)
        /// Unreadable as a case; the reason names a field or column, never a value.
        case problem(String)
    }
    /// The physical line (1-based) where the row starts.
    var line: Int
    var content: Content
}

/// Rows read one at a time from an import file, so memory does not grow with the file.
protocol ImportRowSource: AnyObject {
    /// The next row, or nil at the end. A source that cannot go on (an unreadable CSV record, say)
    /// returns one last `.problem` row and then nil.
    func next() throws -> ImportRow?
    /// How a field path from validation (`principal.consent.given_on`, `history[1].on`) is named
    /// in this format, so a reason speaks the file's own language.
    func fieldName(_ path: String, in document: OpenDocument) -> String
    var file: ImportFile { get }
    /// Up to `count` rows, in file order; empty at the end. A source may decode them in parallel.
    func nextBatch(_ count: Int) throws -> [ImportRow]
}

extension ImportRowSource {
    func nextBatch(_ count: Int) throws -> [ImportRow] {
        var rows: [ImportRow] = []
        while rows.count < count, let row = try next() { rows.append(row) }
        return rows
    }
}

extension InputError {
    /// This error with every field name passed through `rename`.
    func renamingFields(_ rename: (String) -> String) -> InputError {
        switch self {
        case .notOneOf(let f, let allowed): .notOneOf(field: rename(f), allowed: allowed)
        case .invalid(let f, let expected): .invalid(field: rename(f), expected: expected)
        case .missing(let fields): .missing(fields.map(rename))
        case .gateNotMet(let stage, let missing): .gateNotMet(stage: stage, missing: missing.map(rename))
        case .notJSON, .notAllowed, .empty: self
        }
    }

    /// The reason for one rejected row: the error's sentence without "nothing was stored", which
    /// the report says once for the whole file.
    var rowReason: String {
        switch self {
        case .notJSON(let detail): return "not valid JSON (\(detail))"
        case .empty: return "empty"
        default: return Self.withoutStoredNote(description)
        }
    }

    /// `sentence` without its closing "nothing was stored", which an import report says once
    /// for the whole file.
    static func withoutStoredNote(_ sentence: String) -> String {
        var s = sentence
        for suffix in ["; nothing was stored.", "."] where s.hasSuffix(suffix) {
            s.removeLast(suffix.count)
            break
        }
        return s
    }
}

extension CaseError {
    /// The reason for one rejected row (a move its history cannot make), as ``InputError/rowReason``.
    var rowReason: String { InputError.withoutStoredNote(description) }
}
