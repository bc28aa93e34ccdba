import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// `UnlockedVault.rotateKey`: a new master key, every sealed thing sealed again under it, the
/// keyslots made anew, or nothing changed at all.
@Suite struct KeyRotationTests {
    /// A vault with everything a rotation must carry over: cases opened one by one and imported
    /// with their past (event groups), stage changes and notes, a release in the ledger, an
    /// unlock policy, a second caseworker's slot and a slot removed before.
    struct Busy {
        let vault: TestVault
        let ids: [CaseID]
        let secondPassphrase = "second caseworker horse battery 7"

        init() throws {
            vault = try TestVault()
            let u = vault.unlocked
            try u.addKeyslot(passphrase: try secret(secondPassphrase), profile: .interactive, label: "caseworker B")
            let gone = try u.addKeyslot(passphrase: try secret("departed caseworker staple 9"), profile: .interactive, label: "caseworker C")
            try u.removeKeyslot(id: gone.id)
            let load = vault.caseload
            var ids = try load.open(Array(SyntheticCaseload(count: 300, seed: 5)))
            let single = try load.open(sampleDocument())
            ids.append(single)
            _ = try load.note(single, text: "a note to carry over")
            _ = try load.advance(single, document: AdvanceDocument(assessment: RiskAssessment(level: .high, likelihood: 4, impact: 5)))
            _ = try load.publish(try TableSpec(period: Period(year: 2021)))
            try u.setUnlockPolicy(shredAfter: 10)
            self.ids = ids
        }
    }

    static func everyBlob(_ vault: UnlockedVault) throws -> [Data] {
        try vault.vault.read { db in
            try Data.fetchAll(db, sql: "SELECT sealed FROM case_snapshot")
                + Data.fetchAll(db, sql: "SELECT summary FROM case_snapshot WHERE summary IS NOT NULL")
                + Data.fetchAll(db, sql: "SELECT sealed FROM event") + Data.fetchAll(db, sql: "SELECT mac FROM event")
                + Data.fetchAll(db, sql: "SELECT sealed FROM release")
                + Data.fetchAll(db, sql: "SELECT sealed_policy FROM unlock_policy WHERE sealed_policy IS NOT NULL")
                + Data.fetchAll(db, sql: "SELECT wrapped_key FROM keyslot") + Data.fetchAll(db, sql: "SELECT salt FROM keyslot")
                + Data.fetchAll(db, sql: "SELECT sealed_label FROM keyslot WHERE sealed_label IS NOT NULL")
                + Data.fetchAll(db, sql: "SELECT sealed_label FROM removed_keyslot WHERE sealed_label IS NOT NULL")
        }
    }

    /// Each row's place and sealed sizes: what a copy shows of it.
    static func layout(_ vault: Vault) throws -> [String] {
        try vault.read { db in
            try String.fetchAll(
                db, sql: "SELECT 'case ' || rowid || ' ' || length(summary) || ' ' || length(sealed) FROM case_snapshot ORDER BY rowid")
                + String.fetchAll(db, sql: "SELECT 'event ' || seq || ' ' || length(sealed) FROM event ORDER BY seq")
                + String.fetchAll(db, sql: "SELECT 'release ' || seq || ' ' || length(sealed) FROM release ORDER BY seq")
        }
    }

