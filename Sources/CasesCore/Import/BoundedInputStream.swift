import Foundation

/// An `InputStream` over the import file that refuses to hand more than `limit` bytes to the CSV
/// parser for any one record.
///
/// CSV.swift reads from an `InputStream` in 64 KiB chunks and builds each record in memory; it
/// has no limit of its own, so a 200 MB record would be held whole. The importer calls
/// ``markRecordBoundary()`` after each record; once more than `limit` bytes were read since, the
/// stream fails, the parser stops, and ``exceeded`` says why. Memory stays below `limit` plus one
/// chunk whatever the file holds.
final class BoundedInputStream: InputStream {
    let file: ImportFile
    let limit: Int
    private(set) var exceeded = false
    private var sinceBoundary = 0
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var reachedEnd = false
    private var status: Stream.Status = .notOpen

    init(file: ImportFile, limit: Int) {
        self.file = file
        self.limit = limit
        super.init(data: Data())
    }

    /// The first bytes of the file, without consuming them (to sniff the delimiter).
    func peek() throws -> [UInt8] {
        try fill()
        return Array(pending[pendingStart...])
    }

    /// Called when the parser returned a record: the next record starts counting from zero.
    func markRecordBoundary() { sinceBoundary = 0 }

    private func fill() throws {
        guard pendingStart == pending.count, !reachedEnd else { return }
        var chunk = [UInt8](repeating: 0, count: ImportFile.chunkSize)
        let n = try chunk.withUnsafeMutableBufferPointer { try file.read(into: $0.baseAddress!, count: $0.count) }
        if n == 0 { reachedEnd = true }
        pending = Array(chunk[0..<n])
        pendingStart = 0
    }

    override func open() { status = .open }
    override func close() { status = .closed }
    override var streamStatus: Stream.Status { status }
    override var streamError: (any Error)? {
        exceeded ? ImportError.unreadable(file.path) : nil
    }

    override var hasBytesAvailable: Bool {
        if exceeded { return true }
        do { try fill() } catch { status = .error; return true }
        return pendingStart < pending.count
    }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength len: Int) -> Int {
        if exceeded || status == .error { return -1 }
        if sinceBoundary > limit {
            exceeded = true
            status = .error
            return -1
        }
        do { try fill() } catch { status = .error; return -1 }
        let n = min(len, pending.count - pendingStart)
        if n == 0 { status = .atEnd; return 0 }
        pending.withUnsafeBufferPointer { src in
            buffer.update(from: src.baseAddress! + pendingStart, count: n)
        }
        pendingStart += n
        sinceBoundary += n
        return n
    }

    override func getBuffer(_ buffer: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, length len: UnsafeMutablePointer<Int>) -> Bool { false }
}
