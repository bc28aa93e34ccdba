import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

@Suite struct VaultTests {
    @Test func newVaultIsPrivateAndUnlocksWithPassphraseAndRecoveryCode() throws {
        let t = try TestVault()
        var st = stat()
        #expect(stat(t.path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(stat((t.path as NSString).deletingLastPathComponent, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)
        let vault = try Vault.open(at: t.path)
        _ = try vault.unlock(passphrase: try secret(TestVault.passphrase))
        let grouped = try t.recovery.grouped()
        let typed = try RecoveryCode(parsing: grouped)
        _ = try vault.unlock(recoveryCode: typed)
    }

    /// A new vault has 16 KiB pages in WAL mode, and a vault made with 4 KiB pages (by an
    /// earlier build) keeps them and still opens and takes cases.
    @Test func aNewVaultHasLargePagesAndAnOldOneKeepsItsOwn() throws {
        let t = try TestVault()
        let settings = { (vault: Vault) in
            try vault.read { db in (try Int.fetchOne(db, sql: "PRAGMA page_size"), try String.fetchOne(db, sql: "PRAGMA journal_mode")) }
        }
        #expect(try settings(t.unlocked.vault) == (16384, "wal"))

        // A vault of an earlier build: the same vault rewritten with 4 KiB pages.
        let old = TempFolder()
        let path = old.path + "/vault.cases"
        try FileManager.default.copyItem(atPath: t.path, toPath: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL")
        }
        try queue.close()
        let reopened = try Vault.open(at: path)
        #expect(try settings(reopened) == (4096, "wal"))
        let caseload = Caseload(vault: try reopened.unlock(passphrase: try secret(TestVault.passphrase)))
        let id = try caseload.open(sampleDocument())
        #expect(try caseload.show(id).id == id)
        #expect(try caseload.verifyAudit().ok)
    }

    @Test func wrongPassphraseLeavesVaultUntouched() throws {
        let t = try TestVault()
        _ = try t.caseload.open(sampleDocument())
        let before = try Data(contentsOf: URL(fileURLWithPath: t.path))
        let vault = try Vault.open(at: t.path)
        #expect(throws: VaultError.wrongPassphrase) { try vault.unlock(passphrase: try secret("wrong")) }
        #expect(VaultError.wrongPassphrase.kind == .auth)
        let after = try Data(contentsOf: URL(fileURLWithPath: t.path))
        #expect(before == after)
    }

    @Test func recoveryCodeWithATypoIsRefusedBeforeAnyKeyWork() throws {
        let t = try TestVault()
        var typed = Array(try t.recovery.grouped().withUnsafeBytes { Array($0) })
        typed[3] = typed[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: VaultError.malformedRecoveryCode) { try RecoveryCode(parsing: try SecretBytes.consuming(&typed)) }
    }

