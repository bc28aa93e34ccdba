import CasesCrypto
import Foundation
import GRDB
import GRDBSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// The vault's schema: the SQL files under `Schema/`, embedded in the binary.
public enum VaultSchema {
    /// The vault format this build writes: the number of migrations, which each future
    /// migration also writes into the header's `user_version` (``VaultHeader``).
    public static var currentFormat: Int { migrations.count }

    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        for (name, sql) in migrations {
            m.registerMigration(name) { db in try db.execute(sql: sql) }
        }
        return m
    }
}

/// An encrypted case vault on disk, not yet unlocked: one SQLite file, 0600, in a 0700 folder.
///
/// Opening checks permissions and the schema; nothing can be read until ``unlock(passphrase:)``
/// or ``unlock(recoveryCode:)`` unwraps the master key from a keyslot.
// Sendable by hand: threads share only `database` (a DatabaseQueue, which serialises every
// access) and the constants; the settings below are written by the thread that opens or
// unlocks the vault, before any work is handed to other threads, and only read after.
public final class Vault: @unchecked Sendable {
    public let path: String
    let database: DatabaseQueue
    let vaultID: [UInt8]
    /// False only for a vault being checked before it exists (a restore's candidate): its wrong
    /// passphrases are not this laptop's vault being guessed at.
    var enforcesUnlockPolicy = true
    /// The file opened (device and inode), to tell it from another file put at the same path.
    private let file: (device: UInt64, inode: UInt64)
    /// Where this laptop keeps its record of the vault's last state (``RollbackAnchor``); nil
    /// keeps none (a library caller's choice; the `cases` command always sets one).
    public var anchorFolder: String?
    /// The unlocked session's anchor, while it lasts (weak: locking drops the key it holds).
    weak var anchor: RollbackAnchor?

    private init(path: String, database: DatabaseQueue, vaultID: [UInt8], file: (device: UInt64, inode: UInt64)) {
        self.path = path
        self.database = database
        self.vaultID = vaultID
        self.file = file
    }

    /// Whether `path` still names the file this vault was opened from, and not another file
    /// moved or restored there since (whose keys are not this vault's).
    public func isStillTheFile(at path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return (UInt64(st.st_dev), UInt64(st.st_ino)) == file
    }

    // MARK: - SQLite

