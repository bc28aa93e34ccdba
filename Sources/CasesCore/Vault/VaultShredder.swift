import CasesCrypto
import Foundation
import GRDB
import GRDBSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// Crypto-shredding: destroys every keyslot in place so the vault becomes noise, in well under a
/// second whatever its size.
///
/// Every record is sealed under the master key, and the master key exists only wrapped in the
/// keyslots. Overwriting every copy of the keyslot pages with random bytes leaves nothing that
/// any passphrase or recovery code can open. Each overwrite is a `pwrite` the kernel keeps even
/// if the process is killed right after it.
///
/// The order is what makes an interrupted shred safe: the keys go first, before anything slower.
/// 1. The keyslot pages of the main file, each with one `pwrite` of one page as the very first
///    write. The vault's own key commands fold the WAL back into the file after every keyslot
///    change (``Vault/foldWAL()``), so in a vault only `cases` wrote this is the only copy, and a
///    kill after it leaves no keyslot anywhere.
/// 2. Any copy of a keyslot page still in the WAL (any generation of it: old frames that SQLite
///    no longer reads are still bytes on disk), then both files are flushed. If a keyslot was
///    changed while another process kept the WAL from being folded, its copies sit in both files,
///    and a kill in the microseconds between the two writes could leave one of them; nothing in
///    one process can write two files at once.
/// 3. The keyslots of every copy of the vault that a killed `cases` process left beside it
///    (``LeftoverFile``: a vault being created or restored), then those files are flushed.
/// 4. Only then the slow part: the leading pages (header and schema), the whole WAL and any
///    rollback journal, so that SQLite no longer recognises the file; then the side files go, and
///    every leftover is overwritten whole and removed.
public enum VaultShredder {
    public struct Report: Codable, Sendable {
        /// False when there was no vault, only leftovers beside where it would be.
        public var vaultFound: Bool
        public var pagesOverwritten: Int
        public var deleted: Bool
        /// Files a killed process had left beside the vault, destroyed too.
        public var leftoversDestroyed: Int
    }

    /// The pages overwritten even when the schema cannot be read: the header, the schema, the
    /// vault row and, in any vault, the first keyslot pages.
    static let leadingPages = 16

