import CasesCrypto
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// This laptop's record of a vault's last state (its ``VaultHeads``), kept outside the vault
/// file so that a vault put back to an earlier copy, or with rows deleted, is noticed.
///
/// A file cannot show its own rollback: an older copy of the vault is a perfectly valid vault.
/// So after every committed write the heads are sealed under a key derived from the master key
/// and written to one small file per vault in the state folder; every unlock and every write
/// compares the vault with it. Whoever can also put back an older copy of this file (or delete
/// it) defeats the check; SECURITY.md says so.
///
/// What the file shows: its name is a hash of the vault's random id (so it names no person,
/// and only someone holding the vault file as well can tell which vault it belongs to); its
/// size never changes (the heads are a fixed-length record, sealed like every vault record);
/// its time of change is the time of the vault's last write, which the vault's own file shows
/// too. Sealed, not only MACed: the number of events, releases and cases is the caseload's size.
// Sendable by hand: every stored property is a constant; the key is in sodium memory, which
// is not a Swift value, and is only read.
public final class RollbackAnchor: @unchecked Sendable {
    public let folder: String
    let vaultID: [UInt8]
    private let key: SecretBytes

    init(folder: String, vaultID: [UInt8], key: SecretBytes) {
        (self.folder, self.vaultID, self.key) = (folder, vaultID, key)
    }

    /// The state folder: `--state-dir`, else `$CASES_STATE_DIR`, else `$XDG_STATE_HOME/cases`
    /// (`~/.local/state/cases`).
    public static func folder(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = explicit, !p.isEmpty { return p }
        if let p = environment["CASES_STATE_DIR"], !p.isEmpty { return p }
        if let x = environment["XDG_STATE_HOME"], !x.isEmpty { return x + "/cases" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/cases"
    }

    /// The anchor's file name: a hash of the vault id, so the shredder, which has no key, finds it.
    static func fileName(vaultID: [UInt8]) -> String {
        Data(KeyedHash.hash([Array("cases.rollback-anchor".utf8), vaultID], length: 16)).hexString
    }

    public var path: String { folder + "/" + Self.fileName(vaultID: vaultID) }

    /// The start of the name of a record being written (hidden, beside the record).
    static func temporaryPrefix(vaultID: [UInt8]) -> String { "." + fileName(vaultID: vaultID) + ".partial-" }

    static let table = "rollback_anchor"

    // MARK: - The file

    enum Recorded: Equatable {
        case none
        case heads(VaultHeads)
        case damaged
    }

    /// What the file holds: nothing (no file), the heads, or bytes that do not open.
    func load() -> Recorded {
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileManager.default.fileExists(atPath: path) ? .damaged : .none
        }
        guard var plain = try? SealedRecord.open([UInt8](data), key: key, vaultID: vaultID, table: Self.table, row: ""),
            let heads = try? VaultHeads(decoding: plain)
        else { return .damaged }
        plain.wipe()
        return .heads(heads)
    }

    /// Replaces the file with `heads`: a temporary file (0600) flushed, renamed over the old one,
    /// the folder flushed. A crash leaves the old record or the new one, never a mix.
    func store(_ heads: VaultHeads) throws {
        try Vault.makePrivateFolder(folder)
        var plain = heads.encoded()
        defer { plain.wipe() }
        let sealed = try SealedRecord.seal(plain, key: key, vaultID: vaultID, table: Self.table, row: "")
        let temporary = folder + "/" + Self.temporaryPrefix(vaultID: vaultID) + Data(Random.bytes(6)).hexString
        let fd = Glibc.open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError.io("cannot write in \(folder)") }
        var ok = sealed.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) == $0.count }
        ok = fsync(fd) == 0 && ok
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw StorageError.io("cannot write \(path)")
        }
        Self.removeTemporaries(vaultID: vaultID, in: folder) // left by a process killed mid-write
        try AtomicFile.fsyncFolder(folder)
    }

    /// Removes the anchor of the vault `vaultID` from `folder`, if there is one.
    static func remove(vaultID: [UInt8], in folder: String) {
        removeTemporaries(vaultID: vaultID, in: folder)
        unlink(folder + "/" + fileName(vaultID: vaultID))
        try? AtomicFile.fsyncFolder(folder)
    }

    /// Unlinks this vault's temporary files in `folder` (none but while a write is under way).
    private static func removeTemporaries(vaultID: [UInt8], in folder: String) {
        let prefix = temporaryPrefix(vaultID: vaultID)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            unlink(folder + "/" + name)
        }
    }

    /// Removes the anchor of the vault at `path` (its id read from the file, read-only); for the
    /// shredder, once the keyslots are gone: the anchor is evidence that the vault existed.
    /// Nothing happens if the vault's id can no longer be read.
    public static func forget(vaultAt path: String, in folder: String) {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        guard let queue = try? DatabaseQueue(path: path, configuration: config) else { return }
        let id = (try? queue.read { db in try Data.fetchOne(db, sql: "SELECT vault_id FROM vault WHERE singleton = 1") }) ?? nil
        try? queue.close()
        if let id, id.count == 16 { remove(vaultID: Array(id), in: folder) }
    }

    // MARK: - Comparing

    enum Comparison: Equatable {
        /// No record yet (first use on this laptop, or the file was deleted).
        case unrecorded(VaultHeads)
        /// The vault holds everything recorded (and perhaps more: `heads` are its own).
        case consistent(VaultHeads, changed: Bool)
        case behind(RollbackFinding)
        case damaged
    }

    /// The vault inside `db`'s transaction against the record.
    func compare(_ db: Database) throws -> Comparison {
        let vault = try VaultHeads.read(db)
        switch load() {
        case .none: return .unrecorded(vault)
        case .damaged: return .damaged
        case .heads(let recorded):
            if let finding = try RollbackFinding.compare(recorded: recorded, vault: vault, mac: { try VaultHeads.mac(db, table: $0, seq: $1) }) {
                return .behind(finding)
            }
            return .consistent(vault, changed: vault != recorded)
        }
    }

    /// Throws ``RollbackError`` when the vault is behind the record or the record does not open:
    /// run inside every write's transaction, so nothing is added to a rolled-back vault.
    func refuseIfBehind(_ db: Database) throws {
        switch try compare(db) {
        case .behind(let f): throw RollbackError.rolledBack(f)
        case .damaged: throw RollbackError.anchorDamaged(path: path)
        case .unrecorded, .consistent: break
        }
    }
}

/// What the check at unlock found (``UnlockedVault/anchorStatus``).
public enum AnchorStatus: Equatable, Sendable {
    /// No state folder set (a vault opened by a library caller that keeps no record).
    case off
    /// The vault holds everything this laptop recorded.
    case consistent
    /// No record existed; one was made now. `hadHistory`: the vault already had events or
    /// releases, so whatever happened to it before cannot be checked.
    case started(hadHistory: Bool)
    case rolledBack(RollbackFinding)
    case damaged(path: String)
    /// The record could not be written (why, in plain words): rollbacks are not detected.
    case notKept(String)

    /// The error writes and releases now meet, if any.
    public var refusal: RollbackError? {
        switch self {
        case .rolledBack(let f): .rolledBack(f)
        case .damaged(let path): .anchorDamaged(path: path)
        default: nil
        }
    }
}
