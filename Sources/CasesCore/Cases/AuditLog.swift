import Foundation
import GRDB

/// What `cases audit verify` found.
public struct AuditReport: Codable, Sendable {
    public var events: Int
    public var cases: Int
    /// The first break, in plain words; nil when the whole chain holds.
    public var firstBreak: String?
    public var ok: Bool { firstBreak == nil }
}

extension Caseload {
    /// Walks the event log from the first event: every MAC must chain, every event must open and
    /// apply to its case, and replaying each case's events must give exactly its stored snapshot.
    /// Stops at the first break and names it.
    public func verifyAudit() throws -> AuditReport {
        try vault.vault.read { db in
            var previous = Data(count: 32)
            var expectedSeq: Int64 = 1
            var replayed: [CaseID: CaseFile] = [:]
            var count = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, sealed, mac FROM event ORDER BY seq")
            while let row = try rows.next() {
                let seq: Int64 = row["seq"]
                let sealed: Data = row["sealed"]
                let mac: Data = row["mac"]
                if seq != expectedSeq {
                    return AuditReport(events: count, cases: replayed.count, firstBreak: "event \(expectedSeq) is missing: the log was cut or reordered")
                }
                let want = Self.chainMAC(previous: previous, seq: seq, sealed: sealed, key: vault.key.audit)
                guard want == mac else {
                    return AuditReport(events: count, cases: replayed.count, firstBreak: "event \(seq) does not match its MAC: it or an earlier event was altered, removed or reordered")
                }
                guard let event = try? openEvent(seq: seq, sealed: sealed, caseID: nil) else {
                    return AuditReport(events: count, cases: replayed.count, firstBreak: "event \(seq) does not open: it was altered or moved")
                }
                guard let next = try? CaseFile.applying(event, seq: seq, to: replayed[event.caseId]) else {
                    return AuditReport(events: count, cases: replayed.count, firstBreak: "event \(seq) does not fit case \(event.caseId)")
                }
                replayed[event.caseId] = next
                previous = mac
                expectedSeq += 1
                count += 1
            }
            let snapshots = try Row.fetchAll(db, sql: "SELECT case_id, version, sealed, summary FROM case_snapshot")
            var seen = Set<CaseID>()
            for row in snapshots {
                let text: String = row["case_id"]
                guard let id = CaseID(parsing: text) else {
                    return AuditReport(events: count, cases: replayed.count, firstBreak: "a case row has a malformed id")
                }
                seen.insert(id)
                guard let stored = try? openSnapshot(id: id, version: row["version"], sealed: row["sealed"]) else {
                    return AuditReport(events: count, cases: replayed.count, firstBreak: "case \(id) failed its integrity check")
                }
                guard let r = replayed[id], r == stored else {
                    return AuditReport(events: count, cases: replayed.count, firstBreak: "case \(id) does not match its events: its record was replaced or rolled back")
                }
                if let sealedSummary = row["summary"] as Data? {
                    guard let summary = try? openSummary(id: id, version: stored.version, sealed: sealedSummary), summary == CaseSummary(stored) else {
                        return AuditReport(events: count, cases: replayed.count, firstBreak: "the summary of case \(id) does not match the case")
                    }
                }
            }
            if let orphan = replayed.keys.first(where: { !seen.contains($0) }) {
                return AuditReport(events: count, cases: replayed.count, firstBreak: "case \(orphan) has events but no record: it was deleted outside cases")
            }
            return AuditReport(events: count, cases: replayed.count, firstBreak: nil)
        }
    }
}
