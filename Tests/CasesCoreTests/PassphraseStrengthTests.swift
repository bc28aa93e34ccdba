import CasesCore
import CasesCrypto
import Foundation
import Testing

/// New passphrases are refused under about 60 bits of estimated entropy, unless the caseworker
/// insists, and then the audit log says so.
@Suite struct PassphraseStrengthTests {
    @Test func shortIsRefusedAndRandomWordsPass() throws {
        for weak in ["short", "Tr0ub4dor&3", "password123456789", "not the passphrase", "hunter2hunter2hunter2"] {
            #expect(try PassphraseStrength.bits(of: secret(weak)) < PassphraseStrength.minimumBits, "\(weak)")
        }
        for strong in ["correct horse battery staple 42", "correct horse battery staple", "lantern quarry velvet oboe 17"] {
            #expect(try PassphraseStrength.bits(of: secret(strong)) >= PassphraseStrength.minimumBits, "\(strong)")
        }
    }

    /// The check runs once per new passphrase; even the longest one accepted costs no more than
    /// a few milliseconds, so the suites that make vaults stay as fast.
    @Test func theCheckIsFastEvenAtTheLongestPassphrase() throws {
        let longest = try secret(String(repeating: "staple horse ", count: SecretInput.maximumLength / 13))
        let start = Date()
        for _ in 0..<20 { _ = try PassphraseStrength.bits(of: longest) }
        #expect(Date().timeIntervalSince(start) < 2, "20 checks of a 1 KiB passphrase took \(Date().timeIntervalSince(start)) s")
    }

    @Test func initRefusesAWeakPassphraseAndWritesNothing() throws {
        let folder = TempFolder()
        let path = folder.path + "/vault/vault.cases"
        #expect(throws: PassphraseError.tooWeak) { _ = try Vault.create(at: path, passphrase: try secret("short"), profile: .interactive) }
        #expect(!FileManager.default.fileExists(atPath: path))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder.path + "/vault")) ?? []
        #expect(left.isEmpty, "\(left)")
    }

    @Test func keyAddAndPasswdRefuseAWeakPassphraseAndChangeNothing() throws {
        let t = try TestVault()
        let before = try t.unlocked.keyslots()
        #expect(throws: PassphraseError.tooWeak) {
            try t.unlocked.addKeyslot(passphrase: try secret("second caseworker"), profile: .interactive, label: "B")
        }
        #expect(throws: PassphraseError.tooWeak) { try t.unlocked.changePassphrase(to: try secret("newer"), profile: .interactive) }
        #expect(try t.unlocked.keyslots().map(\.id) == before.map(\.id))
        _ = try t.reopen() // the old passphrase still opens it
        #expect(try t.caseload.verifyAudit().events == 0)
    }

    @Test func aWeakPassphraseKeptOnPurposeIsInTheAuditLog() throws {
        let folder = TempFolder()
        let path = folder.path + "/vault/vault.cases"
        let (unlocked, _) = try Vault.create(at: path, passphrase: try secret("short"), profile: .interactive, acceptWeakPassphrase: true)
        let first = try #require(unlocked.keyslots().first { $0.inUse })
        let added = try unlocked.addKeyslot(passphrase: try secret("second"), profile: .interactive, label: "B", acceptWeakPassphrase: true)
        try unlocked.changePassphrase(to: try secret("newer"), profile: .interactive, acceptWeakPassphrase: true)
        try unlocked.addKeyslot(
            passphrase: try secret("lantern quarry velvet oboe 17"), profile: .interactive, label: "C", acceptWeakPassphrase: true)
        let caseload = Caseload(vault: try Vault.open(at: path).unlock(passphrase: try secret("newer")))
        _ = try caseload.open(sampleDocument())
        var log: [CaseEvent] = []
        let report = try caseload.verifyAudit { _, e in log.append(e) }
        #expect(report.ok, "\(report.firstBreak ?? "")")
        #expect(report.cases == 1)
        let weak = log.filter { $0.kind == .weakPassphraseAccepted }
        // Only the three weak ones: a strong passphrase is not recorded, flag or not.
        #expect(weak.map(\.reason) == [first.id, added.id, first.id])
        #expect(weak.allSatisfy { $0.caseId == .vaultWide })
        #expect(log.last?.kind == .opened)
    }
}
