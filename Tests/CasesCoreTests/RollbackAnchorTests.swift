import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// This laptop's record of a vault's last state, in-process: what counts as behind, what the
/// record holds, and the function a key rotation calls to write it afresh.
@Suite struct RollbackAnchorTests {
    /// A vault that keeps its record in its own test folder.
    struct Anchored {
        let t: TestVault
        var state: String { t.folder.path + "/state" }

        init() throws {
            t = try TestVault()
            let vault = try Vault.open(at: t.path, anchorFolder: t.folder.path + "/state")
            #expect(try vault.unlock(passphrase: try secret(TestVault.passphrase)).anchorStatus == .started(hadHistory: false))
        }

        func unlock(anchored: Bool = true, path: String? = nil) throws -> UnlockedVault {
            try Vault.open(at: path ?? t.path, anchorFolder: anchored ? state : nil).unlock(passphrase: try secret(TestVault.passphrase))
        }
    }

    @Test func aVaultAheadOfTheRecordMovesItForward() throws {
        let a = try Anchored()
        _ = try Caseload(vault: try a.unlock()).open(sampleDocument())
        // Written by a caller that keeps no record (or whose record was lost in a crash).
        _ = try Caseload(vault: try a.unlock(anchored: false)).open(sampleDocument())
        let again = try a.unlock()
        #expect(again.anchorStatus == .consistent)
        let anchor = try #require(again.anchor)
        guard case .heads(let heads) = anchor.load() else { Issue.record("no record"); return }
        #expect(heads.eventSeq == 2 && heads.caseCount == 2)
    }

    /// Same number of events, another history: a copy taken earlier and written elsewhere.
    @Test func aReplacedLogOfTheSameLengthIsCaught() throws {
        let a = try Anchored()
        _ = try Caseload(vault: try a.unlock()).open(sampleDocument())
        let copy = a.t.folder.path + "/vault/copy.cases"
        try a.unlock().vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try FileManager.default.copyItem(atPath: a.t.path, toPath: copy)
        _ = try Caseload(vault: try a.unlock()).open(sampleDocument(canary: "Original"))
        _ = try Caseload(vault: try a.unlock(anchored: false, path: copy)).open(sampleDocument(canary: "Forked"))

        let forked = try a.unlock(path: copy)
        guard case .rolledBack(let finding) = forked.anchorStatus else { Issue.record("\(forked.anchorStatus)"); return }
        #expect(finding.eventLogRewritten && !finding.isOnlyMissing)
        #expect(throws: RollbackError.rolledBack(finding)) { _ = try Caseload(vault: forked).open(sampleDocument()) }
        let report = try Caseload(vault: forked).verifyAudit()
        #expect(report.firstBreak == nil && report.rollback == finding && !report.ok)
    }

    @Test func findingsAreNamedInPlainWords() {
        #expect(RollbackFinding(eventsMissing: 3).description == "the last 3 events are missing")
        #expect(
            RollbackFinding(eventsMissing: 1, releasesMissing: 2).description == "the last event is missing and 2 published releases were removed")
        #expect(RollbackFinding(releasesMissing: 1, casesMissing: 1).description == "1 published release was removed and 1 case record was removed")
        #expect(RollbackFinding(casesMissing: -2).description == "2 case records were added outside cases")
        #expect(
            RollbackError.rolledBack(RollbackFinding(eventsMissing: 3)).description.hasPrefix(
                "This vault is older than this laptop's record of it: the last 3 events are missing. "))
    }

    /// A key rotation seals everything under a new master key; the record follows through
    /// ``UnlockedVault/rewriteAnchor()``. Here the record is sealed under another vault's key,
    /// as an old key's record would be, and is refused until rewritten.
    @Test func rewriteAnchorSealsTheRecordUnderTheSessionsKey() throws {
        let a = try Anchored()
        _ = try Caseload(vault: try a.unlock()).open(sampleDocument())
        let unlocked = try a.unlock()
        let other = try TestVault()
        let foreign = RollbackAnchor(folder: a.state, vaultID: unlocked.vault.vaultID, key: other.unlocked.key.anchor)
        try foreign.store(try unlocked.vault.read { db in try VaultHeads.read(db) })
        #expect(try a.unlock().anchorStatus == .damaged(path: foreign.path))

        try unlocked.rewriteAnchor()
        #expect(try a.unlock().anchorStatus == .consistent)
        _ = try Caseload(vault: try a.unlock()).open(sampleDocument())
    }

    @Test func theRecordIsOneFixedSizeFilePerVault() throws {
        let a = try Anchored()
        let files = { try FileManager.default.contentsOfDirectory(atPath: a.state) }
        let empty = try #require(try files().first.map { try Data(contentsOf: URL(fileURLWithPath: a.state + "/" + $0)).count })
        let load = Caseload(vault: try a.unlock())
        // A write killed between its temporary file and the rename leaves one; the next write sweeps it.
        let leftover = a.state + "/" + RollbackAnchor.temporaryPrefix(vaultID: load.vault.vault.vaultID) + "deadbeef0000"
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data(count: 297)))
        _ = try load.open((0..<40).map { sampleDocument(canary: "C\($0)") })
        let after = try files()
        #expect(after.count == 1, "\(after)")
        let full = try Data(contentsOf: URL(fileURLWithPath: a.state + "/" + (try files()[0]))).count
        #expect(empty == full && full == 1 + 24 + Padding.bucket(for: VaultHeads.encodedCount) + 16)
    }
}
