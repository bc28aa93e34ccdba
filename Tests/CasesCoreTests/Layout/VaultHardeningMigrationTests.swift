import Foundation
import GRDB
import Testing
@testable import CasesCore

/// Migration 008 drops the plain event counter of each case, keeps each case's random row key,
/// and leaves none of the old counters anywhere in the file or its WAL.
@Suite struct VaultHardeningMigrationTests {
    /// Rebuilds the format-7 layout from a current vault, as a vault written by an earlier build
    /// looks on disk: a plain `version` per case (set to `version(row)`, here distinctive 8-byte
    /// values so that the file's bytes can be searched for them), keyslots without a MAC.
    static func downgradeToFormat7(_ path: String, version: String = "1") throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                ALTER TABLE keyslot DROP COLUMN mac;
                CREATE TABLE case_row7 (case_id TEXT NOT NULL UNIQUE, version INTEGER NOT NULL, summary BLOB, sealed BLOB NOT NULL) STRICT;
                INSERT INTO case_row7 (rowid, case_id, version, summary, sealed) SELECT row_key, case_id, \(version), summary, sealed FROM case_snapshot;
                DROP TABLE case_snapshot;
                ALTER TABLE case_row7 RENAME TO case_snapshot;
                DELETE FROM grdb_migrations WHERE identifier = '008_vault_hardening.sql';
                UPDATE vault SET format = 7;
                """)
        }
        try queue.close()
    }

    /// The version a downgraded row gets: 0x5EC0DE5EC0 followed by the row key's low 24 bits,
    /// an 8-byte integer no other byte of the vault is likely to match.
    static let marker = "(0x5EC0DE5EC0000000 + (row_key & 0xFFFFFF))"

    static func markerBytes(_ rowKey: Int64) -> Data {
        withUnsafeBytes(of: (Int64(0x5EC0_DE5E_C000_0000) + (rowKey & 0xFF_FFFF)).bigEndian) { Data($0) }
    }

    static func filesContain(_ path: String, _ needle: Data) -> Bool {
        [path, path + "-wal"].contains { FileManager.default.contents(atPath: $0)?.range(of: needle) != nil }
    }

    @Test func aFormat7VaultLosesItsCountersAndKeepsItsRowKeys() throws {
        let t = try TestVault()
        let ids = try t.caseload.open(Array(SyntheticCaseload(count: 60, seed: 21)))
        for id in ids.prefix(20) { _ = try t.caseload.note(id, text: "a later note") }
        let shown = try ids.map { try t.caseload.show($0) }
        let rowKeys = try t.unlocked.vault.read { db in try Row.fetchAll(db, sql: "SELECT case_id, row_key FROM case_snapshot") }
            .map { ($0[0] as String, $0[1] as Int64) }
        try Self.downgradeToFormat7(t.path, version: Self.marker)
        // The search works: every old counter is in the file before the migration.
        for (_, key) in rowKeys { #expect(Self.filesContain(t.path, Self.markerBytes(key))) }

        let reopened = try t.reopen()
        #expect(try ids.map { try reopened.show($0) } == shown)
        #expect(try reopened.verifyAudit().ok)
        let after = try reopened.vault.vault.read { db in
            (try Row.fetchAll(db, sql: "SELECT case_id, row_key FROM case_snapshot").map { ($0[0] as String, $0[1] as Int64) },
             try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('case_snapshot')"))
        }
        #expect(Dictionary(uniqueKeysWithValues: after.0) == Dictionary(uniqueKeysWithValues: rowKeys))
        #expect(after.1 == ["row_key", "case_id", "write_tag", "summary", "sealed"])
        // Not one old counter left, in a page in use, a freed page or the WAL.
        let left = rowKeys.filter { Self.filesContain(t.path, Self.markerBytes($0.1)) }
        #expect(left.isEmpty, "\(left.count) old counters are still in the file")
    }
}
