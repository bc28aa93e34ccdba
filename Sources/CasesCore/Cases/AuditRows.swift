import Foundation
import GRDB

/// Rows of the log or of the cases, read for the audit into one buffer: a key (the first
/// column) and some blob columns after it, with no allocation per row, ready to be checked on
/// several threads while the next chunk is read.
///
/// Only sealed bytes and MACs go into the buffer; no plaintext does, so it needs no wiping.
struct AuditRows<Key: Sendable>: Sendable {
    private(set) var keys: [Key] = []
    private var bytes: [UInt8] = []
    /// Each blob's `(start, end)` in ``bytes``, row after row; `start` is -1 for NULL.
    private var bounds: [(start: Int, end: Int)] = []
    private let blobs: Int

    var count: Int { keys.count }

    private init(blobs: Int, limit: Int) {
        self.blobs = blobs
        keys.reserveCapacity(limit)
        bounds.reserveCapacity(limit * blobs)
        bytes.reserveCapacity(limit * 1536) // a row of the log or a case seals to about a kilobyte
    }

    /// Up to `limit` more rows from `cursor`, whose first column is the key and the next
    /// `blobs` columns blobs; nil when the cursor is done.
    static func fetch(_ cursor: RowCursor, limit: Int, blobs: Int, key: (Row) throws -> Key) throws -> AuditRows? {
        var rows = AuditRows(blobs: blobs, limit: limit)
        while rows.count < limit, let row = try cursor.next() {
            rows.keys.append(try key(row))
            for column in 1...blobs {
                try row.withUnsafeData(atIndex: column) { data in
                    guard let data else { return rows.bounds.append((-1, -1)) }
                    let start = rows.bytes.count
                    data.withUnsafeBytes { rows.bytes.append(contentsOf: $0) }
                    rows.bounds.append((start, rows.bytes.count))
                }
            }
        }
        return rows.count == 0 ? nil : rows
    }

    /// Calls `body` with blob `column` (1 for the first after the key) of row `i`, nil for NULL.
    func withBlob<R>(_ i: Int, _ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        let (start, end) = bounds[i * blobs + column - 1]
        guard start >= 0 else { return try body(nil) }
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// A copy of blob `column` of row `i`, for the rare path that reads a row through `Data`.
    func blob(_ i: Int, _ column: Int) -> [UInt8]? {
        withBlob(i, column) { $0.map(Array.init) }
    }
}
