import CasesCrypto
import Foundation
import GRDB

/// A vault whose master key is in memory: everything a session can read and write.
///
/// The key lives in sodium memory and is wiped when this object is released, so ending a
/// session (or locking a shell) is dropping the last reference.
// Sendable by hand: the key is a constant, and the few `var`s (the anchor, what the unlock
// found) are set by the unlocking thread before the session is shared; workers only read.
public final class UnlockedVault: @unchecked Sendable {
    public let vault: Vault
    let key: MasterKey
    /// The keyslot that unlocked this session; every event records it as the actor.
    let slotID: Data
    /// Wrong passphrases tried since the vault was last opened, before this unlock; counted only
    /// while an unlock policy is on.
    public internal(set) var failedUnlocksBefore = 0
    /// What comparing the vault with this laptop's record of it found at unlock.
    public internal(set) var anchorStatus: AnchorStatus = .off
    /// This laptop's record of the vault, kept in step after every write; nil without a state folder.
    var anchor: RollbackAnchor? {
        didSet { vault.anchor = anchor }
    }
    /// The keyslots whose fields no longer match their MAC, found at unlock: a damaged slot may
    /// not open the vault on the day it is needed (the recovery code's, most often).
    public internal(set) var damagedKeyslots: [DamagedKeyslot] = []

    init(vault: Vault, key: MasterKey, slotID: Data) throws {
        self.vault = vault
        self.key = key
        self.slotID = slotID
        actor = slotID.hexString
    }

    /// The actor recorded on events: the unlocking keyslot's id.
    public let actor: String

    // MARK: - Sealing

    /// Seals a record as JSON (statistics releases and the unlock policy's threshold: records
    /// written rarely, whose layout docs/format.md gives as JSON).
    func seal<T: Encodable>(_ value: T, table: String, row: String, key sub: SecretBytes? = nil) throws -> Data {
        var plain = try [UInt8](RecordCoding.sealedEncoder.encode(value))
        defer { plain.wipe() }
        return try seal(plain: plain, table: table, row: row, key: sub)
    }

    /// Seals a record in its binary form (``BinaryRecord``).
    func seal<T: BinaryRecord>(_ value: T, table: String, row: String, key sub: SecretBytes? = nil) throws -> Data {
        var plain = value.binaryEncoded()
        defer { plain.wipe() }
        return try seal(plain: plain, table: table, row: row, key: sub)
    }

    private func seal(plain: [UInt8], table: String, row: String, key sub: SecretBytes?) throws -> Data {
        Data(try SealedRecord.seal(plain, key: sub ?? key.records, vaultID: vault.vaultID, table: table, row: row))
    }

    /// A sealer for many records under the records key (see ``RecordSealer``).
    func makeSealer() -> RecordSealer {
        RecordSealer(key: key.records, vaultID: vault.vaultID)
    }

    /// Opens a sealed JSON record, or throws ``CryptoError/authenticationFailed``.
    func open<T: Decodable>(_ type: T.Type, sealed: Data, table: String, row: String, key sub: SecretBytes? = nil) throws -> T {
        try withOpened(sealed, table: table, row: row, key: sub) { try RecordCoding.decoder.decode(T.self, from: Data($0)) }
    }

    /// Opens a record sealed in its binary form (``BinaryRecord``). Throws
    /// ``CryptoError/authenticationFailed``, or ``RecordMalformed`` for anything else inside.
    func open<T: BinaryRecord>(_ type: T.Type, sealed: Data, table: String, row: String, key sub: SecretBytes? = nil) throws -> T {
        try withOpened(sealed, table: table, row: row, key: sub) { plain in try plain.withUnsafeBufferPointer { try T(binary: $0) } }
    }

    /// Calls `body` with a sealed record's plaintext, wiped afterwards.
    func withOpened<R>(_ sealed: Data, table: String, row: String, key sub: SecretBytes?, _ body: ([UInt8]) throws -> R) throws -> R {
        var plain = try sealed.withUnsafeBytes {
            try SealedRecord.open($0, key: sub ?? key.records, vaultID: vault.vaultID, table: table, row: row)
        }
        defer { plain.wipe() }
        return try body(plain)
    }

    // MARK: - Keyslots

    /// Every keyslot, with labels opened.
    public func keyslots() throws -> [KeyslotInfo] {
        try vault.keyslots().map { slot in
            KeyslotInfo(
                id: slot.displayID, kind: slot.kind.rawValue, label: openLabel(slot.sealedLabel, slotID: slot.displayID),
                profile: slot.parameters.profileName, inUse: slot.slotID == slotID)
        }
    }

