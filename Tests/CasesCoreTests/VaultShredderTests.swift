import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

@Suite struct VaultShredderTests {
    /// Every wrapped key and salt in the vault's current keyslot table.
    static func keyslotMaterial(_ vault: UnlockedVault) throws -> [Data] {
        try vault.vault.read { db in
            try Data.fetchAll(db, sql: "SELECT wrapped_key FROM keyslot") + Data.fetchAll(db, sql: "SELECT salt FROM keyslot")
        }
    }

    /// The bytes of the vault file and of its WAL, as a process killed now would leave them.
    static func crashImage(of path: String, in folder: TempFolder) throws -> String {
        let copy = folder.path + "/image.cases"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        if FileManager.default.fileExists(atPath: path + "-wal") {
            try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        }
        return copy
    }

    static func bytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    @Test func shreddedVaultOpensWithNoKeyAndHoldsNoWrappedKey() throws {
        let t = try TestVault()
        for _ in 0..<20 { _ = try t.caseload.open(sampleDocument()) }
        try t.unlocked.changePassphrase(to: try secret("newer harbour tulip gravel 5"), profile: .interactive)
        let material = try Self.keyslotMaterial(t.unlocked)
        #expect(material.count == 4)
        let size = try FileManager.default.attributesOfItem(atPath: t.path)[.size] as? Int

        let report = try VaultShredder.shred(path: t.path)
        #expect(report.pagesOverwritten > 0)
        #expect(try FileManager.default.attributesOfItem(atPath: t.path)[.size] as? Int == size)
        #expect(!FileManager.default.fileExists(atPath: t.path + "-wal"))
        let bytes = Self.bytes(t.path)
        for m in material { #expect(bytes.range(of: m) == nil) }
        #expect(throws: VaultError.notAVault(path: t.path)) { _ = try Vault.open(at: t.path) }
    }

    /// A shred while an import holds the vault to itself (no WAL, an exclusive lock) still
    /// finds every keyslot page, those past the leading pages too, and destroys them all.
    @Test func aShredDuringAnImportFindsEveryKeyslotPage() throws {
        let t = try TestVault()
        // 4 KiB pages, as earlier builds made vaults: the keyslots then fill pages quickly.
        try t.unlocked.vault.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL")
        }
        _ = try t.caseload.open(Array(SyntheticCaseload(count: 300, seed: 4)))
        // Enough slots, added after the cases, that the keyslot table spills onto pages at the
        // end of the file, far past the leading pages a blind shred overwrites.
        for i in 0..<24 {
            _ = try t.unlocked.addKeyslot(passphrase: try secret("caseworker \(i) saffron meadow kettle"), profile: .interactive, label: "cw \(i)")
        }
        let (_, pages) = VaultShredder.locateKeyslots(t.path)
        #expect(pages.contains { $0 > VaultShredder.leadingPages })
        let material = try Self.keyslotMaterial(t.unlocked)
        try t.unlocked.vault.withRollbackJournal {
            try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE unlock_policy SET failures = failures") }
            // A locking read is refused; the shred reads without locks and finds the same pages.
            var config = Configuration()
            config.busyMode = .immediateError
            #expect(throws: DatabaseError.self) { try DatabaseQueue(path: t.path, configuration: config).read { _ in } }
            #expect(VaultShredder.locateKeyslots(t.path, lockFree: true)?.1.sorted() == pages.sorted())
            #expect(VaultShredder.locateKeyslots(t.path).1.sorted() == pages.sorted())
            _ = try VaultShredder.destroyKeyslots(path: t.path, fileSize: off_t(Self.bytes(t.path).count))
            let bytes = Self.bytes(t.path)
            for m in material { #expect(bytes.range(of: m) == nil) }
        }
    }

    /// The shred's reads name the file as a URI: a path with `?`, `#`, `%` or spaces still works.
    @Test func theLockFreeReadTakesAnyPath() throws {
        let folder = TempFolder()
        let path = folder.path + "/odd ?#%41 name/vault.cases"
        let (vault, _) = try Vault.create(at: path, passphrase: try secret("pass ferret orbit cactus 3"), profile: .interactive)
        let found = try #require(VaultShredder.locateKeyslots(path, lockFree: false))
        #expect(found.0 == 16384 && !found.1.isEmpty)
        // As an import leaves it while it runs: a rollback journal (a WAL vault needs its locks to be read).
        try vault.vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        #expect(try #require(VaultShredder.locateKeyslots(path, lockFree: true)) == found)
        for lockFree in [false, true] {
            #expect(VaultShredder.locateKeyslots(folder.path + "/odd ?#%41 name/none.cases", lockFree: lockFree) == nil)
        }
    }

    @Test func shredCanDeleteTheFile() throws {
        let t = try TestVault()
        try VaultShredder.shred(path: t.path, deleteFile: true)
        #expect(!FileManager.default.fileExists(atPath: t.path))
        #expect(throws: VaultError.notFound(path: t.path + "x")) { try VaultShredder.shred(path: t.path + "x") }
    }

    /// The first two steps alone (what a shred killed right after them leaves) already destroy
    /// the keyslots in both places they can be: the main file and, when a keyslot changed since
    /// the WAL was last folded back, the WAL.
    @Test func theFirstStepsDestroyKeyslotsInTheFileAndInTheWAL() throws {
        let t = try TestVault()
        _ = try t.caseload.open(Array(SyntheticCaseload(count: 30, seed: 2)))
        let original = try Self.keyslotMaterial(t.unlocked)
        // A slot written while the WAL was not folded back (as when another process was reading).
        let slot = try Keyslot.make(
            kind: .passphrase, secret: try secret("second caseworker walnut fjord 8"), parameters: Argon2Parameters(profile: .interactive),
            master: t.unlocked.key, vaultID: t.unlocked.vault.vaultID)
        try t.unlocked.vault.write { db in try slot.insert(db) }
        let material = try Self.keyslotMaterial(t.unlocked)
        let folder = TempFolder()
        let image = try Self.crashImage(of: t.path, in: folder)
        // The test means something only if both files hold keyslots.
        #expect(Self.bytes(image).range(of: original[0]) != nil)
        #expect(Self.bytes(image + "-wal").range(of: slot.wrappedKey) != nil)

        let size = try #require(try FileManager.default.attributesOfItem(atPath: image)[.size] as? Int)
        _ = try VaultShredder.destroyKeyslots(path: image, fileSize: off_t(size))
        for file in [image, image + "-wal"] {
            let bytes = Self.bytes(file)
            for m in material { #expect(bytes.range(of: m) == nil, "\(file) still holds keyslot bytes") }
        }
        let unlocks: [(Vault) throws -> UnlockedVault] = [
            { try $0.unlock(passphrase: try secret(TestVault.passphrase)) },
            { try $0.unlock(passphrase: try secret("second caseworker walnut fjord 8")) },
            { try $0.unlock(recoveryCode: t.recovery) },
        ]
        for unlock in unlocks {
            #expect(throws: (any Error).self) { _ = try unlock(try Vault.open(at: image)) }
        }
    }

    /// After `key passwd` and `key remove` the old slot is gone from every byte of the vault and
    /// its WAL, not only from the table: the old or removed passphrase opens nothing even by hand.
    @Test func keyChangesLeaveNoOldSlotBehind() throws {
        let t = try TestVault()
        let added = try t.unlocked.addKeyslot(passphrase: try secret("second caseworker walnut fjord 8"), profile: .interactive, label: "B")
        let before = try Self.keyslotMaterial(t.unlocked)
        try t.unlocked.changePassphrase(to: try secret("newer harbour tulip gravel 5"), profile: .interactive)
        try t.unlocked.removeKeyslot(id: added.id)
        let after = try Self.keyslotMaterial(t.unlocked)
        let gone = before.filter { !after.contains($0) }
        #expect(gone.count == 4) // the old passphrase slot's and B's wrapped keys and salts
        let files = [t.path, t.path + "-wal"]
        for file in files {
            for m in gone { #expect(Self.bytes(file).range(of: m) == nil, "\(file) still holds a replaced or removed slot") }
        }
        #expect(Self.bytes(t.path).range(of: after[0]) != nil)
    }

    /// A restore killed before its vault appeared leaves only its decrypted copy beside where the
    /// vault would be; shred destroys it, and a copy a live restore is writing too.
    @Test func aShredWithNoVaultDestroysWhatAKilledRestoreLeft() throws {
        let t = try TestVault()
        let material = try Self.keyslotMaterial(t.unlocked)
        let folder = TempFolder()
        let target = folder.path + "/vault.cases"
        try FileManager.default.copyItem(atPath: t.path, toPath: folder.path + "/.vault.cases.partial-0123456789ab")
        let live = try AtomicFile(path: folder.path + "/other.cases")
        _ = Self.bytes(t.path).withUnsafeBytes { write(live.descriptor, $0.baseAddress, $0.count) }

        let report = try VaultShredder.shred(path: target)
        #expect(!report.vaultFound && report.leftoversDestroyed == 2)
        #expect(folder.allFiles().isEmpty)
        var left = [UInt8](repeating: 0, count: Self.bytes(t.path).count)
        #expect(pread(live.descriptor, &left, left.count, 0) == left.count)
        for m in material { #expect(Data(left).range(of: m) == nil, "the live copy still holds a keyslot") }
        #expect(throws: VaultError.notFound(path: target)) { try VaultShredder.shred(path: target) }
    }
}
