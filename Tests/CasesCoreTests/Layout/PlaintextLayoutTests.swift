import Foundation
import GRDB
import Testing

@testable import CasesCore

/// What the vault file shows in plain, measured on a vault holding the same cases at every
/// stage (``StageBalancedVault``): nothing stored outside the sealed bytes, and no sealed
/// record's size, tells the stages apart.
@Suite struct PlaintextLayoutTests {
    static let seed: UInt64 = 11

    /// Per stage, the sorted list of what `describe` makes of each case's row.
    static func perStage(_ v: StageBalancedVault, _ describe: (Row) -> String) throws -> [Stage: [String]] {
        let rows = try v.test.unlocked.vault.read { db in try Row.fetchAll(db, sql: "SELECT * FROM case_snapshot") }
        var out: [Stage: [String]] = [:]
        for row in rows {
            let id: String = row["case_id"]
            out[v.stageOf[id] ?? .intake, default: []].append(describe(row))
        }
        return out.mapValues { $0.sorted() }
    }

    /// Every stage's list equals intake's.
    static func expectSameForEveryStage(_ lists: [Stage: [String]], _ what: String, seed: UInt64) {
        for stage in StageBalancedVault.stages.dropFirst() {
            #expect(lists[stage] == lists[.intake], "\(what) differs between intake and \(stage.rawValue) (seed \(seed))")
        }
    }

    @Test func aCaseRowShowsNothingInPlainThatFollowsTheStage() throws {
        let v = try StageBalancedVault(perStage: 12, seed: Self.seed)
        let columns = try v.test.unlocked.vault.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('case_snapshot')") }
        // The plain columns: a random row key, the random case id and a random write tag.
        #expect(columns == ["row_key", "case_id", "write_tag", "summary", "sealed"])
        let plain = try Self.perStage(v) { row in
            columns.filter { $0 != "summary" && $0 != "sealed" }.map { name -> String in
                let value = row[name] as DatabaseValue
                switch value.storage {
                case .int64: return "\(name): integer"
                case .blob(let d): return "\(name): \(d.count) bytes"
                case .string(let s): return "\(name): \(s.utf8.count) characters"
                default: return "\(name): \(value)"
                }
            }.joined(separator: ", ")
        }
        Self.expectSameForEveryStage(plain, "a plain column", seed: Self.seed)
        #expect(Set(plain.values.joined()) == ["row_key: integer, case_id: 9 characters, write_tag: 16 bytes"])
    }

    /// The same cases at every stage give the same sealed sizes: a case keeps its record's and
    /// its summary's bucket from intake to closed (the rule in SECURITY.md).
    @Test func sealedSizesDoNotFollowTheStage() throws {
        let v = try StageBalancedVault(perStage: 12, seed: Self.seed)
        let sizes = try Self.perStage(v) { row in "\((row["sealed"] as Data).count) / \((row["summary"] as Data).count)" }
        Self.expectSameForEveryStage(sizes, "the sealed sizes", seed: Self.seed)
        print(
            "PlaintextLayoutTests: sealed case / summary sizes at every stage: \(Dictionary(grouping: sizes[.intake] ?? [], by: { $0 }).mapValues(\.count))"
        )
    }

    /// The other tables' plain parts do not change with what the cases are: keyslots, policy,
    /// releases and the vault row are as before the first case; the log is numbered one row an
    /// event, with MACs of one length.
    @Test func theOtherTablesDoNotFollowTheStage() throws {
        let v = try StageBalancedVault(perStage: 4, seed: Self.seed)
        #expect(try StageBalancedVault.caseFreeRows(v.test.unlocked.vault) == v.tablesBefore)
        let log = try v.test.unlocked.vault.read { db in
            (
                try Int64.fetchAll(db, sql: "SELECT seq FROM event ORDER BY seq"),
                try Set(Int.fetchAll(db, sql: "SELECT length(mac) FROM event")),
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('event')")
            )
        }
        // One row an event, numbered 1, 2, 3…: its number is the log's, not the case's.
        #expect(log.0 == Array(1...Int64(log.0.count)))
        #expect(log.1 == [32])
        #expect(log.2 == ["seq", "sealed", "mac"])
    }
}
