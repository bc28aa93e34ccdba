import GRDB

/// The duplicate keys of an import file's own rows, to flag a row repeating an earlier one.
///
/// They go in a table of the vault for the transaction's length, not in memory, so memory does
/// not grow with the file: its pages share the import's fixed page cache and spill to disk like
/// the rest. The first 64 bits of keyed hashes, and line numbers, which tell nothing without the
/// vault's key; the table is emptied and dropped before the commit (its pages zeroed:
/// secure_delete), or goes with the rollback.
struct ImportRowKeys {
    private let db: Database
    private let findEarlier: RawStatement
    private let keepFirst: RawStatement

    init(_ db: Database) throws {
        self.db = db
        try db.execute(sql: "CREATE TABLE import_row_key (key INTEGER PRIMARY KEY, line INTEGER NOT NULL) STRICT")
        findEarlier = try RawStatement(db, sql: "SELECT line FROM import_row_key WHERE key = ?")
        keepFirst = try RawStatement(db, sql: "INSERT OR IGNORE INTO import_row_key (key, line) VALUES (?, ?)")
    }

    /// Keeps `line` as the first with `key`; false when an earlier line has it.
    func keepFirst(_ key: String, line: Int) throws -> Bool {
        try keepFirst.runChanging(.int(Self.short(key)), .int(Int64(line)))
    }

    /// The line of the first row with `key`, if any.
    func earlierLine(_ key: String) throws -> Int? {
        try findEarlier.firstInt(.int(Self.short(key))).map(Int.init)
    }

    /// Empties the table a few thousand rows at a time (dropping it whole held every one of its
    /// pages in memory at once), then drops it.
    func drop() throws {
        repeat {
            try db.execute(sql: "DELETE FROM import_row_key WHERE key IN (SELECT key FROM import_row_key LIMIT 5000)")
        } while db.changesCount > 0
        try db.execute(sql: "DROP TABLE import_row_key")
    }

    /// A row's duplicate key in the table: its first 64 bits. Two different people of one file
    /// share them with a chance of about 1 in 3 × 10⁷ for 1,000,000 rows; the report would then
    /// name both lines as a probable duplicate.
    static func short(_ key: String) -> Int64 {
        // Read from the UTF-8 bytes: this runs for every row, and `prefix(16)` on the string
        // walks it by characters.
        var v: UInt64 = 0
        for c in key.utf8.prefix(16) {
            let digit: UInt8 =
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
                default: 0
                }
            v = v << 4 | UInt64(digit)
        }
        return Int64(bitPattern: v)
    }
}
