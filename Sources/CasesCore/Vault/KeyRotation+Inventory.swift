import CasesCrypto
import Foundation
import GRDB

extension KeyRotation {
    /// One kind of thing sealed, MACed or keyed under the master key, and how a rotation writes
    /// it again under the new key.
    struct Step: Sendable {
        let name: String
        /// SQL counting the records it seals again, for the progress report; nil for a handful.
        let rows: String?
        let rewrite: @Sendable (KeyRotation) throws -> Void
    }

    /// Everything in the vault that is sealed, MACed or keyed under the master key, in the order
    /// a rotation rewrites it inside its one transaction. A new kind of sealed or keyed thing is
    /// one entry here; one left out would not open after a rotation, which the rotation tests
    /// (every command and `audit verify` on a rotated vault) catch.
    static let inventory: [Step] = [
        Step(name: "keyslots and their labels", rows: nil) { try $0.remakeKeyslots() },
        Step(name: "labels of removed keyslots", rows: nil) { try $0.resealRemovedLabels() },
        Step(name: "unlock policy", rows: nil) { try $0.resealUnlockPolicy() },
        // Before the cases: each opening event gives its case's new duplicate key.
        Step(name: "event log", rows: "SELECT count(*) FROM event") { try $0.resealEventLog() },
        Step(name: "cases and their summaries", rows: "SELECT count(*) FROM case_snapshot") { try $0.resealCases() },
        Step(name: "release ledger", rows: "SELECT count(*) FROM release") {
            try $0.resealChain(table: Caseload.releaseTable, key: \.ledger, macKey: \.ledger)
        },
    ]

    /// What is kept outside the vault under a key derived from the master key, rewritten for
    /// the vault under its new key once the rotation committed.
    static let afterCommit: [@Sendable (UnlockedVault) throws -> Void] = [
        { try $0.rewriteAnchor() } // this laptop's record of the vault's last state
    ]

    // MARK: - Keyslots

    /// The unlocking slot rewrapped with its passphrase (same id, label and cost), a new
    /// recovery slot, and every other slot removed, its label kept for its events.
    func remakeKeyslots() throws {
        let vaultID = old.vault.vaultID
        let slots = try Keyslot.fetchAll(db)
        guard let kept = slots.first(where: { $0.slotID == old.slotID }) else { throw VaultError.noSuchKeyslot(old.actor) }
        for slot in slots where slot.slotID != kept.slotID {
            // Sealed under the old key until ``resealRemovedLabels()``, like every removed label.
            try db.execute(
                sql: "INSERT OR REPLACE INTO removed_keyslot (slot_id, sealed_label) VALUES (?, ?)",
                arguments: [slot.slotID, slot.sealedLabel])
            removedSlots.append(
                KeyslotInfo(
                    id: slot.displayID, kind: slot.kind.rawValue, label: old.openLabel(slot.sealedLabel, slotID: slot.displayID),
                    profile: slot.parameters.profileName, inUse: false))
        }
        try db.execute(sql: "DELETE FROM keyslot")

        var rewrapped = try Keyslot.make(
            kind: .passphrase, secret: passphrase, parameters: kept.parameters, master: new.key, vaultID: vaultID, slotID: kept.slotID)
        rewrapped.sealedLabel = try old.openLabel(kept.sealedLabel, slotID: kept.displayID).map {
            Data(try Vault.sealLabel($0, slotID: kept.slotID, master: new.key, vaultID: vaultID))
        }
        try rewrapped.store(db, master: new.key, vaultID: vaultID)
        keptSlot = KeyslotInfo(
            id: kept.displayID, kind: kept.kind.rawValue, label: old.openLabel(kept.sealedLabel, slotID: kept.displayID),
            profile: kept.parameters.profileName, inUse: true)
        let code = try RecoveryCode.generate()
        var recovery = try Keyslot.make(
            kind: .recovery, secret: code.characters, parameters: Argon2Parameters(profile: .interactive), master: new.key, vaultID: vaultID)
        recovery.sealedLabel = Data(try Vault.sealLabel("recovery code", slotID: recovery.slotID, master: new.key, vaultID: vaultID))
        try recovery.store(db, master: new.key, vaultID: vaultID)
        recoveryCode = code
    }

    /// Removed slots' labels; one that does not open (altered) stays as it is, and still does not.
    func resealRemovedLabels() throws {
        for row in try Row.fetchAll(db, sql: "SELECT slot_id, sealed_label FROM removed_keyslot WHERE sealed_label IS NOT NULL") {
            let slotID: Data = row["slot_id"]
            guard let label = old.openLabel(row["sealed_label"], slotID: slotID.hexString) else { continue }
            try db.execute(
                sql: "UPDATE removed_keyslot SET sealed_label = ? WHERE slot_id = ?",
                arguments: [Data(try Vault.sealLabel(label, slotID: slotID, master: new.key, vaultID: new.vault.vaultID)), slotID])
        }
    }

    // MARK: - Small records

    /// The unlock policy's sealed threshold. One that does not open stays as it is, so the
    /// policy still shows as altered.
    func resealUnlockPolicy() throws {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT sealed_policy FROM unlock_policy WHERE singleton = 1"),
            let resealed = try? reseal(sealed, key: \.records, table: UnlockPolicy.table, row: "1")
        else { return }
        try db.execute(sql: "UPDATE unlock_policy SET sealed_policy = ? WHERE singleton = 1", arguments: [resealed])
    }

    /// One record opened under the old sub-key `key` and sealed under the new one, as it was.
    func reseal(_ sealed: Data, key: KeyPath<MasterKey, SecretBytes>, table: String, row: String) throws -> Data {
        try old.withOpened(sealed, table: table, row: row, key: old.key[keyPath: key]) { plain in
            Data(try SealedRecord.seal(plain, key: new.key[keyPath: key], vaultID: new.vault.vaultID, table: table, row: row))
        }
    }
}