    @Test func everythingIsSealedAnewAndReadsAsBefore() throws {
        let busy = try Busy()
        let before = busy.vault.caseload
        let cases = try before.allCases()
        let histories = try busy.ids.map { try before.history($0).map(\.event) }
        let ledger = try before.releaseLedger()
        let actors = try busy.vault.unlocked.eventActors()
        let oldBlobs = try Self.everyBlob(busy.vault.unlocked)
        let oldKeyslots = try busy.vault.unlocked.vault.read { db in
            try Data.fetchAll(db, sql: "SELECT wrapped_key FROM keyslot") + Data.fetchAll(db, sql: "SELECT salt FROM keyslot")
        }
        let oldKey = busy.vault.unlocked.key
        let layout = try Self.layout(busy.vault.unlocked.vault)
        busy.vault.unlocked.vault.foldWAL()
        let filesBefore = busy.vault.folder.allFiles().compactMap { FileManager.default.contents(atPath: $0) }

        let outcome = try busy.vault.unlocked.rotateKey(passphrase: try secret(TestVault.passphrase))
        #expect(outcome.removed.map(\.label).sorted { ($0 ?? "") < ($1 ?? "") } == ["caseworker B", "recovery code"])
        #expect(outcome.kept.label == "tester")

        // Through the passphrase, as the next command would: everything reads as before, from
        // rows at the same places and of the same sizes.
        let after = try busy.vault.reopen()
        #expect(try Self.layout(after.vault.vault) == layout)
        #expect(try after.verifyAudit().ok)
        let rotated = try after.allCases()
        #expect(rotated.count == cases.count)
        for (old, new) in zip(cases.sorted { $0.id.compact < $1.id.compact }, rotated.sorted { $0.id.compact < $1.id.compact }) {
            var expected = old
            expected.duplicateKey = new.duplicateKey
            #expect(new == expected)
            // The duplicate key is keyed anew, and still finds the same person.
            #expect(new.duplicateKey != old.duplicateKey || old.duplicateKey == nil)
        }
        #expect(try busy.ids.map { try after.history($0).map(\.event) }.map(\.count) == histories.map(\.count))
        #expect(try after.releaseLedger().entries == ledger.entries)
        #expect(try after.vault.unlockPolicy() == UnlockPolicy(shredAfter: 10))
        let actorsAfter = try after.vault.eventActors()
        #expect(actorsAfter[busy.vault.unlocked.actor] == actors[busy.vault.unlocked.actor])
        #expect(actorsAfter.values.filter(\.removed).compactMap(\.label).sorted() == ["caseworker B", "caseworker C", "recovery code"])
        let reopenedCase = try #require(rotated.first { $0.principal.fullName == "Pyotr Ivanov" })
        #expect(reopenedCase.duplicateKey == after.duplicateKey(for: reopenedCase.principal))

        // No stored copy of a sealed record, MAC or keyslot of before is left in any file of the
        // vault. (Free space inside a page may still hold a stale copy that SQLite left when it
        // rebuilt the page, before the rotation: counted before, and not held against it.)
        try Vault.open(at: busy.vault.path).foldWAL()
        let files = busy.vault.folder.allFiles().compactMap { FileManager.default.contents(atPath: $0) }
        for (i, blob) in oldBlobs.enumerated() where blob.count >= 16 {
            let (before, after) = (
                filesBefore.map { Self.occurrences(of: blob, in: $0) }.reduce(0, +), files.map { Self.occurrences(of: blob, in: $0) }.reduce(0, +)
            )
            #expect(after < before, "a record sealed under the old key is still in the vault: \(i) of \(oldBlobs.count), \(blob.count) bytes")
        }
        for slotBytes in oldKeyslots { #expect(files.allSatisfy { $0.range(of: slotBytes) == nil }, "an old keyslot is still in the vault") }
        // The old key opens nothing; the old secrets open nothing.
        let underOldKey = Caseload(
            vault: try UnlockedVault(vault: try Vault.open(at: busy.vault.path), key: oldKey, slotID: busy.vault.unlocked.slotID))
        #expect(try underOldKey.list().damaged.count == cases.count)
        #expect(try !underOldKey.verifyAudit().ok)
        let reopened = try Vault.open(at: busy.vault.path)
        // (Counted by the unlock policy, which the rotation kept.)
        #expect(throws: VaultError.wrongUnderPolicy(recoveryCode: true, triesLeft: 9)) { try reopened.unlock(recoveryCode: busy.vault.recovery) }
        #expect(throws: VaultError.wrongUnderPolicy(recoveryCode: false, triesLeft: 8)) {
            try reopened.unlock(passphrase: try secret(busy.secondPassphrase))
        }
        _ = try reopened.unlock(recoveryCode: outcome.recoveryCode)
    }

