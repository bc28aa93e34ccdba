import AgeFormat
import Foundation
import GRDB
import GRDBSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// A consistent copy of a vault in this process's memory, for a backup while another process
/// keeps the WAL from being folded into the file; wiped before it is freed.
///
/// Never on disk. Earlier builds wrote it beside the vault with `VACUUM INTO`, and a process
/// killed while it encrypted left that file, with every keyslot, for `shred` to miss: with the
/// passphrase the "shredded" vault opened. The choices:
/// - `O_TMPFILE`: nameless, so gone when the process dies, but its bytes stay in free disk
///   blocks, which a forensic lab reads.
/// - A memfd (RAM, gone with the process): SQLite can only be handed it as `/proc/self/fd/N`,
///   and SQLite resolves that link, so `VACUUM INTO` writes a new file at its target
///   (`/memfd:NAME (deleted)`) instead.
/// - `sqlite3_serialize`, taken here: SQLite copies every page through its own pager, within one
///   read transaction, into memory that vanishes with the process and that this type wipes.
///
/// What remains: the copy needs memory as large as the vault (refused with one sentence if
/// there is not enough), and the kernel may write its pages to swap or a hibernation image
/// (SECURITY.md).
final class MemorySnapshot: ByteSource {
    private let bytes: UnsafeMutablePointer<UInt8>
    let size: Int64
    private var position: Int64 = 0

    init(of vault: Vault) throws {
        var size: sqlite3_int64 = 0
        let copy = try Vault.mapErrors {
            try vault.database.read { db -> UnsafeMutablePointer<UInt8>? in
                // Starts the read transaction here, so that a busy vault is reported as busy; the
                // copy is then of the same snapshot.
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
                return sqlite3_serialize(db.sqliteConnection, "main", &size, 0)
            }
        }
        guard let copy else { throw BackupError.noMemoryForSnapshot }
        bytes = copy
        self.size = Int64(size)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Int(min(Int64(buffer.count), size - position))
        guard n > 0, let base = buffer.baseAddress else { return 0 }
        base.copyMemory(from: bytes + Int(position), byteCount: n)
        position += Int64(n)
        return n
    }

    deinit {
        explicit_bzero(bytes, Int(size))
        sqlite3_free(bytes)
    }
}
