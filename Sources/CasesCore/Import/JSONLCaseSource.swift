import Foundation

/// `cases import --format jsonl`: one ``OpenDocument`` a line, read with a cap on each line.
final class JSONLCaseSource: ImportRowSource {
    let file: ImportFile
    private let lines: LineReader
    private let limit: Int

    init(file: ImportFile, lineLimit: Int) {
        self.file = file
        self.limit = lineLimit
        lines = LineReader(file: file, limit: lineLimit)
    }

    func next() throws -> ImportRow? {
        try nextBatch(1).first
    }

    /// Reads lines in turn and decodes them on every core: parsing JSON is most of an import's
    /// time before sealing.
    func nextBatch(_ count: Int) throws -> [ImportRow] {
        var pending: [(line: Int, bytes: [UInt8]?)] = []
        while pending.count < count, let line = try lines.next() {
            switch line {
            case .tooLong(let n):
                pending.append((n, nil))
            case .text(let n, let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                pending.append((n, bytes))
            }
        }
        let (limit, read) = (limit, pending)
        let rows = ConcurrentResults<ImportRow>(count: read.count)
        DispatchQueue.concurrentPerform(iterations: read.count) { i in
            rows[i] = Self.row(line: read[i].line, bytes: read[i].bytes, limit: limit)
        }
        return read.indices.map { rows[$0]! }
    }

    static func row(line n: Int, bytes: [UInt8]?, limit: Int) -> ImportRow {
        guard let bytes else {
            return ImportRow(
                line: n,
                content: .problem("longer than \(ByteCount(limit)); a case fits in far less, so this is not a case line (it was skipped unread)"))
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return ImportRow(line: n, content: .problem("not UTF-8 text; save the file as UTF-8"))
        }
        if let document = bytes.withUnsafeBufferPointer({ FastDocumentReader.decode($0) }) {
            return ImportRow(line: n, content: .document(document))
        }
        do {
            return ImportRow(line: n, content: .document(try DocumentReader.decode(OpenDocument.self, from: Data(bytes))))
        } catch let e as InputError {
            return ImportRow(line: n, content: .problem(e.rowReason))
        } catch {
            return ImportRow(line: n, content: .problem("not a case"))
        }
    }

    func fieldName(_ path: String, in document: OpenDocument) -> String { path }
}

/// A byte count in words ("1 MiB").
struct ByteCount: CustomStringConvertible {
    let bytes: Int
    init(_ bytes: Int) { self.bytes = bytes }
    var description: String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
