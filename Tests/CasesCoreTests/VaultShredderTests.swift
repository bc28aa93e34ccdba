import Foundation
import GRDB
import Testing
@testable import CasesCore

@Suite struct VaultShredderTests {
    @Test func shreddedVaultOpensWithNoKeyAndHoldsNoWrappedKey() throws {
        let t = try TestVault()
        for _ in 0..<20 { _ = try t.caseload.open(sampleDocument()) }
        // A passphrase change that may still sit in the WAL.
        try t.unlocked.changePassphrase(to: try secret("newer"), profile: .interactive)
        let wrapped = try t.unlocked.vault.read { db in try Data.fetchAll(db, sql: "SELECT wrapped_key FROM keyslot") }
        let salts = try t.unlocked.vault.read { db in try Data.fetchAll(db, sql: "SELECT salt FROM keyslot") }
        #expect(wrapped.count == 2)
        let size = try FileManager.default.attributesOfItem(atPath: t.path)[.size] as? Int

        let report = try VaultShredder.shred(path: t.path)
        #expect(report.pagesOverwritten > 0)
        #expect(try FileManager.default.attributesOfItem(atPath: t.path)[.size] as? Int == size)
        #expect(!FileManager.default.fileExists(atPath: t.path + "-wal"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: t.path))
        for secretBytes in wrapped + salts { #expect(bytes.range(of: secretBytes) == nil) }
        #expect(throws: VaultError.notAVault(path: t.path)) { _ = try Vault.open(at: t.path) }
    }

    @Test func shredCanDeleteTheFile() throws {
        let t = try TestVault()
        try VaultShredder.shred(path: t.path, deleteFile: true)
        #expect(!FileManager.default.fileExists(atPath: t.path))
        #expect(throws: VaultError.notFound(path: t.path + "x")) { try VaultShredder.shred(path: t.path + "x") }
    }
}
