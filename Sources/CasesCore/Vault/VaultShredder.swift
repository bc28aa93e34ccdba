import CasesCrypto
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Crypto-shredding: destroys every keyslot in place so the vault becomes noise, in well under a
/// second whatever its size.
///
/// Every record is sealed under the master key, and the master key exists only wrapped in the
/// keyslots. Overwriting the keyslot pages (and the WAL, which may hold newer copies of them)
/// with random bytes leaves nothing that any passphrase or recovery code can open. Each
/// overwrite is a `pwrite` the kernel keeps even if the process is killed right after it.
public enum VaultShredder {
    public struct Report: Codable, Sendable {
        public var pagesOverwritten: Int
        public var deleted: Bool
    }

    /// The pages overwritten even when the schema cannot be read: the header, the schema, the
    /// vault row and, in any vault, the first keyslot pages.
    static let leadingPages = 16

    /// Shreds the vault at `path`. With `deleteFile`, removes it afterwards.
    @discardableResult
    public static func shred(path: String, deleteFile: Bool = false) throws -> Report {
        var st = stat()
        guard stat(path, &st) == 0 else { throw VaultError.notFound(path: path) }
        let (pageSize, keyslotPages) = locateKeyslots(path)
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw VaultError.io("cannot open \(path) to shred it") }
        defer { close(fd) }

        // 1. The WAL first: it may hold the newest keyslot pages, and SQLite reads it before the
        //    main file. Random bytes fail its checksums, so SQLite ignores the whole WAL.
        for suffix in ["-wal", "-journal"] { overwriteWhole(path + suffix) }
        // 2. The keyslot pages and the leading pages of the main file.
        let pages = Set(keyslotPages + Array(1...leadingPages))
        var overwritten = 0
        for page in pages.sorted() {
            let offset = off_t(page - 1) * off_t(pageSize)
            guard offset < off_t(st.st_size) else { continue }
            var noise = Random.bytes(pageSize)
            defer { noise.wipe() }
            if pwrite(fd, noise, pageSize, offset) == pageSize { overwritten += 1 }
        }
        guard fsync(fd) == 0 else { throw VaultError.io("cannot flush the shredded vault") }
        for suffix in ["-wal", "-shm", "-journal"] { unlink(path + suffix) }
        if deleteFile {
            unlink(path)
            try? AtomicFile.fsyncFolder(AtomicFile.folder(of: path))
        }
        return Report(pagesOverwritten: overwritten, deleted: deleteFile)
    }

    /// The page size and the pages of the keyslot table, read with SQLite's `dbstat`; defaults
    /// (4096, none) if the file cannot be read as a database.
    static func locateKeyslots(_ path: String) -> (Int, [Int]) {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        guard let db = try? DatabaseQueue(path: path, configuration: config) else { return (4096, []) }
        defer { try? db.close() }
        let found: (Int, [Int])? = try? db.read { db in
            let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            let pages = try Int.fetchAll(db, sql: "SELECT pageno FROM dbstat WHERE name = 'keyslot'")
            return (size, pages)
        }
        return found ?? (4096, [])
    }

    static func overwriteWhole(_ path: String) {
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        var offset: off_t = 0
        while offset < st.st_size {
            let n = min(Int(st.st_size - offset), 1 << 20)
            let noise = Random.bytes(n)
            guard pwrite(fd, noise, n, offset) == n else { break }
            offset += off_t(n)
        }
        fsync(fd)
    }
}
