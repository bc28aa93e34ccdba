import CasesCrypto
import Foundation
import GRDB

/// `cases key rotate`: a new master key, every record sealed again under its sub-keys, and the
/// keyslots made anew, in one transaction while no other process has the vault open.
///
/// Why: a keyslot only wraps the master key. A passphrase removed with `key remove` or changed
/// with `key passwd` still unwraps it from any copy of the vault or a backup made before, and
/// while the master key never changed, that key opened every later copy as well. After a
/// rotation, the old copies open nothing written since.
///
/// What becomes of the slots: a passphrase slot's key-encryption key comes from its passphrase,
/// which only its owner knows, so no slot but the one unlocking can be rewrapped. That slot is
/// rewrapped with its passphrase (typed again; its id, label and cost stay), a fresh recovery
/// code replaces the old one (shown once), and every other slot is removed, its label kept in
/// `removed_keyslot` so its events still name it; its owner is added again with `key add`.
///
/// What is sealed again, and how, is listed once: ``KeyRotation/inventory``.
public final class KeyRotation {
    /// The vault under the key it had, to open what is stored.
    let old: UnlockedVault
    /// The same vault under the new key, to seal what is written.
    let new: UnlockedVault
    /// The rotation's one transaction.
    let db: Database
    let passphrase: SecretBytes
    /// Set by the keyslots' step.
    var recoveryCode: RecoveryCode?
    var keptSlot: KeyslotInfo?
    var removedSlots: [KeyslotInfo] = []
    /// Each case's duplicate key under the new key, by compact case id: computed from the
    /// case's opening event, then written into the case and its summary.
    var duplicateKeys: [String: String] = [:]
    private let progress: ((_ done: Int, _ total: Int) -> Void)?
    private var done = 0
    private var total = 0

    private init(
        old: UnlockedVault, new: UnlockedVault, db: Database, passphrase: SecretBytes,
        progress: ((Int, Int) -> Void)?
    ) {
        (self.old, self.new, self.db, self.passphrase, self.progress) = (old, new, db, passphrase, progress)
    }

    /// What a rotation did.
    public struct Outcome {
        /// The vault under its new key; the one it was called on no longer opens anything.
        public let vault: UnlockedVault
        /// The new recovery code, to show once.
        public let recoveryCode: RecoveryCode
        /// The slot kept, rewrapped with the passphrase.
        public let kept: KeyslotInfo
        /// The slots removed, whose owners need `cases key add` again.
        public let removed: [KeyslotInfo]
        /// What went wrong after the commit (``afterCommit``), one sentence each: the rotation
        /// stands, and its recovery code must still be shown.
        public let warnings: [String]
    }

    /// Counts `rows` records as sealed again, for the progress report.
    func advance(by rows: Int) {
        done += rows
        progress?(min(done, total), total)
    }

    static func run(_ vault: UnlockedVault, passphrase: SecretBytes, progress: ((Int, Int) -> Void)?) throws -> Outcome {
        let slots = try vault.vault.keyslots()
        guard let slot = slots.first(where: { $0.slotID == vault.slotID }) else { throw VaultError.noSuchKeyslot(vault.actor) }
        guard slot.kind == .passphrase else { throw KeyRotationError.unlockedWithRecoveryCode }
        // The slot is rewrapped with this passphrase: one that does not open it would lock its owner out.
        guard let unwrapped = try slot.unwrap(secret: passphrase, vaultID: vault.vault.vaultID),
            unwrapped.isEqual(to: vault.key.secret)
        else { throw KeyRotationError.notThisSlotsPassphrase }

        let new = try UnlockedVault(vault: vault.vault, key: MasterKey.generate(), slotID: vault.slotID)
        let (code, kept, removed) = try vault.vault.alone { db in
            let rotation = KeyRotation(old: vault, new: new, db: db, passphrase: passphrase, progress: progress)
            rotation.total = try inventory.reduce(0) { $0 + (try $1.rows.map { try Int.fetchOne(db, sql: $0) ?? 0 } ?? 0) }
            for step in inventory { try step.rewrite(rotation) }
            guard let code = rotation.recoveryCode, let kept = rotation.keptSlot else { throw VaultError.io("the rotation made no keyslots") }
            return (code, kept, rotation.removedSlots)
        }
        // Committed: from here nothing may throw, or the new recovery code would never be shown.
        var warnings: [String] = []
        for step in afterCommit {
            do { try step(new) } catch { warnings.append(String(describing: error)) }
        }
        return Outcome(vault: new, recoveryCode: code, kept: kept, removed: removed, warnings: warnings)
    }
}

extension UnlockedVault {
    /// Rotates the master key (``KeyRotation``): `passphrase` must be the one that unlocked this
    /// session, and keeps opening the vault. `progress` hears records sealed again, and their total.
    public func rotateKey(passphrase: SecretBytes, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> KeyRotation.Outcome {
        try KeyRotation.run(self, passphrase: passphrase, progress: progress)
    }
}

/// Why a rotation was refused; nothing was changed.
public enum KeyRotationError: CasesError, Equatable {
    case unlockedWithRecoveryCode
    case notThisSlotsPassphrase
    /// A record that does not open, or a chain that does not verify, under the current key.
    case damaged(String)

    public var kind: FailureKind {
        switch self {
        case .unlockedWithRecoveryCode: .invalidInput
        case .notThisSlotsPassphrase: .auth
        case .damaged: .integrity
        }
    }

    public var description: String {
        switch self {
        case .unlockedWithRecoveryCode:
            "A rotation keeps the passphrase you unlock with, and you unlocked with the recovery code; nothing was changed. Unlock with a passphrase (add one with `cases key add` first if you have none)."
        case .notThisSlotsPassphrase:
            "That passphrase does not open the keyslot you unlocked with; nothing was changed. Type the passphrase you unlocked with."
        case .damaged(let what):
            "Nothing was rotated: \(what). Run `cases audit verify`, and restore the vault from a backup if it was altered."
        }
    }
}
