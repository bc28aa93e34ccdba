import Foundation
import GRDB

/// The event log's rows as the caseload writes them: all of its SQL that adds to the log, so
/// the log is appended to one way, whether one event or a whole import is written.
enum EventTable {
    /// The table, which is also the associated data each event is sealed under.
    static let name = "event"

    /// The last event's number and MAC (0 and zeros for an empty log): where the chain goes on.
    static func tip(_ db: Database) throws -> (seq: Int64, mac: Data) {
        let last = try Row.fetchOne(db, sql: "SELECT seq, mac FROM event ORDER BY seq DESC LIMIT 1")
        return (last?["seq"] ?? 0, last?["mac"] ?? Data(count: 32))
    }

    /// Adds sealed rows to the log, each with the MAC that chains it to the row before.
    struct Inserter {
        private let statement: RawStatement

        init(_ db: Database) throws {
            statement = try RawStatement(db, sql: "INSERT INTO event (seq, sealed, mac) VALUES (?, ?, ?)")
        }

        func insert(seq: Int64, sealed: Data, mac: Data) throws {
            try statement.run(.int(seq), .blob(sealed), .blob(mac))
        }
    }
}