    static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            // secure_delete: freed pages are zeroed, so old sealed bytes do not linger.
            // temp_store: sorts and temporary tables never touch a temp file.
            // synchronous FULL: a write is acknowledged only once it is on disk, even in WAL mode.
            try db.execute(sql: "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA synchronous = FULL;")
        }
        return config
    }

    /// Runs `body` in an IMMEDIATE transaction, so two writers queue up (or time out with
    /// ``VaultError/busy``) instead of one failing halfway.
    ///
    /// In an unlocked session the vault is first compared with this laptop's record of it, in
    /// the same transaction: nothing is added to a vault that was rolled back (``RollbackError``)
    /// unless `acceptingRollback`. Once committed, the record moves to the vault's new heads;
    /// if that fails the write stands, and the next unlock moves the record forward or says
    /// why it cannot.
    func write<T>(acceptingRollback: Bool = false, _ body: (Database) throws -> T) throws -> T {
        let anchor = self.anchor
        var heads: VaultHeads?
        let result = try Self.mapErrors {
            try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    if let anchor, !acceptingRollback { try anchor.refuseIfBehind(db) }
                    result = try body(db)
                    if anchor != nil { heads = try VaultHeads.read(db) }
                    return .commit
                }
                return result!
            }
        }
        if let anchor, let heads { try? anchor.store(heads) }
        return result
    }

    /// Reads in a consistent snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mapErrors { try database.read(body) }
    }

    /// Reads in a consistent snapshot with the file memory-mapped, for a read of the whole
    /// vault (the audit): pages are read in place instead of copied through a system call each.
    /// Only sealed bytes are in the file, so the mapping shows nothing that reading did not.
    func withMemoryMappedReads<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mapErrors {
            try database.inDatabase { db in
                try db.execute(sql: "PRAGMA mmap_size = 17179869184")
                defer { try? db.execute(sql: "PRAGMA mmap_size = 0") }
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(db)
                    return .commit
                }
                return try required(result)
            }
        }
    }

    /// Copies the WAL back into the file and empties it (a TRUNCATE checkpoint), after a keyslot
    /// change: an older copy of a keyslot page left in the WAL would still open with the old or
    /// removed passphrase, and ``VaultShredder`` can destroy a single copy in one write.
    /// Best effort: while another process is reading, the WAL stays as it is.
    func foldWAL() {
        _ = try? database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Runs `body` (an import's one long transaction) with a rollback journal instead of the
    /// WAL, when no other connection has the vault open; in the WAL again afterwards.
    ///
    /// In WAL mode each page of a bulk import is written twice: into the WAL as the transaction
    /// grows, then into the file by the checkpoint after the commit (300 MB each way for
    /// 100,000 cases, a sixth of the import's time). With a rollback journal, pages the vault did
    /// not have before are written once, straight into the file, and only pages it had are
    /// first copied to the journal, so a crash or a refused import still rolls back to exactly
    /// the vault before. The journal holds sealed pages only, like the WAL; it is deleted at
    /// the commit, and ``VaultShredder`` overwrites it if one is left. Leaving WAL mode needs
    /// the only connection: if another process has the vault open, the switch is refused at
    /// once and the import runs in the WAL as before. A vault left in rollback mode by a crash
    /// is put back in WAL mode by the next ``open(at:)``.
    ///
    /// Without the WAL, readers and a writer exclude each other. So the vault is also locked
    /// for this connection alone (`locking_mode = EXCLUSIVE`) until `body` returns: a `cases`
    /// started meanwhile waits, then exits 75 (busy), as it would beside any other writer,
    /// instead of holding a read lock that makes a long import fail near its end.
    ///
    /// `wanted` false runs `body` in the WAL as usual (a dry run, which stores nothing, need
    /// not keep anyone out).
    func withRollbackJournal<T>(if wanted: Bool = true, _ body: () throws -> T) throws -> T {
        guard wanted else { return try body() }
        let switched =
            (try? database.writeWithoutTransaction { db -> Bool in
                // No waiting for another process: the WAL is the fallback, not an error.
                sqlite3_busy_timeout(db.sqliteConnection, 0)
                defer { sqlite3_busy_timeout(db.sqliteConnection, 5000) }
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") == "delete" else { return false }
                try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
                return true
            }) ?? false
        defer {
            if switched {
                // The lock goes at the next access: switching back to the WAL.
                _ = try? database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA locking_mode = NORMAL") }
                Self.useWAL(database)
            }
        }
        return try body()
    }

    /// Puts the vault in WAL mode (a property of the file). Best effort: a vault another
    /// process holds open stays as it is until the next open.
    static func useWAL(_ database: DatabaseQueue) {
        _ = try? database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
    }

    static func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: throw VaultError.busy
            case .SQLITE_FULL: throw VaultError.io("the disk is full")
            case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
                throw VaultError.io("the operating system refused a read or write (\(error.resultCode))")
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: throw VaultError.integrity("the database file is damaged")
            default: throw VaultError.io("database error \(error.resultCode)")
            }
        }
    }

    // MARK: - Create

    /// Creates a new vault at `path` with one passphrase slot and one recovery-code slot.
    ///
    /// Built under a temporary name in the same folder and linked into place only when complete,
    /// so a crash leaves no half-made vault and an existing vault is never overwritten. Refuses a
    /// weak passphrase (``PassphraseError/tooWeak``) unless `acceptWeakPassphrase`, which the
    /// audit log then records as its first event.
    public static func create(
        at path: String, passphrase: SecretBytes, profile: Argon2Parameters.Profile,
        label: String? = nil, acceptWeakPassphrase: Bool = false,
        anchorFolder: String? = nil
    ) throws -> (UnlockedVault, RecoveryCode) {
        let weak = try PassphraseStrength.check(passphrase, acceptWeak: acceptWeakPassphrase)
        let folder = (path as NSString).deletingLastPathComponent
        try makePrivateFolder(folder.isEmpty ? "." : folder)
        if FileManager.default.fileExists(atPath: path) { throw VaultError.alreadyExists(path: path) }

        let file: AtomicFile
        do { file = try AtomicFile(path: path) } catch StorageError.exists { throw VaultError.alreadyExists(path: path) }
        file.closeDescriptor()
        let temporary = file.temporaryPath

        let master = try MasterKey.generate()
        let vaultID = Random.bytes(16)
        let recovery = try RecoveryCode.generate()
        let passSlot = try Keyslot.make(
            kind: .passphrase, secret: passphrase, parameters: Argon2Parameters(profile: profile), master: master, vaultID: vaultID)
        var recoverySlot = try Keyslot.make(
            kind: .recovery, secret: recovery.characters, parameters: Argon2Parameters(profile: .interactive), master: master, vaultID: vaultID)
        var first = passSlot
        first.sealedLabel = try label.map { Data(try sealLabel($0, slotID: passSlot.slotID, master: master, vaultID: vaultID)) }
        recoverySlot.sealedLabel = Data(try sealLabel("recovery code", slotID: recoverySlot.slotID, master: master, vaultID: vaultID))

        try mapErrors {
            let queue = try DatabaseQueue(path: temporary, configuration: configuration())
            // WAL is a property of the file, set once here: readers do not block the writer.
            // (GRDB's `journalMode = .wal` would instead touch the schema on every open.)
            // 16 KiB pages, set before the first write: rows are sealed records of 0.3-2 KiB,
            // and a 1 KiB event row left a fifth of each 4 KiB page empty (docs/benchmarks.md).
            // The schema is made before the switch to the WAL: with a rollback journal a new
            // file's pages are written once, where the WAL would hold a second copy of each.
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA page_size = 16384") }
            try VaultSchema.migrator().migrate(queue)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO vault (singleton, format, vault_id) VALUES (1, ?, ?)",
                    arguments: [VaultSchema.currentFormat, Data(vaultID)])
                try first.store(db, master: master, vaultID: vaultID)
                try recoverySlot.store(db, master: master, vaultID: vaultID)
            }
            // Folds the WAL back into the file so the link below publishes a complete vault.
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try queue.close()
        }
        if weak {
            // Recorded before the vault is linked into place: no weak vault ever lacks the record.
            let building = try Vault.open(at: temporary)
            let unlocked = try UnlockedVault(vault: building, key: master, slotID: passSlot.slotID)
            try building.write { db in try unlocked.recordWeakPassphrase(db, slotID: passSlot.slotID) }
            try mapErrors { try building.database.close() }
        }
        do { try file.publishClosed() } catch StorageError.exists { throw VaultError.alreadyExists(path: path) }
        let vault = try Vault.open(at: path, anchorFolder: anchorFolder)
        let unlocked = try UnlockedVault(vault: vault, key: master, slotID: passSlot.slotID)
        unlocked.checkAnchor()
        return (unlocked, recovery)
    }

    static func sealLabel(_ label: String, slotID: Data, master: MasterKey, vaultID: [UInt8]) throws -> [UInt8] {
        try SealedRecord.seal(Array(label.utf8), key: master.labels, vaultID: vaultID, table: "keyslot", row: slotID.hexString)
    }

    static func makePrivateFolder(_ folder: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) {
            guard isDir.boolValue else { throw VaultError.io("\(folder) is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw VaultError.io("cannot create the folder \(folder)")
        }
    }

    // MARK: - Open

    /// Opens the vault at `path`, refusing one that others could read or that is not a vault.
    ///
    /// First destroys what a killed `cases` process left beside it (``LeftoverFile``): a vault
    /// copy being created or restored holds every keyslot. Before the vault is checked, so that
    /// the leftovers of a restore killed before its vault appeared go too.
    public static func open(at path: String, anchorFolder: String? = nil) throws -> Vault {
        LeftoverFile.sweep(beside: path)
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw VaultError.notFound(path: path) }
            throw VaultError.io("cannot read \(path)")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw VaultError.notAVault(path: path) }
        if st.st_mode & 0o077 != 0 {
            throw VaultError.tooOpen(path: path, mode: String(st.st_mode & 0o777, radix: 8))
        }
        guard access(path, R_OK) == 0 else { throw VaultError.io("cannot read \(path)") }
        guard let header = VaultHeader.read(path) else { throw VaultError.notAVault(path: path) }
        // Decided from the file's bytes before SQLite opens it, so a refused vault is left as it
        // was, byte for byte, with no WAL or shared-memory file made beside it.
        guard header.isCasesVault else {
            throw VaultHeader.isOlderTestBuild(path) ? VaultError.olderTestBuild : VaultError.notAVault(path: path)
        }
        if header.format > VaultSchema.currentFormat { throw VaultError.newerFormat(header.format) }

        return try mapErrors {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            let migrator = VaultSchema.migrator()
            let (superseded, complete) = try queue.read { db in (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db)) }
            if superseded { throw VaultError.newerFormat(max(header.format, VaultSchema.currentFormat + 1)) }
            // Migrating only when needed: a command that only reads must not change a byte.
            if !complete {
                try migrator.migrate(queue)
                // The WAL now holds the pages the migration freed (zeroed) and rewrote, and past
                // its end older frames may hold what they held before: fold it and empty it.
                _ = try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            }
            // Left in rollback mode by an import that was killed (``withRollbackJournal(if:_:)``).
            if try queue.read({ db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }) != "wal" { useWAL(queue) }
            guard let row = try queue.read({ db in try Row.fetchOne(db, sql: "SELECT vault_id FROM vault WHERE singleton = 1") }),
                let id = row["vault_id"] as Data?, id.count == 16
            else {
                throw VaultError.notAVault(path: path)
            }
            let vault = Vault(path: path, database: queue, vaultID: Array(id), file: (UInt64(st.st_dev), UInt64(st.st_ino)))
            vault.anchorFolder = anchorFolder
            return vault
        }
    }

    // MARK: - Unlock

    func keyslots() throws -> [Keyslot] {
        try read { db in try Keyslot.fetchAll(db) }
    }

    /// Unlocks with a passphrase, trying each passphrase slot in turn, under the unlock policy.
    /// Then compares the vault with this laptop's record of it (``UnlockedVault/anchorStatus``).
    public func unlock(passphrase: SecretBytes) throws -> UnlockedVault {
        let unlocked = try underUnlockPolicy(wrong: .wrongPassphrase) { try unlock(kind: .passphrase, secret: passphrase) }
        unlocked.checkAnchor()
        return unlocked
    }

    /// Unlocks with the recovery code printed by `cases init`, under the unlock policy, then
    /// compares the vault with this laptop's record of it.
    public func unlock(recoveryCode: RecoveryCode) throws -> UnlockedVault {
        let unlocked = try underUnlockPolicy(wrong: .wrongRecoveryCode) { try unlock(kind: .recovery, secret: recoveryCode.characters) }
        unlocked.checkAnchor()
        return unlocked
    }

    /// The vault opened by the first slot of `kind` that `secret` unwraps; nil if none does.
    private func unlock(kind: Keyslot.Kind, secret: SecretBytes) throws -> UnlockedVault? {
        let slots = try keyslots()
        if slots.isEmpty { throw VaultError.shredded }
        for slot in slots where slot.kind == kind {
            if let master = try slot.unwrap(secret: secret, vaultID: vaultID) {
                let key = try MasterKey(secret: master)
                let unlocked = try UnlockedVault(vault: self, key: key, slotID: slot.slotID)
                unlocked.damagedKeyslots = damaged(slots, master: key, unlockedBy: slot.slotID)
                return unlocked
            }
        }
        return nil
    }

    /// The slots among `slots` whose MAC is missing or does not match their fields.
    func damaged(_ slots: [Keyslot], master: MasterKey, unlockedBy: Data) -> [DamagedKeyslot] {
        slots.filter { !$0.isAuthentic(master: master, vaultID: vaultID) }.map { slot in
            let label = slot.sealedLabel.flatMap {
                try? SealedRecord.open(Array($0), key: master.labels, vaultID: vaultID, table: "keyslot", row: slot.displayID)
            }
            return DamagedKeyslot(
                id: slot.displayID, kind: slot.kind.rawValue, label: label.map { String(decoding: $0, as: UTF8.self) },
                unlockedThisSession: slot.slotID == unlockedBy)
        }
    }
}

extension Data {
    /// Lower-case hex. By hand: `String(format:)` per byte cost a tenth of an import's time.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
