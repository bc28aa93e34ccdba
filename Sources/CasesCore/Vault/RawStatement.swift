import Foundation
import GRDB
import GRDBSQLite

/// A statement run through SQLite's C interface, for the rows an import writes by the hundred
/// thousand (events, cases, summaries, duplicate keys).
///
/// Written by hand because GRDB has no cheaper path: its `execute(arguments:)` boxes every
/// value into a `DatabaseValue` array and tracks each statement for observation, which was a
/// fifth of the import's writing thread. Only for use inside a GRDB write (the connection's
/// own thread, a transaction open); finalized when released, before the connection closes.
/// Errors are GRDB's `DatabaseError`, so ``Vault/mapErrors(_:)`` maps them as usual (a full
/// disk stays a full disk).
final class RawStatement {
    private let connection: OpaquePointer
    private let statement: OpaquePointer
    private let sql: String

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the database is closed") }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        (self.connection, self.statement, self.sql) = (connection, statement, sql)
    }

    deinit { sqlite3_finalize(statement) }

    /// The values to bind, in order (1-based in SQLite).
    enum Value {
        case int(Int64)
        case text(String)
        case blob(Data)
    }

    /// Runs a statement that returns no row.
    func run(_ values: Value...) throws {
        try step(values) { rc in
            guard rc == SQLITE_DONE else { throw error(rc) }
        }
    }

    /// Runs a statement that returns no row, and says whether it changed one (an `INSERT OR
    /// IGNORE` that found its key taken changes none).
    func runChanging(_ values: Value...) throws -> Bool {
        try step(values) { rc in
            guard rc == SQLITE_DONE else { throw error(rc) }
            return sqlite3_changes(connection) > 0
        }
    }

    /// Runs a query and returns the first column of its first row as an integer, or nil when
    /// it returns no row.
    func firstInt(_ values: Value...) throws -> Int64? {
        try step(values) { rc in
            switch rc {
            case SQLITE_ROW: return sqlite3_column_int64(statement, 0)
            case SQLITE_DONE: return nil
            default: throw error(rc)
            }
        }
    }

    private func step<R>(_ values: [Value], _ result: (Int32) throws -> R) throws -> R {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32 =
                switch value {
                case .int(let v): sqlite3_bind_int64(statement, index, v)
                case .text(let v): sqlite3_bind_text(statement, index, v, -1, Self.transient)
                case .blob(let v): v.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
                }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
        return try result(sqlite3_step(statement))
    }

    private func error(_ rc: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: sqlite3_extended_errcode(connection)), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }

    /// SQLite copies the bound bytes (`SQLITE_TRANSIENT`), so none outlive Swift's access to them.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
