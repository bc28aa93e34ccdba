import AgeFormat
import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

@Suite struct UnlockPolicyTests {
    static func wrong(_ path: String) throws -> VaultError? {
        do {
            _ = try Vault.open(at: path).unlock(passphrase: try secret("not the passphrase"))
            return nil
        } catch let e as VaultError {
            return e
        }
    }

    static func bytes(_ path: String) -> Data {
        (FileManager.default.contents(atPath: path) ?? Data()) + (FileManager.default.contents(atPath: path + "-wal") ?? Data())
    }

    @Test func offByDefaultSoWrongPassphrasesCountNothingAndWriteNothing() throws {
        let t = try TestVault()
        #expect(try t.unlocked.unlockPolicy() == UnlockPolicy(shredAfter: nil))
        let before = Self.bytes(t.path)
        for _ in 0..<5 { #expect(try Self.wrong(t.path) == .wrongPassphrase) }
        #expect(Self.bytes(t.path) == before)
        let again = try Vault.open(at: t.path).unlock(passphrase: try secret(TestVault.passphrase))
        #expect(again.failedUnlocksBefore == 0)
    }

    @Test func twoWrongTriesThenTheRightOneResetTheCount() throws {
        let t = try TestVault()
        try t.unlocked.setUnlockPolicy(shredAfter: 3)
        #expect(try Self.wrong(t.path) == .wrongUnderPolicy(recoveryCode: false, triesLeft: 2))
        #expect(try Self.wrong(t.path) == .wrongUnderPolicy(recoveryCode: false, triesLeft: 1))
        #expect(try t.unlocked.vault.unlockPolicy().failures == 2)
        let right = try Vault.open(at: t.path).unlock(passphrase: try secret(TestVault.passphrase))
        #expect(right.failedUnlocksBefore == 2)
        #expect(try right.unlockPolicy() == UnlockPolicy(shredAfter: 3, failures: 0))
        // Two more wrong tries are two, not four: the vault is still there.
        #expect(try Self.wrong(t.path) == .wrongUnderPolicy(recoveryCode: false, triesLeft: 2))
        #expect(try Self.wrong(t.path) == .wrongUnderPolicy(recoveryCode: false, triesLeft: 1))
        _ = try Vault.open(at: t.path).unlock(passphrase: try secret(TestVault.passphrase))
    }

    @Test func theThirdWrongTryShredsTheVault() throws {
        let t = try TestVault()
        _ = try t.caseload.open(sampleDocument())
        try t.unlocked.setUnlockPolicy(shredAfter: 3)
        let wrapped = try t.unlocked.vault.read { db in try Data.fetchAll(db, sql: "SELECT wrapped_key FROM keyslot") }
        _ = try Self.wrong(t.path)
        _ = try Self.wrong(t.path)
        #expect(try Self.wrong(t.path) == .shreddedByPolicy(3))
        #expect(throws: VaultError.notAVault(path: t.path)) { try Vault.open(at: t.path) }
        let bytes = Self.bytes(t.path)
        for w in wrapped { #expect(bytes.range(of: w) == nil) }
    }

    @Test func wrongRecoveryCodesCountToo() throws {
        let t = try TestVault()
        try t.unlocked.setUnlockPolicy(shredAfter: 3)
        let other = try RecoveryCode.generate()
        #expect(throws: VaultError.wrongUnderPolicy(recoveryCode: true, triesLeft: 2)) { try Vault.open(at: t.path).unlock(recoveryCode: other) }
        #expect(try Self.wrong(t.path) == .wrongUnderPolicy(recoveryCode: false, triesLeft: 1))
        #expect(throws: VaultError.shreddedByPolicy(3)) { try Vault.open(at: t.path).unlock(recoveryCode: other) }
        #expect(throws: VaultError.notAVault(path: t.path)) { try Vault.open(at: t.path).unlock(recoveryCode: t.recovery) }
    }

    /// The try is counted before the passphrase is tried: killing the process during the slow
    /// key derivation does not give a free guess.
    @Test func aTryThatNeverAnswersStillCounts() throws {
        struct Killed: Error {}
        let t = try TestVault()
        try t.unlocked.setUnlockPolicy(shredAfter: 3)
        let vault = try Vault.open(at: t.path)
        #expect(throws: Killed.self) { _ = try vault.underUnlockPolicy(wrong: .wrongPassphrase) { throw Killed() } }
        #expect(try vault.unlockPolicy().failures == 1)
    }

    @Test func switchingOffStopsCounting() throws {
        let t = try TestVault()
        try t.unlocked.setUnlockPolicy(shredAfter: 3)
        _ = try Self.wrong(t.path)
        try t.unlocked.setUnlockPolicy(shredAfter: nil)
        for _ in 0..<4 { #expect(try Self.wrong(t.path) == .wrongPassphrase) }
        #expect(try t.unlocked.unlockPolicy() == UnlockPolicy(shredAfter: nil))
    }

    @Test func aThresholdChangedOutsideCasesShowsAfterUnlock() throws {
        let t = try TestVault()
        try t.unlocked.setUnlockPolicy(shredAfter: 10)
        #expect(try t.unlocked.unlockPolicy().altered == false)
        for forged in [1, nil] as [Int?] {
            try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE unlock_policy SET shred_after = ?", arguments: [forged]) }
            #expect(try t.unlocked.unlockPolicy().altered == true)
        }
        // Never set, but a threshold appears: nobody sealed it.
        try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE unlock_policy SET shred_after = 5, sealed_policy = NULL") }
        #expect(try t.unlocked.unlockPolicy().altered == true)
        try t.unlocked.setUnlockPolicy(shredAfter: 10)
        #expect(try t.unlocked.unlockPolicy() == UnlockPolicy(shredAfter: 10))
    }

    /// What SECURITY.md says can be rolled back unnoticed by anyone who can write the file: the
    /// never-set state (both columns empty, or no row at all), any threshold this vault held
    /// before (its row copied back with its sealed copy), and the count of wrong tries.
    @Test func whatTheUnlockPolicyCannotTellFromARollback() throws {
        let t = try TestVault()
        try t.unlocked.setUnlockPolicy(shredAfter: 1000)
        let old = try t.unlocked.vault.read { db in try Row.fetchOne(db, sql: "SELECT shred_after, sealed_policy FROM unlock_policy") }
        try t.unlocked.setUnlockPolicy(shredAfter: 3)
        _ = try Self.wrong(t.path)
        _ = try Self.wrong(t.path)
        // An older threshold, row and sealed copy together: not reported.
        try t.unlocked.vault.write { db in
            try db.execute(
                sql: "UPDATE unlock_policy SET shred_after = ?, sealed_policy = ?",
                arguments: [old?["shred_after"] as Int?, old?["sealed_policy"] as Data?])
        }
        #expect(try t.unlocked.unlockPolicy() == UnlockPolicy(shredAfter: 1000, failures: 2, altered: false))
        // The count of wrong tries, reset: the next unlock says nobody tried.
        try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE unlock_policy SET failures = 0") }
        #expect(try Vault.open(at: t.path).unlock(passphrase: try secret(TestVault.passphrase)).failedUnlocksBefore == 0)
        // The never-set state: both columns emptied, or the row deleted. Off, and not reported.
        for forge in ["UPDATE unlock_policy SET shred_after = NULL, sealed_policy = NULL", "DELETE FROM unlock_policy"] {
            try t.unlocked.setUnlockPolicy(shredAfter: 3)
            try t.unlocked.vault.write { db in try db.execute(sql: forge) }
            #expect(try t.unlocked.unlockPolicy() == UnlockPolicy(shredAfter: nil), "\(forge)")
            for _ in 0..<4 { #expect(try Self.wrong(t.path) == .wrongPassphrase) }
        }
    }

    @Test func thresholdsThatATypoCouldReachAreRefused() throws {
        let t = try TestVault()
        #expect(throws: VaultError.policyOutOfRange(2)) { try t.unlocked.setUnlockPolicy(shredAfter: 2) }
        #expect(throws: VaultError.policyOutOfRange(0)) { try t.unlocked.setUnlockPolicy(shredAfter: 0) }
        #expect(try t.unlocked.unlockPolicy().shredAfter == nil)
    }

    /// A restore checks a vault that does not exist yet: wrong passphrases there are not this
    /// laptop's vault being guessed at, and must not shred the candidate.
    @Test func restoringABackupIgnoresThePolicy() throws {
        let t = try TestVault()
        try t.unlocked.setUnlockPolicy(shredAfter: 3)
        _ = try Self.wrong(t.path)
        _ = try Self.wrong(t.path)
        let identity = try AgeX25519Identity.generate()
        let out = t.folder.path + "/backup.age"
        try VaultBackup.create(vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)])
        let target = t.folder.path + "/restored/vault.cases"
        for _ in 0..<3 {
            #expect(throws: VaultError.wrongPassphrase) {
                try VaultBackup.restore(
                    file: out, to: target, identities: [.x25519(identity)],
                    unlock: { try $0.unlock(passphrase: try secret("not the passphrase")) })
            }
        }
        try VaultBackup.restore(
            file: out, to: target, identities: [.x25519(identity)],
            unlock: { try $0.unlock(passphrase: try secret(TestVault.passphrase)) })
        #expect(try Vault.open(at: target).unlockPolicy().shredAfter == 3)
    }
}
