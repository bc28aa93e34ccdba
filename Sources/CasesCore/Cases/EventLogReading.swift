import Foundation
import GRDB

extension Caseload {
    /// The events a row of the log holds, oldest first: one, or a group (numbered
    /// `seq - count + 1 … seq`). Throws ``CaseError/integrity(_:)`` for `caseID`, or an
    /// ``AuditError`` naming the row when none is given, if the row does not open.
    func openEvents(seq: Int64, sealed: Data, caseID: CaseID?) throws -> [CaseEvent] {
        do {
            // A case's events never point at a vault event's row.
            guard case .caseEvents(let events) = try openRow(seq: seq, sealed: sealed) else { throw RecordMalformed() }
            return events
        } catch {
            if let id = caseID { throw CaseError.integrity(id) }
            throw AuditError.broken("event \(seq) does not open: it was altered, moved or damaged")
        }
    }

    /// What a row of the log holds: a case's events, or one event about the whole vault.
    enum LogRow: Sendable {
        case caseEvents([CaseEvent])
        case vault(VaultEvent)
    }

    /// Opens the row numbered `seq`; throws if it does not open or decode.
    func openRow(seq: Int64, sealed: Data) throws -> LogRow {
        try vault.withOpened(sealed, table: Self.eventTable, row: String(seq), key: nil) { plain in
            try plain.withUnsafeBufferPointer { try Self.decodeRow(seq: seq, plain: $0) }
        }
    }

    /// Opens the row numbered `seq` read in place, with `opener` (made for the log's table);
    /// throws as ``openRow(seq:sealed:)``.
    static func openRow(seq: Int64, sealed: UnsafeRawBufferPointer, with opener: inout SealedRecord.Opener) throws -> LogRow {
        try opener.open(sealed, row: String(seq)) { try decodeRow(seq: seq, plain: $0) }
    }

    private static func decodeRow(seq: Int64, plain: UnsafeBufferPointer<UInt8>) throws -> LogRow {
        let row: LogRow =
            switch plain.first {
            case EventGroup.marker: .caseEvents(try EventGroup(binary: plain).events)
            case CaseEvent.marker: .caseEvents([try CaseEvent(binary: plain)])
            case VaultEvent.marker: .vault(try VaultEvent(binary: plain))
            default: throw RecordMalformed() // format 1.0 holds binary records only
            }
        if case .caseEvents(let events) = row, Int64(events.count) > seq { throw RecordMalformed() }
        return row
    }

    /// Reads events by number, opening each row once for a run of events it holds.
    struct EventReader {
        let caseload: Caseload
        let db: Database
        private var row: (first: Int64, events: [CaseEvent])?

        init(_ caseload: Caseload, _ db: Database) {
            (self.caseload, self.db) = (caseload, db)
        }

        /// Event `seq`, or nil when no row holds it. Throws as ``Caseload/openEvents(seq:sealed:caseID:)``.
        mutating func event(_ seq: Int64, of caseID: CaseID?) throws -> CaseEvent? {
            if let row, seq >= row.first, seq - row.first < row.events.count {
                return row.events[Int(seq - row.first)]
            }
            // The row holding `seq` is the first numbered `seq` or after.
            guard let found = try Row.fetchOne(db, sql: "SELECT seq, sealed FROM event WHERE seq >= ? ORDER BY seq LIMIT 1", arguments: [seq]) else {
                return nil
            }
            let last: Int64 = found["seq"]
            let events = try caseload.openEvents(seq: last, sealed: found["sealed"], caseID: caseID)
            let first = last - Int64(events.count) + 1
            row = (first, events)
            return seq >= first ? events[Int(seq - first)] : nil
        }
    }
}
