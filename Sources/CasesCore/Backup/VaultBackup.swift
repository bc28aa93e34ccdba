import AgeFormat
import CasesCrypto
import Foundation
import GRDB
import GRDBSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// Encrypted backups of a vault as age v1 files (C2SP), so headquarters can decrypt them with
/// the standard `age` tool even if this program is gone.
///
/// The payload is a consistent snapshot of the vault file, whose records are still sealed under
/// the master key. It streams in 64 KiB chunks: memory does not grow with the vault, except
/// while another process pins the WAL (``MemorySnapshot``).
public enum VaultBackup {
    /// Reports bytes processed so far and the total, for a progress bar.
    public typealias Progress = (_ done: Int64, _ total: Int64) -> Void

    /// What a backup holds once decrypted.
    public struct Summary: Sendable, Codable {
        public var bytes: Int64
        public var cases: Int?
        public var events: Int?
        /// What a restored vault lacks compared with this laptop's record of the same vault (a
        /// backup older than the vault's last use here); nil if nothing, or no record.
        public var behindRecord: RollbackFinding?
    }

    // MARK: - Create

    /// Writes an age backup of `vault` to `output`, which must not exist yet.
    ///
    /// Fast path: fold the WAL into the vault file, then encrypt the file's bytes straight from
    /// disk while a read transaction pins them (in WAL mode no checkpoint can write past a
    /// reader's mark, so other processes may keep writing to the WAL meanwhile). If another
    /// process keeps the WAL from being folded, a copy of the vault taken in memory is encrypted
    /// instead. Neither writes a copy of the vault anywhere.
    @discardableResult
    public static func create(
        vault: Vault, output: String, recipients: [AgeRecipient], armor: Bool = false,
        progress: Progress? = nil
    ) throws -> Summary {
        guard !recipients.isEmpty else { throw BackupError.noRecipient }
        let out = try AtomicFile(path: output)
        let encrypt = { (source: any ByteSource, size: Int64) throws in
            try age {
                try AgeEncryptor.encrypt(
                    from: source, to: FileDescriptorByteSink(fileDescriptor: out.descriptor),
                    recipients: recipients, armor: armor, progress: progress.map { p in { p($0, size) } })
            }
        }
        let folded =
            (try? vault.database.writeWithoutTransaction { db in
                // Not GRDB's 5 s: a reader that pins the WAL for a second longer is holding it open
                // on purpose (`sqlite3`, a sync tool), and the copy in memory is quicker than waiting.
                sqlite3_busy_timeout(db.sqliteConnection, 1000)
                defer { sqlite3_busy_timeout(db.sqliteConnection, 5000) }
                return try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)").map { ($0[0] as Int) == 0 } ?? false
            }) ?? false
        let size: Int64
        if folded {
            size = try Vault.mapErrors {
                try vault.database.read { db in
                    _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") // starts the read snapshot
                    let fd = Glibc.open(vault.path, O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw StorageError.io("cannot read the vault to back it up") }
                    defer { close(fd) }
                    let size = fileSize(fd)
                    try encrypt(BoundedSource(FileDescriptorByteSource(fileDescriptor: fd), limit: size), size)
                    return size
                }
            }
        } else {
            let snapshot = try MemorySnapshot(of: vault)
            try encrypt(snapshot, snapshot.size)
            size = snapshot.size
        }
        try out.publish()
        return Summary(bytes: size, cases: nil, events: nil)
    }

    /// Reads at most `limit` bytes: the file's length when the read transaction began.
    final class BoundedSource: ByteSource {
        let inner: any ByteSource
        var left: Int64
        init(_ inner: any ByteSource, limit: Int64) { self.inner = inner; left = limit }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            guard left > 0 else { return 0 }
            let n = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(Int(min(Int64(buffer.count), left)))))
            left -= Int64(n)
            return n
        }
    }

    // MARK: - Verify

    /// Authenticates every byte of a backup and checks that it holds a SQLite database.
    /// Writes nothing.
    public static func verify(file: String, identities: [AgeIdentity], progress: Progress? = nil) throws -> Summary {
        let sink = try decrypt(file: file, into: DiscardingByteSink(), identities: identities, progress: progress)
        guard sink.isSQLite else { throw BackupError.notAVaultBackup }
        return Summary(bytes: sink.count, cases: nil, events: nil)
    }

    // MARK: - Restore

    /// Decrypts a backup into a new vault at `destination` (never overwriting), after checking
    /// that it is an intact vault whose every sealed record opens under `passphrase` (or the
    /// recovery code) and whose audit chain holds. Nothing appears at `destination` otherwise.
    ///
    /// The backup holds the vault's own event and release chains, so its heads are compared with
    /// this laptop's record in `anchorFolder` (``Summary/behindRecord``); the record is left as
    /// it is: only `cases audit accept-rollback` moves it back.
    public static func restore(
        file: String, to destination: String, identities: [AgeIdentity], anchorFolder: String? = nil,
        unlock: (Vault) throws -> UnlockedVault, progress: Progress? = nil
    ) throws -> Summary {
        try Vault.makePrivateFolder(AtomicFile.folder(of: destination))
        let out = try AtomicFile(path: destination)
        let sink = try decrypt(file: file, into: FileDescriptorByteSink(fileDescriptor: out.descriptor), identities: identities, progress: progress)
        guard sink.isSQLite else { throw BackupError.notAVaultBackup }
        guard fsync(out.descriptor) == 0 else { throw StorageError.io("cannot flush the restored vault to disk") }
        out.closeDescriptor()

        // Check the restored file under its temporary name before it becomes a vault.
        let summary: Summary
        do {
            let candidate = try Vault.open(at: out.temporaryPath)
            candidate.enforcesUnlockPolicy = false
            let ok = try candidate.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
            guard ok == "ok" else { throw BackupError.damagedPayload("the database inside fails SQLite's integrity check") }
            let unlocked = try unlock(candidate)
            let caseload = Caseload(vault: unlocked)
            let report = try caseload.verifyAudit()
            if let broken = report.firstBreak { throw BackupError.damagedPayload(broken) }
            let damaged = try caseload.list().damaged
            guard damaged.isEmpty else { throw BackupError.damagedPayload("case \(damaged[0]) does not open") }
            // Read before the candidate is closed below.
            var behind: RollbackFinding?
            if let anchorFolder {
                let record = RollbackAnchor(folder: anchorFolder, vaultID: candidate.vaultID, key: unlocked.key.anchor)
                if case .behind(let f) = try candidate.read({ db in try record.compare(db) }) { behind = f }
            }
            // A full disk here is an I/O failure like any other write (exit 74), not damage.
            try Vault.mapErrors {
                try candidate.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
                try candidate.database.close()
            }
            summary = Summary(bytes: sink.count, cases: report.cases, events: report.events, behindRecord: behind)
        } catch let e as VaultError {
            switch e {
            case .wrongPassphrase, .wrongRecoveryCode, .malformedRecoveryCode, .io, .busy: throw e
            case .notAVault: throw BackupError.notAVaultBackup
            default: throw BackupError.damagedPayload(e.description)
            }
        }
        try out.publishClosed()
        return summary
    }

    // MARK: - Decrypt

    /// Plain age decryption of any age file (binary or armored) to `output`, which must not exist.
    public static func decrypt(file: String, output: String, identities: [AgeIdentity], progress: Progress? = nil) throws -> Int64 {
        let out = try AtomicFile(path: output)
        let sink = try decrypt(file: file, into: FileDescriptorByteSink(fileDescriptor: out.descriptor), identities: identities, progress: progress)
        try out.publish()
        return sink.count
    }

    /// Streams the age file at `file` into `inner`, authenticating every chunk; the returned
    /// sink tells how many bytes came out and whether they start like a SQLite database.
    static func decrypt(file: String, into inner: any ByteSink, identities: [AgeIdentity], progress: Progress?) throws -> MagicCheckingSink {
        let fd = try openInput(file)
        defer { close(fd) }
        let total = fileSize(fd)
        let sink = MagicCheckingSink(inner: inner)
        try age {
            try AgeDecryptor.decrypt(
                from: FileDescriptorByteSource(fileDescriptor: fd), to: sink, identities: identities,
                progress: progress.map { p in { p($0, total) } })
        }
        return sink
    }

    /// Whether the file's header asks for a passphrase (scrypt) rather than an identity.
    public static func needsPassphrase(file: String) throws -> Bool {
        let fd = try openInput(file)
        defer { close(fd) }
        return try age { try AgeDecryptor.readHeader(from: FileDescriptorByteSource(fileDescriptor: fd)).isPassphraseProtected }
    }

    // MARK: - Helpers

    static func openInput(_ file: String) throws -> Int32 {
        let fd = Glibc.open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw StorageError.missing(file) }
            throw StorageError.io("cannot read \(file)")
        }
        return fd
    }

    static func fileSize(_ fd: Int32) -> Int64 {
        var st = stat()
        fstat(fd, &st)
        return Int64(st.st_size)
    }

    static func age<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as AgeError { throw BackupError.age(e) }
    }
}

