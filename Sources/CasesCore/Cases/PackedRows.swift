import GRDB

/// Rows of `(case_id, sealed)` fetched into one buffer: 100,000 small records without
/// 100,000 allocations, ready to be opened on several threads.
struct PackedRows: Sendable {
    var ids: [String] = []
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ids.count }

    /// Up to `limit` more rows from `cursor`.
    static func fetch(_ cursor: RowCursor, limit: Int) throws -> PackedRows {
        var p = PackedRows()
        p.ids.reserveCapacity(limit)
        p.ends.reserveCapacity(limit)
        p.bytes.reserveCapacity(limit * 320) // a summary seals to about 300 bytes
        while p.count < limit, let row = try cursor.next() {
            p.ids.append(row[0])
            try row.withUnsafeData(atIndex: 1) { data in
                if let data { data.withUnsafeBytes { p.bytes.append(contentsOf: $0) } }
            }
            p.ends.append(p.bytes.count)
        }
        return p
    }

    func withSealed<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = i == 0 ? 0 : ends[i - 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[i]])) }
    }
}
