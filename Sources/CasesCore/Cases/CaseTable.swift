import Foundation
import GRDB

/// The cases' rows (`case_snapshot`: a case's sealed snapshot and sealed summary) as the
/// caseload reads and writes them: all of its SQL on the table, so each row is written one way.
enum CaseTable {
    /// The table, which is also the associated data each snapshot is sealed under.
    static let name = "case_snapshot"

    /// The sealed snapshot and the write tag of a case's row, or nil when there is none.
    static func snapshotForWrite(_ db: Database, _ id: CaseID) throws -> (sealed: Data, tag: Data)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT write_tag, sealed FROM case_snapshot WHERE case_id = ?", arguments: [id.compact]) else {
            return nil
        }
        return (row["sealed"], row["write_tag"])
    }

    /// Rewrites a case's row where it still carries `previousTag`, with a new random write tag
    /// (16 bytes, whatever the case: a counter would tell how active the case is). False when
    /// the row was changed since it was read.
    static func update(_ db: Database, _ id: CaseID, summary: Data, sealed: Data, previousTag: Data) throws -> Bool {
        try db.execute(
            sql: "UPDATE case_snapshot SET write_tag = randomblob(16), summary = ?, sealed = ? WHERE case_id = ? AND write_tag = ?",
            arguments: [summary, sealed, id.compact, previousTag])
        return db.changesCount == 1
    }

    /// Every row's id and sealed summary, in the table's order.
    static func summaries(_ db: Database) throws -> RowCursor {
        try Row.fetchCursor(db, sql: "SELECT case_id, summary FROM case_snapshot")
    }

    /// Adds new cases' rows, and tells ids in use.
    struct Inserter {
        private let insert: RawStatement
        private let exists: RawStatement

        /// A new case's row gets a random row key (the table's order says nothing about when
        /// cases were opened) and a random write tag (SQLite's generator, seeded by the system's).
        init(_ db: Database) throws {
            insert = try RawStatement(
                db, sql: "INSERT INTO case_snapshot (row_key, case_id, write_tag, summary, sealed) VALUES (random(), ?, randomblob(16), ?, ?)")
            exists = try RawStatement(db, sql: "SELECT 1 FROM case_snapshot WHERE case_id = ?")
        }

        func insert(_ id: CaseID, summary: Data, sealed: Data) throws {
            try insert.run(.text(id.compact), .blob(summary), .blob(sealed))
        }

        func contains(_ compactID: String) throws -> Bool {
            try exists.firstInt(.text(compactID)) != nil
        }
    }
}