/// Passes bytes through and remembers whether they start like a SQLite database.
final class MagicCheckingSink: ByteSink {
    let inner: any ByteSink
    private var head: [UInt8] = []
    private(set) var count: Int64 = 0
    static let magic = Array("SQLite format 3\0".utf8)

    init(inner: any ByteSink) { self.inner = inner }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if head.count < 16 { head.append(contentsOf: bytes.prefix(16 - head.count)) }
        count += Int64(bytes.count)
        try inner.write(bytes)
    }

    var isSQLite: Bool { head == Self.magic }
}

/// Why a backup could not be made, checked or restored.
public enum BackupError: CasesError, Equatable {
    case age(AgeError)
    case noRecipient
    case notAVaultBackup
    case damagedPayload(String)
    case noMemoryForSnapshot

    public var kind: FailureKind {
        switch self {
        case .age(let e):
            switch e.kind {
            case .damaged: .integrity
            case .notAllowed: .auth
            case .unsupported, .invalidInput: .invalidInput
            case .systemFailure: .io
            }
        case .noRecipient: .usage
        case .notAVaultBackup, .damagedPayload: .integrity
        case .noMemoryForSnapshot: .io
        }
    }

    public var description: String {
        switch self {
        case .age(let e): e.description
        case .noRecipient: "Name who can open the backup: --recipient age1…, --recipients-file FILE, or --passphrase."
        case .notAVaultBackup: "The file decrypts, but what is inside is not a cases vault; nothing was restored."
        case .damagedPayload(let why): "The backup decrypts, but the vault inside is damaged (\(why)); nothing was restored. Try an older backup."
        case .noMemoryForSnapshot:
            "Another program keeps the vault open, and there is not enough memory to copy it for the backup; close that program (another cases, sqlite3) and try again. Nothing was written."
        }
    }
}
