import Foundation
import GRDB
import GRDBSQLite

extension Vault {
    /// Runs `body` in one transaction while no other connection has the vault open, then folds
    /// the WAL into the file; throws ``VaultError/openElsewhere`` at once if another connection
    /// has it open.
    ///
    /// For a change that must replace pages everywhere at once (``KeyRotation``): another process
    /// holding the vault open would go on sealing under a key the vault no longer uses, and its
    /// read lock would keep the old pages in the file after the commit.
    ///
    /// Leaving WAL mode needs the only connection, which is how another one is detected (as in
    /// ``withRollbackJournal(if:_:)``). The vault then re-enters WAL mode with an exclusive lock,
    /// which SQLite holds until the end and which keeps the WAL index in this process's memory,
    /// so nobody can open the vault meanwhile. In the WAL, a transaction writes new pages only:
    /// until the commit the file keeps every old page and a crash leaves the vault as it was;
    /// after the commit the checkpoint overwrites the old pages in place, and a crash before it
    /// ends leaves the new pages in the WAL, where the next open reads them and the next
    /// checkpoint (at the latest when that process closes the vault) puts them in place. No
    /// rollback journal is written, so no copy of an old page is left in a deleted file.
    func alone<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mapErrors {
            try database.writeWithoutTransaction { db -> T in
                // No waiting: another process having the vault open is an answer, not a delay.
                sqlite3_busy_timeout(db.sqliteConnection, 0)
                defer { sqlite3_busy_timeout(db.sqliteConnection, 5000) }
                try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
                guard (try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")) == "delete" else {
                    try? db.execute(sql: "PRAGMA locking_mode = NORMAL")
                    throw VaultError.openElsewhere
                }
                defer {
                    // Out of the memory-only WAL (folding it), the lock released at the next
                    // access, and back in the shared WAL that other processes can open.
                    _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                    try? db.execute(sql: "PRAGMA locking_mode = NORMAL")
                    _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                }
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw VaultError.io("the vault could not be switched to its write-ahead log")
                }
                sqlite3_busy_timeout(db.sqliteConnection, 5000)
                var result: T?
                try db.inTransaction(.exclusive) {
                    result = try body(db)
                    return .commit
                }
                // Committed: a failure now must not hide that (the leaving of WAL mode above folds
                // the WAL too, and so does the next open).
                _ = try? db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                guard let result else { throw VaultError.io("the transaction ended without a result") }
                return result
            }
        }
    }
}
