import CasesCrypto
import Foundation
import GRDB

@testable import CasesCore

/// Looks into a vault the binary wrote, in-process: SQLite's own integrity check, the audit
/// chain, and every case, unlocked once with the harness passphrase and then with the same key.
final class VaultInspector {
    let path: String
    private let key: MasterKey
    private let slotID: Data

    init(_ cli: CLIHarness) throws {
        path = cli.vault
        var bytes = Array("correct horse battery staple".utf8)
        let unlocked = try Vault.open(at: path).unlock(passphrase: try SecretBytes.consuming(&bytes))
        key = unlocked.key
        slotID = unlocked.slotID
    }

    struct Look {
        var integrity: [String]
        var audit: AuditReport
        var cases: [CaseID: CaseFile]
        var damaged: [String]
        var events: Int
        var ok: Bool { integrity == ["ok"] && audit.ok && damaged.isEmpty }
    }

    /// Opens the vault afresh (as the next command would, recovering from its WAL) and reads all.
    func look() throws -> Look {
        let vault = try Vault.open(at: path)
        let integrity = try vault.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        let load = Caseload(vault: try UnlockedVault(vault: vault, key: key, slotID: slotID))
        let audit = try load.verifyAudit()
        let (cases, damaged) = try load.list()
        let events = try vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? 0 }
        let whole = try cases.map { ($0.id, try load.show($0.id)) }
        return Look(
            integrity: integrity, audit: audit, cases: Dictionary(uniqueKeysWithValues: whole),
            damaged: damaged, events: events)
    }

    /// The vault's bytes, its WAL folded in first, so two states can be compared byte for byte.
    func checkpoint() throws {
        let vault = try Vault.open(at: path)
        try vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