    static func occurrences(of needle: Data, in data: Data) -> Int {
        var (count, rest) = (0, data.startIndex..<data.endIndex)
        while let found = data.range(of: needle, in: rest) {
            count += 1
            rest = found.upperBound..<data.endIndex
        }
        return count
    }

    @Test func anotherConnectionOpenRefusesItAndChangesNothing() throws {
        let v = try TestVault()
        _ = try v.caseload.open(sampleDocument())
        let other = try Vault.open(at: v.path)
        _ = try other.keyslots()
        let before = try Self.everyBlob(v.unlocked)
        #expect(throws: VaultError.openElsewhere) { try v.unlocked.rotateKey(passphrase: try secret(TestVault.passphrase)) }
        #expect(try Self.everyBlob(v.unlocked) == before)
        // The vault is back in WAL mode for everyone.
        #expect(try other.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        _ = try other.unlock(passphrase: try secret(TestVault.passphrase))
    }

    @Test func anAlteredEventLogIsRefusedNotBlessed() throws {
        let v = try TestVault()
        _ = try v.caseload.open(Array(SyntheticCaseload(count: 20, seed: 2)))
        try v.unlocked.vault.write { db in
            try db.execute(sql: "DROP TRIGGER event_is_append_only_update")
            try db.execute(sql: "UPDATE event SET mac = zeroblob(32) WHERE seq = (SELECT min(seq) FROM event)")
        }
        let before = try Self.everyBlob(v.unlocked)
        #expect(throws: KeyRotationError.self) { try v.unlocked.rotateKey(passphrase: try secret(TestVault.passphrase)) }
        #expect(try Self.everyBlob(v.unlocked) == before)
        _ = try Vault.open(at: v.path).unlock(recoveryCode: v.recovery)
    }

    /// Every case of format 1.0 has its summary; a row without one was altered, and is not
    /// sealed again as if it were whole.
    @Test func aCaseWithoutItsSummaryIsRefusedNotBlessed() throws {
        let v = try TestVault()
        let ids = try v.caseload.open(Array(SyntheticCaseload(count: 20, seed: 4)))
        try v.unlocked.vault.write { db in
            try db.execute(sql: "UPDATE case_snapshot SET summary = NULL WHERE case_id = ?", arguments: [ids[3].compact])
        }
        let before = try Self.everyBlob(v.unlocked)
        #expect(throws: KeyRotationError.self) {
            try v.unlocked.rotateKey(passphrase: try secret(TestVault.passphrase))
        }
        #expect(try Self.everyBlob(v.unlocked) == before)
    }

    @Test func aRecoveryCodeSessionOrAnotherPassphraseIsRefused() throws {
        let v = try TestVault()
        let byCode = try Vault.open(at: v.path).unlock(recoveryCode: v.recovery)
        #expect(throws: KeyRotationError.unlockedWithRecoveryCode) { try byCode.rotateKey(passphrase: try secret(TestVault.passphrase)) }
        #expect(throws: KeyRotationError.notThisSlotsPassphrase) { try v.unlocked.rotateKey(passphrase: try secret("not the passphrase at all 12")) }
        _ = try Vault.open(at: v.path).unlock(recoveryCode: v.recovery)
    }

    @Test func progressCountsEveryRecordOnce() throws {
        let v = try TestVault()
        _ = try v.caseload.open(Array(SyntheticCaseload(count: 50, seed: 3)))
        let seen = Box<[(Int, Int)]>([])
        _ = try v.unlocked.rotateKey(passphrase: try secret(TestVault.passphrase)) { seen.value.append(($0, $1)) }
        let events = try v.unlocked.vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? 0 }
        #expect(seen.value.last.map { $0.0 == $0.1 && $0.1 == events + 50 } == true)
    }
}
