import Foundation
import GRDB
import Testing

@testable import CasesCore

/// A vault's SQLite header says it is a vault and of which format; a file that is not a vault
/// of this format is refused before SQLite opens it, and left exactly as it was.
@Suite struct VaultHeaderTests {
    @Test func aNewVaultSaysItIsAVaultOfFormatOne() throws {
        let t = try TestVault()
        #expect(VaultHeader.read(t.path) == VaultHeader(applicationID: 0x4341_5345, format: 1))
        #expect(VaultSchema.currentFormat == 1)
        #expect(try t.unlocked.vault.read { db in try Int.fetchOne(db, sql: "SELECT format FROM vault") } == 1)
    }

    @Test func anOlderTestBuildsVaultIsRefusedAndLeftAsItWas() throws {
        let folder = TempFolder()
        let path = folder.path + "/vault/vault.cases"
        try FixtureFiles.copy(FixtureFiles.olderTestBuildVault, to: path)
        let before = try FixtureFiles.contents(of: folder.path + "/vault")
        #expect(throws: VaultError.olderTestBuild) { try Vault.open(at: path) }
        #expect(try FixtureFiles.contents(of: folder.path + "/vault") == before)
        #expect(
            VaultError.olderTestBuild.description
                == "This vault was made by an older test build of cases and cannot be opened by this version; nothing in it was changed.")
        #expect(VaultError.olderTestBuild.kind == .invalidInput)
    }

    /// Earlier builds ran their migrations on any SQLite file named as the vault.
    @Test func aDatabaseThatIsNotAVaultIsRefusedAndLeftAsItWas() throws {
        let folder = TempFolder()
        let path = folder.path + "/other.db"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept')") }
        try queue.close()
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let before = try FixtureFiles.contents(of: folder.path)
        #expect(throws: VaultError.notAVault(path: path)) { try Vault.open(at: path) }
        #expect(try FixtureFiles.contents(of: folder.path) == before)
    }

    @Test func aVaultOfANewerFormatIsRefused() throws {
        let t = try TestVault()
        try t.unlocked.vault.write { db in try db.execute(sql: "PRAGMA user_version = 2") }
        t.unlocked.vault.foldWAL()
        #expect(throws: VaultError.newerFormat(2)) { try Vault.open(at: t.path) }
    }
}
