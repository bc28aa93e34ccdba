import Foundation
import GRDBSQLite

/// What the first 100 bytes of a vault file say, read before SQLite opens it: whether it is a
/// SQLite database, whether it is a cases vault (`application_id`), and its format
/// (`user_version`).
///
/// Read from the file's bytes rather than through SQLite, so that deciding to refuse a file
/// writes nothing: SQLite opening a vault in WAL mode creates its `-wal` and `-shm` files.
/// Both numbers are set by `Schema/001_vault.sql` before the vault's first write and never
/// change, so the main file always has them (the WAL never holds a newer page 1 that differs
/// there). The header layout is SQLite's (sqlite.org/fileformat.html#the_database_header).
struct VaultHeader: Equatable {
    /// `application_id` of every cases vault: "CASE" in ASCII.
    static let applicationID: UInt32 = 0x4341_5345

    var applicationID: UInt32
    /// The vault format (``VaultSchema/currentFormat``), 0 in a file that is not a vault.
    var format: Int

    var isCasesVault: Bool { applicationID == Self.applicationID }

    /// The header of the file at `path`, or nil if it is not a SQLite database.
    static func read(_ path: String) -> VaultHeader? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let bytes = try? handle.read(upToCount: 100), bytes.count == 100,
            bytes.prefix(16) == Data("SQLite format 3\0".utf8)
        else { return nil }
        let b = [UInt8](bytes)
        func u32(_ at: Int) -> UInt32 { b[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        return VaultHeader(applicationID: u32(68), format: Int(Int32(bitPattern: u32(60))))
    }

    /// Whether the SQLite file at `path` is a vault of a test build from before format 1.0: it
    /// has the `vault` and `keyslot` tables but not the header of a 1.0 vault.
    ///
    /// Opened read-only and `immutable`, so that SQLite creates no `-wal` or `-shm` file and
    /// takes no lock: a refused file is left exactly as it was. Through SQLite's C interface,
    /// since GRDB opens no URI filenames.
    static func isOlderTestBuild(_ path: String) -> Bool {
        guard let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else { return false }
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        guard sqlite3_open_v2("file:\(escaped)?mode=ro&immutable=1", &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil) == SQLITE_OK,
            let connection
        else { return false }
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        let sql = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('vault', 'keyslot')"
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, sqlite3_step(statement) == SQLITE_ROW else { return false }
        return sqlite3_column_int(statement, 0) == 2
    }
}
