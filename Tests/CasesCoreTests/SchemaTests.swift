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
        try VaultHardeningMigrationTests.downgradeToFormat7(path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE old_snapshot (case_id TEXT PRIMARY KEY, version INTEGER NOT NULL, sealed BLOB NOT NULL, summary BLOB) STRICT, WITHOUT ROWID;
                INSERT INTO old_snapshot SELECT case_id, version, sealed, summary FROM case_snapshot;
                DROP TABLE case_snapshot;
                ALTER TABLE old_snapshot RENAME TO case_snapshot;
                DELETE FROM grdb_migrations WHERE identifier IN ('003_split_summary.sql', '007_summary_in_case_row.sql');
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
        // Through 003 and 007: every summary back in its case's row, in a rowid table.
        let layout = try reopened.vault.vault.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot WHERE summary IS NOT NULL"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'case_summary'"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'case_snapshot' AND sql LIKE '%WITHOUT ROWID%'"))
        }
        #expect(layout.0 == ids.count)
        #expect(layout.1 == 0)
        #expect(layout.2 == 0)
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

    /// A summary is in its case's row (format 7), so deleting the row takes both; the audit
    /// names the case its events point to.
    @Test func aDeletedCaseRowBreaksTheAudit() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in try db.execute(sql: "DELETE FROM case_snapshot WHERE case_id = ?", arguments: [id.compact]) }
        #expect(try t.caseload.verifyAudit().firstBreak == "case \(id) has events but no record: it was deleted outside cases")
    }
}

/// Migration 007 moved each case's summary from its own table into the case's row.
@Suite struct SummaryInCaseRowMigrationTests {
    /// Rebuilds the format-6 layout (summaries in `case_summary`) from a current vault, as a
    /// vault written by an earlier build looks on disk.
    static func downgradeToFormat6(_ path: String) throws {
        try VaultHardeningMigrationTests.downgradeToFormat7(path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE case_summary (case_id TEXT PRIMARY KEY, version INTEGER NOT NULL, sealed BLOB NOT NULL) STRICT, WITHOUT ROWID;
                INSERT INTO case_summary SELECT case_id, version, summary FROM case_snapshot WHERE summary IS NOT NULL;
                CREATE TABLE old_snapshot (case_id TEXT NOT NULL UNIQUE, version INTEGER NOT NULL, sealed BLOB NOT NULL) STRICT;
                INSERT INTO old_snapshot (rowid, case_id, version, sealed) SELECT rowid, case_id, version, sealed FROM case_snapshot;
                DROP TABLE case_snapshot;
                ALTER TABLE old_snapshot RENAME TO case_snapshot;
                DELETE FROM grdb_migrations WHERE identifier = '007_summary_in_case_row.sql';
                """)
        }
        try queue.close()
    }

    static func rowids(_ vault: Vault) throws -> [String: Int64] {
        try vault.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT case_id, rowid FROM case_snapshot").map { ($0[0] as String, $0[1] as Int64) })
        }
    }

    @Test func aFormat6VaultMigratesWithEverySummaryAndRowidKept() throws {
        let t = try TestVault()
        let ids = try t.caseload.open(Array(SyntheticCaseload(count: 40, seed: 8)))
        _ = try t.caseload.note(ids[0], text: "a later note")
        let before = try t.caseload.list().cases
        let shown = try ids.map { try t.caseload.show($0) }
        let rowids = try Self.rowids(t.unlocked.vault)
        try Self.downgradeToFormat6(t.path)
        #expect(try DatabaseQueue(path: t.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM case_summary") } == ids.count)

        let reopened = try t.reopen()
        #expect(try reopened.list().cases == before)
        #expect(try ids.map { try reopened.show($0) } == shown)
        #expect(try reopened.verifyAudit().ok)
        #expect(try Self.rowids(reopened.vault.vault) == rowids)
        let layout = try reopened.vault.vault.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot WHERE summary IS NOT NULL"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'case_summary'"))
        }
        #expect(layout.0 == ids.count)
        #expect(layout.1 == 0)
    }

    /// A summary left at an older version (put back behind cases' back) is carried into the
    /// case's row as it was, so `audit verify` still names it. (`list`, which opens summaries
    /// only, shows it as it was: no plain counter ties a summary to its case's record any more.)
    @Test func aStaleSummaryIsCarriedAndStillCaught() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let old = try #require(try t.unlocked.vault.read { db in try Data.fetchOne(db, sql: "SELECT summary FROM case_snapshot") })
        _ = try t.caseload.note(id, text: "added later")
        try Self.downgradeToFormat6(t.path)
        try DatabaseQueue(path: t.path).write { db in try db.execute(sql: "UPDATE case_summary SET sealed = ?", arguments: [old]) }
        let reopened = try t.reopen()
        #expect(try reopened.verifyAudit().firstBreak == "the summary of case \(id) does not match the case")
    }
}
