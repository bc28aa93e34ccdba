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
            #expect(
                file.1.trimmingCharacters(in: .whitespacesAndNewlines) == embedded.sql.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(file.0) differs from the embedded copy: run Scripts/embed-schema.sh")
        }
    }

    @Test func newVaultHasExactlyTheSchemaFolderTables() throws {
        let t = try TestVault()
        let reference = try DatabaseQueue()
        try reference.write { db in for (_, sql) in try Self.files() { try db.execute(sql: sql) } }
        let query =
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'grdb_%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
        let want = try reference.read { db in try Row.fetchAll(db, sql: query) }
        let got = try t.unlocked.vault.read { db in try Row.fetchAll(db, sql: query) }
        #expect(want.count >= 5)
        #expect(got == want)
    }
}

/// docs/format.md lists every table and column of a new vault, and no other: a reader written
/// from it must not meet a column it does not know.
@Suite struct FormatDocumentTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/format.md")

    /// "table column" for each row of the table of tables in section 2.
    static func documentedColumns() throws -> Set<String> {
        let text = try String(contentsOf: document, encoding: .utf8)
        let section = text.components(separatedBy: "## 2. Tables").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        func names(_ cell: Substring) -> [String] {
            cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        var table = ""
        var out: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| table") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 3 else { continue }
            if let t = names(Substring(cells[1])).first { table = t }
            for column in names(Substring(cells[2])) { out.insert("\(table) \(column)") }
        }
        return out
    }

    @Test func everyTableAndColumnOfANewVaultIsDocumented() throws {
        let t = try TestVault()
        let actual = try t.unlocked.vault.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT m.name || ' ' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
                    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'grdb_%'
                    """)
        }
        let documented = try Self.documentedColumns()
        #expect(Set(actual).subtracting(documented).sorted() == [], "in the vault but not in docs/format.md")
        #expect(documented.subtracting(actual).sorted() == [], "in docs/format.md but not in the vault")
        #expect(actual.count > 20)
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
