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

/// Migration 003 moved summaries into their own table and snapshots into a rowid table.
@Suite struct SplitSummaryMigrationTests {
    /// Rebuilds the format-2 layout (summary as a column of a WITHOUT ROWID snapshot table) from
    /// a current vault, as a vault written by an earlier build looks on disk.
    static func downgradeToFormat2(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE old_snapshot (case_id TEXT PRIMARY KEY, version INTEGER NOT NULL, sealed BLOB NOT NULL, summary BLOB) STRICT, WITHOUT ROWID;
                INSERT INTO old_snapshot SELECT c.case_id, c.version, c.sealed, s.sealed FROM case_snapshot c LEFT JOIN case_summary s USING (case_id);
                DROP TABLE case_snapshot;
                DROP TABLE case_summary;
                ALTER TABLE old_snapshot RENAME TO case_snapshot;
                DELETE FROM grdb_migrations WHERE identifier = '003_split_summary.sql';
                """)
        }
        try queue.close()
    }

    @Test func aFormat2VaultMigratesWithEveryCaseIntact() throws {
        let t = try TestVault()
        let ids = try t.caseload.open(Array(SyntheticCaseload(count: 40, seed: 7)))
        _ = try t.caseload.note(ids[0], text: "a later note")
        let before = try t.caseload.list().cases
        let shown = try ids.map { try t.caseload.show($0) }
        try Self.downgradeToFormat2(t.path)

        let reopened = try t.reopen()
        #expect(try reopened.list().cases == before)
        #expect(try ids.map { try reopened.show($0) } == shown)
        #expect(try reopened.verifyAudit().ok)
        let layout = try reopened.vault.vault.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM case_summary"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM pragma_table_info('case_snapshot') WHERE name = 'summary'"))
        }
        #expect(layout.0 == ids.count)
        #expect(layout.1 == 0)
    }

    /// Earlier builds sealed records with snake_case keys; this build writes the code's names.
    @Test func aSnakeCaseRecordOfAnEarlierBuildStillOpens() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let c = try t.caseload.show(id)
        let plain = [UInt8](try RecordCoding.encoder.encode(c))
        #expect(String(decoding: plain, as: UTF8.self).contains("\"opened_on\""))
        let sealed = try SealedRecord.seal(plain, key: t.unlocked.key.records, vaultID: t.unlocked.vault.vaultID, table: "case_snapshot", row: id.compact)
        try t.unlocked.vault.write { db in
            try db.execute(sql: "UPDATE case_snapshot SET sealed = ? WHERE case_id = ?", arguments: [Data(sealed), id.compact])
        }
        #expect(try t.caseload.show(id) == c)
        #expect(try t.caseload.verifyAudit().ok)
    }

    @Test func snapshotRowidsDoNotFollowCreationOrder() throws {
        let t = try TestVault()
        let ids = try t.caseload.open(Array(SyntheticCaseload(count: 30, seed: 3)))
        let byRowid = try t.unlocked.vault.read { db in try String.fetchAll(db, sql: "SELECT case_id FROM case_snapshot ORDER BY rowid") }
        #expect(Set(byRowid) == Set(ids.map(\.compact)))
        #expect(byRowid != ids.map(\.compact)) // 1 chance in 30! of a false failure
    }

    @Test func aSummaryWithoutItsCaseBreaksTheAudit() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in try db.execute(sql: "DELETE FROM case_snapshot WHERE case_id = ?", arguments: [id.compact]) }
        #expect(try t.caseload.verifyAudit().firstBreak == "a summary has no case (\(id)): it was added outside cases")
    }
}