    /// Shreds the vault at `path` and every leftover beside it, those a live process is still
    /// writing too (a restore running now then fails). With `deleteFile`, removes the vault
    /// afterwards. With no vault at `path` but leftovers beside it, destroys the leftovers. With
    /// `anchorFolder`, also removes this laptop's record of the vault (``RollbackAnchor``), once
    /// the keys are gone.
    @discardableResult
    public static func shred(path: String, deleteFile: Bool = false, anchorFolder: String? = nil) throws -> Report {
        var st = stat()
        let exists = stat(path, &st) == 0
        let leftovers = LeftoverFile.find(beside: path, includingLive: true)
        guard exists || !leftovers.isEmpty else { throw VaultError.notFound(path: path) }
        var report = Report(vaultFound: exists, pagesOverwritten: 0, deleted: false, leftoversDestroyed: leftovers.count)
        guard exists else {
            LeftoverFile.destroy(leftovers)
            return report
        }
        let (pageSize, keyslotPages) = try destroyKeyslots(path: path, fileSize: st.st_size)
        // 3. The keyslots of the copies.
        for leftover in leftovers { leftover.destroyKeyslots() }
        if let anchorFolder { RollbackAnchor.forget(vaultAt: path, in: anchorFolder) }

        // 4. Everything else that names the file a database, then the side files.
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw VaultError.io("cannot open \(path) to shred it") }
        defer { close(fd) }
        var overwritten = keyslotPages
        for page in 1...leadingPages where !overwritten.contains(page) {
            if overwritePage(fd, page: page, pageSize: pageSize, fileSize: st.st_size, noise: Random.bytes(pageSize)) {
                overwritten.insert(page)
            }
        }
        guard fsync(fd) == 0 else { throw VaultError.io("cannot flush the shredded vault") }
        for suffix in ["-wal", "-journal"] { overwriteWhole(path + suffix) }
        for suffix in ["-wal", "-shm", "-journal"] { unlink(path + suffix) }
        for leftover in leftovers { leftover.destroyRest() }
        if deleteFile {
            unlink(path)
            try? AtomicFile.fsyncFolder(AtomicFile.folder(of: path))
        }
        report.pagesOverwritten = overwritten.count
        report.deleted = deleteFile
        return report
    }

    /// Whether a killed `cases` process left files beside `path` (where there may be no vault).
    public static func hasLeftovers(beside path: String) -> Bool {
        !LeftoverFile.find(beside: path, includingLive: true).isEmpty
    }

    /// Steps 1 and 2: every copy of the keyslot pages, in the main file and in the WAL, with
    /// noise, flushed. Returns the page size and the main-file pages overwritten.
    static func destroyKeyslots(path: String, fileSize: off_t) throws -> (pageSize: Int, pages: Set<Int>) {
        let (pageSize, located) = locateKeyslots(path)
        // Unreadable schema: the keyslots are somewhere in the leading pages of any vault.
        let keyslotPages = located.isEmpty ? Array(1...leadingPages) : located.sorted()
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw VaultError.io("cannot open \(path) to shred it") }
        defer { close(fd) }
        let wal = Glibc.open(path + "-wal", O_RDWR | O_CLOEXEC)
        defer { if wal >= 0 { close(wal) } }

        // 1. The main file's keyslot pages. The noise is drawn first, so nothing slow sits
        //    between the open and the first write.
        var noise = Random.bytes(pageSize)
        defer { noise.wipe() }
        var overwritten = Set<Int>()
        for page in keyslotPages where overwritePage(fd, page: page, pageSize: pageSize, fileSize: fileSize, noise: noise) {
            overwritten.insert(page)
        }
        // 2. Their copies in the WAL.
        if wal >= 0 {
            let (framePageSize, offsets) = walFrames(wal, holding: Set(keyslotPages))
            let frameNoise = framePageSize == pageSize ? noise : Random.bytes(framePageSize)
            for offset in offsets { _ = pwrite(wal, frameNoise, frameNoise.count, offset) }
            fsync(wal)
        }
        guard fsync(fd) == 0 else { throw VaultError.io("cannot flush the shredded vault") }
        return (pageSize, overwritten)
    }

    /// Overwrites one page (numbered from 1) with `noise`; false if the file is shorter.
    private static func overwritePage(_ fd: Int32, page: Int, pageSize: Int, fileSize: off_t, noise: [UInt8]) -> Bool {
        let offset = off_t(page - 1) * off_t(pageSize)
        guard offset < fileSize else { return false }
        return pwrite(fd, noise, pageSize, offset) == pageSize
    }

    /// The page size and the pages of the keyslot table, read with SQLite's `dbstat`; defaults
    /// (4096, none) if the file cannot be read as a database.
    static func locateKeyslots(_ path: String) -> (Int, [Int]) {
        locateKeyslots(path, lockFree: false) ?? locateKeyslots(path, lockFree: true) ?? (4096, [])
    }

    /// One read of the page size and the keyslot pages; nil when it fails.
    ///
    /// With `lockFree`, without SQLite's file locks (`nolock=1`): for a vault another process
    /// holds to itself, an import running with a rollback journal
    /// (``Vault/withRollbackJournal(if:_:)``), where a locking read waits until it ends. An import
    /// never changes a keyslot page, so those pages and the schema's entry for them read the
    /// same under it; a read torn by the writer fails, and the caller falls back to the leading
    /// pages, as it does for a vault in WAL mode, which cannot be read without its locks (and
    /// whose readers a writer never blocks). Through SQLite's C interface, since GRDB opens no
    /// URI filenames.
    static func locateKeyslots(_ path: String, lockFree: Bool) -> (Int, [Int])? {
        // SQLite decodes %XX in a URI's path; `?`, `#` and `%` must not stand as themselves.
        guard let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else { return nil }
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        guard
            sqlite3_open_v2("file:\(escaped)?mode=ro" + (lockFree ? "&nolock=1" : ""), &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
                == SQLITE_OK,
            let connection
        else { return nil }
        sqlite3_busy_timeout(connection, 1000)
        func integers(_ sql: String) -> [Int]? {
            var statement: OpaquePointer?
            defer { sqlite3_finalize(statement) }
            guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK else { return nil }
            var out: [Int] = []
            while true {
                switch sqlite3_step(statement) {
                case SQLITE_ROW: out.append(Int(sqlite3_column_int64(statement, 0)))
                case SQLITE_DONE: return out
                default: return nil
                }
            }
        }
        guard let size = integers("PRAGMA page_size")?.first,
            let pages = integers("SELECT pageno FROM dbstat WHERE name = 'keyslot'"), !pages.isEmpty
        else { return nil }
        return (size, pages)
    }

    /// The WAL's page size and the byte offsets of its page images whose page number is in
    /// `pages`, in every frame slot of the file, whether or not SQLite still counts the frame as
    /// valid.
    ///
    /// The WAL format (sqlite.org/fileformat.html#the_write_ahead_log): a 32-byte header whose
    /// bytes 8–11 give the page size, then frames of a 24-byte header (bytes 0–3: page number,
    /// big-endian) followed by one page.
    static func walFrames(_ fd: Int32, holding pages: Set<Int>) -> (pageSize: Int, offsets: [off_t]) {
        var header = [UInt8](repeating: 0, count: 32)
        guard pread(fd, &header, 32, 0) == 32 else { return (0, []) }
        func u32(_ b: [UInt8], _ at: Int) -> Int { b[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let pageSize = u32(header, 8)
        guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else { return (0, []) }
        var st = stat()
        fstat(fd, &st)
        var found: [off_t] = []
        var frame = [UInt8](repeating: 0, count: 4)
        var offset = off_t(32)
        while offset + 24 < st.st_size {
            guard pread(fd, &frame, 4, offset) == 4 else { break }
            if pages.contains(u32(frame, 0)) { found.append(offset + 24) }
            offset += off_t(24 + pageSize)
        }
        return (pageSize, found)
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
