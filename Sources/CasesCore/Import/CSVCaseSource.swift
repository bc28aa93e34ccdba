import CSV
import Foundation

/// `cases import --format csv`: one case a row under a header row (``CSVCaseLayout``), parsed by
/// CSV.swift from a ``BoundedInputStream`` so that no record can grow past the line limit.
///
/// Line numbers are physical lines, counted from the records themselves (a quoted cell may span
/// lines), so a reason points at the line a spreadsheet program or an editor shows.
final class CSVCaseSource: ImportRowSource {
    let file: ImportFile
    private let stream: BoundedInputStream
    private let limit: Int
    private var reader: CSVReader?
    private var layout: CSVCaseLayout?
    private var nextLine = 1
    private var finished = false
    private var pendingProblem: ImportRow?

    init(file: ImportFile, lineLimit: Int) throws {
        self.file = file
        self.limit = lineLimit
        stream = BoundedInputStream(file: file, limit: lineLimit)
        let head = try stream.peek()
        if head.isEmpty {
            pendingProblem = ImportRow(
                line: 1,
                content: .problem("the file is empty: a header row and one row a case are expected (`cases import --template csv` prints the header)")
            )
            return
        }
        if !Self.headerIsUTF8(head) {
            pendingProblem = ImportRow(line: 1, content: .problem("not UTF-8 text; save the spreadsheet as \"CSV UTF-8\""))
            return
        }
        do {
            let r = try CSVReader(stream: stream, hasHeaderRow: true, delimiter: Self.delimiter(sniffing: head))
            if let problem = failure(of: r, line: 1) {
                pendingProblem = problem
                return
            }
            stream.markRecordBoundary()
            nextLine = 1 + Self.lineCount(r.headerRow ?? [])
            layout = try CSVCaseLayout(header: r.headerRow ?? [])
            reader = r
        } catch let e as InputError {
            pendingProblem = ImportRow(line: 1, content: .problem(e.rowReason))
        } catch {
            pendingProblem =
                failure(of: nil, line: 1)
                ?? ImportRow(line: 1, content: .problem("the header row cannot be read: the file is not UTF-8 CSV text"))
        }
    }

    /// Comma unless the header line has semicolons and no commas, as Excel writes CSV in
    /// Russian, Belarusian and most European locales.
    static func delimiter(sniffing head: [UInt8]) -> UnicodeScalar {
        let firstLine = head.prefix { $0 != 0x0A }
        return !firstLine.contains(0x2C) && firstLine.contains(0x3B) ? ";" : ","
    }

    /// Whether the first line of the file (as far as the first chunk holds it) is UTF-8. CSV.swift
    /// reads the header before it reports decoding errors, so a bad header would pass unnoticed.
    static func headerIsUTF8(_ head: [UInt8]) -> Bool {
        if let newline = head.firstIndex(of: 0x0A) {
            return String(validating: head[..<newline], as: UTF8.self) != nil
        }
        // The chunk may end inside a character: accept a cut of up to three bytes at the end.
        return (0...min(3, head.count)).contains { String(validating: head.dropLast($0), as: UTF8.self) != nil }
    }

    /// Lines one record spans: one, plus the line breaks inside its quoted cells.
    static func lineCount(_ record: [String]) -> Int {
        var n = 1
        for cell in record where cell.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            for ch in cell where ch == "\n" || ch == "\r" || ch == "\r\n" { n += 1 }
        }
        return n
    }

    /// The problem that stopped the parser, if any: an over-long record or bytes that are not UTF-8.
    private func failure(of reader: CSVReader?, line: Int) -> ImportRow? {
        if stream.exceeded {
            return ImportRow(
                line: line,
                content: .problem(
                    "the record starting here is longer than \(ByteCount(limit)) (perhaps an unclosed quote); rows after it were not checked"))
        }
        guard let error = reader?.error else { return nil }
        if case CSVError.unicodeDecoding = error {
            return ImportRow(line: line, content: .problem("not UTF-8 text; save the spreadsheet as \"CSV UTF-8\"; rows after it were not checked"))
        }
        return ImportRow(line: line, content: .problem("the file could not be read past this line; rows after it were not checked"))
    }

    func next() throws -> ImportRow? {
        if let p = pendingProblem {
            pendingProblem = nil
            finished = true
            return p
        }
        guard !finished, let reader, let layout else { return nil }
        while true {
            let line = nextLine
            let record = reader.next()
            if let problem = failure(of: reader, line: line) {
                finished = true
                return problem
            }
            guard let record else { finished = true; return nil }
            stream.markRecordBoundary()
            nextLine += Self.lineCount(record)
            if record.count == 1 && record[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            do {
                return ImportRow(line: line, content: .document(try layout.document(record)))
            } catch let e as InputError {
                return ImportRow(line: line, content: .problem(e.rowReason))
            }
        }
    }

    func fieldName(_ path: String, in document: OpenDocument) -> String {
        CSVCaseLayout.column(for: path, in: document)
    }
}