    @Test func initRefusesToOverwrite() throws {
        let t = try TestVault()
        #expect(throws: VaultError.alreadyExists(path: t.path)) {
            _ = try Vault.create(at: t.path, passphrase: try secret("lantern quarry velvet oboe 17"), profile: .interactive)
        }
    }

    @Test func missingVaultIsNotFound() throws {
        let f = TempFolder()
        #expect(throws: VaultError.notFound(path: f.path + "/nope.cases")) { _ = try Vault.open(at: f.path + "/nope.cases") }
    }

    @Test func vaultReadableByOthersIsRefused() throws {
        let t = try TestVault()
        chmod(t.path, 0o644)
        #expect(throws: VaultError.tooOpen(path: t.path, mode: "644")) { _ = try Vault.open(at: t.path) }
    }

    @Test func changingPassphraseRewritesOneSlotAndNoData() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let sealedBefore = try t.unlocked.vault.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM case_snapshot") }
        let recoveryBefore = try t.unlocked.vault.read { db in try Row.fetchAll(db, sql: "SELECT * FROM keyslot WHERE kind = 'recovery'") }
        try t.unlocked.changePassphrase(to: try secret("new passphrase ember sloop 61"), profile: .interactive)
        let vault = try Vault.open(at: t.path)
        #expect(throws: VaultError.wrongPassphrase) { try vault.unlock(passphrase: try secret(TestVault.passphrase)) }
        let c = try Caseload(vault: vault.unlock(passphrase: try secret("new passphrase ember sloop 61"))).show(id)
        #expect(c.id == id)
        #expect(try t.unlocked.vault.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM case_snapshot") } == sealedBefore)
        #expect(try t.unlocked.vault.read { db in try Row.fetchAll(db, sql: "SELECT * FROM keyslot WHERE kind = 'recovery'") } == recoveryBefore)
    }

    @Test func lastKeyslotCannotBeRemovedButOthersCan() throws {
        let t = try TestVault()
        let added = try t.unlocked.addKeyslot(passphrase: try secret("second slot juniper kayak 40"), profile: .interactive, label: "B")
        let slots = try t.unlocked.keyslots()
        #expect(slots.count == 3)
        #expect(slots.contains { $0.label == "B" })
        try t.unlocked.removeKeyslot(id: added.id)
        let recovery = try #require(slots.first { $0.kind == "recovery" })
        try t.unlocked.removeKeyslot(id: recovery.id)
        let mine = try #require(slots.first { $0.inUse })
        #expect(throws: VaultError.lastKeyslot) { try t.unlocked.removeKeyslot(id: mine.id) }
        #expect(throws: VaultError.noSuchKeyslot("0000000000000000")) { try t.unlocked.removeKeyslot(id: "0000000000000000") }
    }

    @Test func keyslotWithLoweredCostNoLongerUnwraps() throws {
        let t = try TestVault()
        try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE keyslot SET ops_limit = ops_limit + 1 WHERE kind = 'passphrase'") }
        let vault = try Vault.open(at: t.path)
        #expect(throws: VaultError.wrongPassphrase) { try vault.unlock(passphrase: try secret(TestVault.passphrase)) }
    }

    @Test func keyslotCopiedFromAnotherVaultDoesNotOpenIt() throws {
        let a = try TestVault()
        let b = try TestVault()
        let slot = try a.unlocked.vault.read { db in try Row.fetchOne(db, sql: "SELECT * FROM keyslot WHERE kind = 'passphrase'") }!
        try b.unlocked.vault.write { db in
            try db.execute(sql: "DELETE FROM keyslot WHERE kind = 'passphrase'")
            try db.execute(
                sql: "INSERT INTO keyslot VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    slot["slot_id"] as Data, slot["kind"] as String, slot["salt"] as Data, slot["ops_limit"] as Int64,
                    slot["mem_limit"] as Int64, slot["wrapped_key"] as Data, slot["sealed_label"] as Data?, slot["mac"] as Data?,
                ])
        }
        #expect(throws: VaultError.wrongPassphrase) { try Vault.open(at: b.path).unlock(passphrase: try secret(TestVault.passphrase)) }
    }
}

/// `SealedRecord.Opener` opens many records with one buffer; it must accept exactly what
/// `SealedRecord.open` accepts.
@Suite struct SealedRecordOpenerTests {
    @Test func opensWhatOpenOpensAndRefusesTheRest() throws {
        let key = try SecretBytes.random(count: 32)
        let vaultID = Random.bytes(16)
        var opener = SealedRecord.Opener(key: key, vaultID: vaultID, table: "case_summary")
        defer { opener.wipe() }
        // Large, then small, then large again: the buffer is reused and grown.
        for (i, size) in [3000, 10, 0, 255, 256, 70_000, 1].enumerated() {
            let plain = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ i) }
            let sealed = try SealedRecord.seal(plain, key: key, vaultID: vaultID, table: "case_summary", row: "ROW\(i)")
            let opened = try sealed.withUnsafeBytes { try opener.open($0, row: "ROW\(i)") { Array($0) } }
            #expect(opened == plain)
            #expect(try SealedRecord.open(sealed, key: key, vaultID: vaultID, table: "case_summary", row: "ROW\(i)") == plain)
            #expect(throws: CryptoError.self) { try sealed.withUnsafeBytes { try opener.open($0, row: "ROW\(i + 1)") { _ in () } } }
            var flipped = sealed
            flipped[flipped.count / 2] ^= 0x40
            #expect(throws: CryptoError.self) { try flipped.withUnsafeBytes { try opener.open($0, row: "ROW\(i)") { _ in () } } }
        }
        var other = SealedRecord.Opener(key: key, vaultID: vaultID, table: "case_snapshot")
        let sealed = try SealedRecord.seal([1, 2, 3], key: key, vaultID: vaultID, table: "case_summary", row: "R")
        #expect(throws: CryptoError.self) { try sealed.withUnsafeBytes { try other.open($0, row: "R") { _ in () } } }
        #expect(throws: CryptoError.self) { try [UInt8]().withUnsafeBytes { try opener.open($0, row: "R") { _ in () } } }
    }
}