    /// Adds a passphrase slot, for a second caseworker or a replacement passphrase. Refuses a
    /// weak passphrase (``PassphraseError/tooWeak``) unless `acceptWeakPassphrase`, which the
    /// audit log then records.
    @discardableResult
    public func addKeyslot(
        passphrase: SecretBytes, profile: Argon2Parameters.Profile, label: String?,
        acceptWeakPassphrase: Bool = false
    ) throws -> KeyslotInfo {
        let weak = try PassphraseStrength.check(passphrase, acceptWeak: acceptWeakPassphrase)
        var slot = try Keyslot.make(
            kind: .passphrase, secret: passphrase, parameters: Argon2Parameters(profile: profile), master: key, vaultID: vault.vaultID)
        slot.sealedLabel = try label.map { Data(try Vault.sealLabel($0, slotID: slot.slotID, master: key, vaultID: vault.vaultID)) }
        try vault.write { db in
            try slot.store(db, master: key, vaultID: vault.vaultID)
            if weak { try recordWeakPassphrase(db, slotID: slot.slotID) }
        }
        vault.foldWAL()
        return KeyslotInfo(id: slot.displayID, kind: slot.kind.rawValue, label: label, profile: profile.rawValue, inUse: false)
    }

    /// Removes a slot; refuses the last one, which would lock everyone out.
    public func removeKeyslot(id: String) throws {
        try vault.write { db in
            let slots = try Keyslot.fetchAll(db)
            guard let slot = slots.first(where: { $0.displayID == id.lowercased() }) else { throw VaultError.noSuchKeyslot(id) }
            guard slots.count > 1 else { throw VaultError.lastKeyslot }
            _ = try slot.delete(db)
            // Its events keep its id; its label stays (sealed) so they still say who made them.
            try db.execute(
                sql: "INSERT OR REPLACE INTO removed_keyslot (slot_id, sealed_label) VALUES (?, ?)",
                arguments: [slot.slotID, slot.sealedLabel])
        }
        vault.foldWAL()
    }

    /// Gives slot `id` a new label (nil: none), sealed like the first.
    public func renameKeyslot(id: String, label: String?) throws {
        try vault.write { db in
            guard var slot = try Keyslot.fetchAll(db).first(where: { $0.displayID == id.lowercased() }) else { throw VaultError.noSuchKeyslot(id) }
            slot.sealedLabel = try label.map { Data(try Vault.sealLabel($0, slotID: slot.slotID, master: key, vaultID: vault.vaultID)) }
            try slot.store(db, master: key, vaultID: vault.vaultID)
        }
        vault.foldWAL()
    }

    /// Rewrites the passphrase slot that unlocked this session with a new passphrase (and a new
    /// salt). The master key, and so every record, stays as it is. Refuses a weak passphrase
    /// unless `acceptWeakPassphrase`, which the audit log then records.
    public func changePassphrase(to passphrase: SecretBytes, profile: Argon2Parameters.Profile, acceptWeakPassphrase: Bool = false) throws {
        let weak = try PassphraseStrength.check(passphrase, acceptWeak: acceptWeakPassphrase)
        try vault.write { db in
            guard var slot = try Keyslot.fetchOne(db, key: slotID) else { throw VaultError.noSuchKeyslot(slotID.hexString) }
            guard slot.kind == .passphrase else { throw KeyslotError.unlockedWithRecoveryCode }
            let label = slot.sealedLabel
            slot = try Keyslot.make(
                kind: .passphrase, secret: passphrase, parameters: Argon2Parameters(profile: profile), master: key, vaultID: vault.vaultID,
                slotID: slotID)
            slot.sealedLabel = label
            try slot.store(db, master: key, vaultID: vault.vaultID)
            if weak { try recordWeakPassphrase(db, slotID: slotID) }
        }
        vault.foldWAL()
    }
}

/// A keyslot whose public fields (salt, cost, wrapped key, label) were changed since cases
/// wrote it.
public struct DamagedKeyslot: Sendable, Equatable {
    /// The slot id (16 hex digits), for `cases key remove`.
    public var id: String
    /// `passphrase` or `recovery`.
    public var kind: String
    /// The slot's label, when its sealed label still opens.
    public var label: String?
    /// Whether this session was unlocked with it (its wrapped key, at least, still works).
    public var unlockedThisSession: Bool

    /// How a caseworker recognises the slot: its label, else its kind (never its hex id).
    public var name: String {
        if let label { return "“\(label)”" }
        return kind == "recovery" ? "the recovery code's slot" : "a passphrase slot whose label is damaged too"
    }
}

/// Keyslot operations a session may not perform.
public enum KeyslotError: CasesError {
    case unlockedWithRecoveryCode

    public var kind: FailureKind { .invalidInput }
    public var description: String {
        "You unlocked with the recovery code, which has no passphrase to change; add a new passphrase with `cases key add`, then remove the old slot with `cases key remove`."
    }
}
