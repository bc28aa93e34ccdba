import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// A keyslot's public fields (salt, cost, wrapped key, sealed label) carry a MAC under a key
/// derived from the master key: a damaged slot is named at the next unlock and by the audit,
/// long before the day someone needs it.
@Suite struct KeyslotIntegrityTests {
    /// The recovery slot with one byte of `column` inverted at `index` (integers in their
    /// 8-byte big-endian form).
    static func flipped(_ slot: Keyslot, _ column: String, _ index: Int) -> any DatabaseValueConvertible {
        func flip(_ d: Data) -> Data { var b = d; b[index % b.count] ^= 0xFF; return b }
        switch column {
        case "salt": return flip(slot.salt)
        case "wrapped_key": return flip(slot.wrappedKey)
        case "sealed_label": return flip(slot.sealedLabel ?? Data([0]))
        case "ops_limit": return slot.opsLimit ^ (Int64(0x01) << (8 * (index % 8)))
        default: return slot.memLimit ^ (Int64(0x01) << (8 * (index % 8)))
        }
    }

    @Test func aDamagedRecoverySlotIsNamedAtUnlockAndByTheAudit() throws {
        let t = try TestVault()
        _ = try t.caseload.open(sampleDocument())
        let vault = t.unlocked.vault
        let recovery = try #require(try vault.keyslots().first { $0.kind == .recovery })
        var tried = 0
        for column in ["salt", "wrapped_key", "sealed_label", "ops_limit", "mem_limit"] {
            for index in [0, 5, 15] {
                try vault.write { db in
                    try db.execute(
                        sql: "UPDATE keyslot SET \(column) = ? WHERE slot_id = ?",
                        arguments: [Self.flipped(recovery, column, index), recovery.slotID])
                }
                // Everything still works with the passphrase; the damage is named, by label
                // (or, when the label is what was damaged, as the recovery code's slot).
                let unlocked = try vault.unlock(passphrase: try secret(TestVault.passphrase))
                let damaged = unlocked.damagedKeyslots
                #expect(damaged.map(\.id) == [recovery.displayID], "\(column)[\(index)]")
                #expect(damaged.first?.name == (column == "sealed_label" ? "the recovery code's slot" : "“recovery code”"), "\(column)[\(index)]")
                #expect(damaged.first?.name.contains(recovery.displayID) == false)
                let audit = try Caseload(vault: unlocked).verifyAudit()
                #expect(
                    audit.firstBreak?.hasPrefix("the keyslot \(damaged.first?.name ?? "?") is damaged") == true,
                    "\(column)[\(index)]: \(audit.firstBreak ?? "no break")")
                try vault.write { db in
                    try db.execute(sql: "DELETE FROM keyslot WHERE slot_id = ?", arguments: [recovery.slotID])
                    try recovery.insert(db)
                }
                tried += 1
            }
        }
        #expect(tried == 15)
        let healed = try vault.unlock(passphrase: try secret(TestVault.passphrase))
        #expect(healed.damagedKeyslots.isEmpty)
        #expect(try Caseload(vault: healed).verifyAudit().ok)
    }

    /// `init`, `key add`, `key passwd`: every slot written carries a MAC that checks.
    @Test func everySlotWrittenIsAuthenticated() throws {
        let t = try TestVault()
        let vault = t.unlocked.vault
        try t.unlocked.addKeyslot(passphrase: try secret("second caseworker river lantern 7"), profile: .interactive, label: "B")
        try t.unlocked.addKeyslot(passphrase: try secret("third caseworker copper meadow 9"), profile: .interactive, label: nil)
        try t.unlocked.changePassphrase(to: try secret("correct horse battery staple 42"), profile: .interactive)
        let slots = try vault.keyslots()
        #expect(slots.count == 4)
        #expect(slots.allSatisfy { $0.mac?.count == 32 && $0.isAuthentic(master: t.unlocked.key, vaultID: vault.vaultID) })
        #expect(try vault.unlock(passphrase: try secret("correct horse battery staple 42")).damagedKeyslots.isEmpty)
    }

    /// A slot without a MAC is damaged (someone cleared it), not new.
    @Test func aClearedMACIsDamage() throws {
        let t = try TestVault()
        let vault = t.unlocked.vault
        try vault.write { db in try db.execute(sql: "UPDATE keyslot SET mac = NULL WHERE kind = 'recovery'") }
        #expect(try vault.unlock(passphrase: try secret(TestVault.passphrase)).damagedKeyslots.map(\.kind) == ["recovery"])
    }

    /// Every slot without a MAC is damage too, and unlocking writes none: a vault of format 1.0
    /// has a MAC on every slot from its first write, so whoever cleared them all must not get a
    /// fresh MAC over what they put in the slots.
    @Test func slotsWhoseMACsWereAllClearedAreDamageAndStayUnauthenticated() throws {
        let t = try TestVault()
        let vault = t.unlocked.vault
        try vault.write { db in try db.execute(sql: "UPDATE keyslot SET mac = NULL") }
        let unlocked = try vault.unlock(recoveryCode: t.recovery)
        #expect(unlocked.damagedKeyslots.map(\.kind).sorted() == ["passphrase", "recovery"])
        #expect(try vault.keyslots().allSatisfy { $0.mac == nil })
    }
}
