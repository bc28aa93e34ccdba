import Foundation
import GRDB
import Testing

@testable import CasesCore

/// What a caseworker sees, through the real binary, when the vault file was altered.
@Suite struct TamperingCLITests {
    static func oneSentence(_ r: CLIHarness.Result) -> Bool {
        r.err.split(separator: "\n").count == 1 && r.err.hasPrefix("error: ") && r.out.isEmpty
    }

    @Test func aTruncatedVaultExits65WithOneSentence() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        for _ in 0..<4 { _ = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON()) }
        try VaultInspector(cli).checkpoint()
        let whole = try Data(contentsOf: URL(fileURLWithPath: cli.vault))
        let page = Int(whole[16]) << 8 | Int(whole[17]) // the header's page size (this build's is under 64 KiB)
        #expect(page == 16384)
        for cut in [0, 10, 100, page, whole.count / 2, whole.count - page] {
            for suffix in ["-wal", "-shm"] { unlink(cli.vault + suffix) }
            try whole.prefix(cut).write(to: URL(fileURLWithPath: cli.vault))
            for command in [["list"], ["audit", "verify"]] {
                let r = try cli.run(command)
                #expect(r.code == 65, "cut at \(cut), \(command): \(r.code) \(r.err)")
                #expect(Self.oneSentence(r), "\(r.err)")
                #expect(r.err.contains("not a cases vault") || r.err.contains("Integrity check failed"), "\(r.err)")
            }
        }
    }

    @Test func aFlippedByteInACaseExits65NamingTheCase() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON()).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let other = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON()).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let compact = try #require(CaseID(parsing: id)).compact
        let queue = try DatabaseQueue(path: cli.vault)
        try queue.write { db in
            var sealed = try #require(try Data.fetchOne(db, sql: "SELECT sealed FROM case_snapshot WHERE case_id = ?", arguments: [compact]))
            sealed[sealed.count - 1] ^= 0x01
            try db.execute(sql: "UPDATE case_snapshot SET sealed = ? WHERE case_id = ?", arguments: [sealed, compact])
        }
        try queue.close()
        let shown = try cli.run(["show", id])
        #expect(shown.code == 65 && Self.oneSentence(shown) && shown.err.contains(id), "\(shown.err)")
        #expect(try cli.run(["show", other]).code == 0)
        let audit = try cli.run(["audit", "verify"])
        #expect(audit.code == 65 && audit.err.contains(id), "\(audit.err)")
        let list = try cli.run(["list"])
        #expect(list.out.contains(other))
        #expect((list.out + list.err).contains(id), "list does not name the damaged case: \(list.out) \(list.err)")
    }

    /// A tampered keyslot cannot be told from a wrong passphrase (the wrap's tag fails either
    /// way), so the caseworker is told the passphrase does not open the vault (77); the recovery
    /// code, in its own slot, still does.
    @Test func aTamperedPassphraseSlotReadsAsAWrongPassphrase() throws {
        let cli = try CLIHarness()
        let made = try cli.run(["init", "--kdf", "interactive", "--json"])
        let code = try #require(cli.json(made.out)["recovery_code"] as? String)
        let recovery = cli.folder + "/recovery"
        try (code + "\n").write(toFile: recovery, atomically: false, encoding: .utf8)
        let queue = try DatabaseQueue(path: cli.vault)
        try queue.write { db in
            var wrapped = try #require(try Data.fetchOne(db, sql: "SELECT wrapped_key FROM keyslot WHERE kind = 'passphrase'"))
            wrapped[0] ^= 0x01
            try db.execute(sql: "UPDATE keyslot SET wrapped_key = ? WHERE kind = 'passphrase'", arguments: [wrapped])
        }
        try queue.close()
        let r = try cli.run(["list"])
        #expect(r.code == 77 && Self.oneSentence(r) && r.err.contains("passphrase does not open"), "\(r.err)")
        #expect(try cli.run(["list", "--recovery-file", recovery]).code == 0)
    }

    /// A damaged recovery slot: every command still works and warns, naming the slot by its
    /// label (never its hex id); `audit verify` fails (65) naming it.
    @Test func aDamagedRecoverySlotIsNamedAtEveryUnlockAndFailsTheAudit() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let queue = try DatabaseQueue(path: cli.vault)
        let slotID = try queue.write { db -> Data in
            var salt = try #require(try Data.fetchOne(db, sql: "SELECT salt FROM keyslot WHERE kind = 'recovery'"))
            salt[3] ^= 0x01
            try db.execute(sql: "UPDATE keyslot SET salt = ? WHERE kind = 'recovery'", arguments: [salt])
            return try #require(try Data.fetchOne(db, sql: "SELECT slot_id FROM keyslot WHERE kind = 'recovery'"))
        }
        try queue.close()
        let hex = slotID.map { String(format: "%02x", $0) }.joined()
        let list = try cli.run(["list"])
        #expect(list.code == 0, "\(list.err)")
        #expect(list.err.hasPrefix("warning: the keyslot “recovery code” was changed outside cases"), "\(list.err)")
        #expect(!list.err.contains(hex))
        let audit = try cli.run(["audit", "verify"])
        #expect(audit.code == 65, "\(audit.err)")
        #expect(audit.err.contains("the keyslot “recovery code” is damaged"), "\(audit.err)")
        #expect(!audit.err.contains(hex))
    }
}
