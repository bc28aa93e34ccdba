import Foundation
import GRDB
import Testing
@testable import CasesCore

/// The binary embeds Schema/*.sql; these tests prove the embedded copy and a new vault's tables
/// are exactly what Schema/ says.
@Suite struct SchemaTests {
    static let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schema")

    static func files() throws -> [(String, String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: schemaFolder.path).filter { $0.hasSuffix(".sql") }.sorted()
        return try names.map { ($0, try String(contentsOf: schemaFolder.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test func embeddedMigrationsEqualSchemaFolder() throws {
        let files = try Self.files()
        #expect(!files.isEmpty)
        #expect(files.map(\.0) == VaultSchema.migrations.map(\.name), "run Scripts/embed-schema.sh")
        for (file, embedded) in zip(files, VaultSchema.migrations) {
            #expect(file.1.trimmingCharacters(in: .whitespacesAndNewlines) == embedded.sql.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(file.0) differs from the embedded copy: run Scripts/embed-schema.sh")
        }
    }

    @Test func newVaultHasExactlyTheSchemaFolderTables() throws {
        let t = try TestVault()
        let reference = try DatabaseQueue()
        try reference.write { db in for (_, sql) in try Self.files() { try db.execute(sql: sql) } }
        let query = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'grdb_%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
        let want = try reference.read { db in try Row.fetchAll(db, sql: query) }
        let got = try t.unlocked.vault.read { db in try Row.fetchAll(db, sql: query) }
        #expect(want.count >= 5)
        #expect(got == want)
    }
}

/// What the layout of `case_snapshot` promises: no order of creation, one row a case.
@Suite struct CaseRowLayoutTests {
    @Test func snapshotRowidsDoNotFollowCreationOrder() throws {
        let t = try TestVault()
        let ids = try t.caseload.open(Array(SyntheticCaseload(count: 30, seed: 3)))
        let byRowid = try t.unlocked.vault.read { db in try String.fetchAll(db, sql: "SELECT case_id FROM case_snapshot ORDER BY rowid") }
        #expect(Set(byRowid) == Set(ids.map(\.compact)))
        #expect(byRowid != ids.map(\.compact)) // 1 chance in 30! of a false failure
    }

    /// A summary is in its case's row, so deleting the row takes both; the audit
    /// names the case its events point to.
    @Test func aDeletedCaseRowBreaksTheAudit() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in try db.execute(sql: "DELETE FROM case_snapshot WHERE case_id = ?", arguments: [id.compact]) }
        #expect(try t.caseload.verifyAudit().firstBreak == "case \(id) has events but no record: it was deleted outside cases")
    }
}
