import CasesCrypto
import Foundation
import GRDB

/// What `cases audit verify` found.
public struct AuditReport: Codable, Sendable {
    public var events: Int
    public var cases: Int
    /// The first break, in plain words; nil when the whole chain holds.
    public var firstBreak: String?
    /// How many of the events walked each keyslot (by id) made.
    public var eventsByActor: [String: Int] = [:]
    /// The events about the whole vault (an accepted rollback), with their numbers.
    public var vaultEvents: [NumberedVaultEvent] = []
    /// What the vault lacks compared with this laptop's record of it, if anything.
    public var rollback: RollbackFinding?
    /// The path of this laptop's record of the vault when it does not open.
    public var damagedAnchor: String?

    /// The error the caseworker is shown when the chain holds but the vault is behind this
    /// laptop's record of it (or the record does not open).
    public var rollbackError: RollbackError? {
        if let f = rollback { return .rolledBack(f) }
        return damagedAnchor.map { .anchorDamaged(path: $0) }
    }

    public var ok: Bool { firstBreak == nil && rollbackError == nil }
}

/// A ``VaultEvent`` and its number in the log.
public struct NumberedVaultEvent: Codable, Sendable {
    public var seq: Int64
    public var event: VaultEvent
}

extension Caseload {
    /// Walks the event log from the first event: every MAC must chain, every event must open,
    /// and replaying each case's events must give exactly its stored snapshot and summary.
    /// Stops at the first break and names it.
    ///
    /// Two passes keep memory flat whatever the vault's size: the chain pass remembers only
    /// which case each event belongs to; the replay pass holds one case at a time. `visit` sees
    /// each event of the chain pass that holds, in order (for a listing of who did what).
    public func verifyAudit(visit: ((_ seq: Int64, _ event: CaseEvent) -> Void)? = nil) throws -> AuditReport {
        try vault.vault.read { db in
            var previous = Data(count: 32)
            var expectedSeq: Int64 = 1
            var eventsOf: [CaseID: [Int64]] = [:]
            var byActor: [String: Int] = [:]
            var vaultEvents: [NumberedVaultEvent] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, sealed, mac FROM event ORDER BY seq")
            func broken(_ why: String) -> AuditReport {
                AuditReport(events: Int(expectedSeq - 1), cases: eventsOf.count, firstBreak: why, eventsByActor: byActor, vaultEvents: vaultEvents)
            }
            while let row = try rows.next() {
                // A row numbered `seq` holds events `seq - n + 1 … seq` (one, or an
                // ``EventGroup``); `n` is sealed, so the row is opened before its place in the
                // log is checked, and its MAC after, so a row deleted from the middle of the log
                // is named as missing.
                let seq: Int64 = row["seq"]
                let sealed: Data = row["sealed"]
                if seq < expectedSeq { return broken("event \(expectedSeq) is missing: the log was cut or reordered") }
                guard let logRow = try? openRow(seq: seq, sealed: sealed) else {
                    return broken("event \(seq) does not open: it was altered or moved")
                }
                var events: [CaseEvent] = []
                var vaultEvent: VaultEvent?
                switch logRow {
                case .caseEvents(let e): events = e
                case .vault(let v): vaultEvent = v
                }
                if seq - Int64(vaultEvent == nil ? events.count : 1) + 1 != expectedSeq { return broken("event \(expectedSeq) is missing: the log was cut or reordered") }
                guard constantTimeEqual(Self.chainMAC(previous: previous, seq: seq, sealed: sealed, key: vault.key.audit), row["mac"] as Data) else {
                    return broken("event \(seq) does not match its MAC: it or an earlier event was altered, removed or reordered")
                }
                if let vaultEvent {
                    byActor[vaultEvent.actor, default: 0] += 1
                    vaultEvents.append(NumberedVaultEvent(seq: seq, event: vaultEvent))
                    expectedSeq += 1
                }
                for event in events {
                    // An event about the vault (a weak passphrase let through) is checked by the
                    // chain and listed, and belongs to no case.
                    if event.kind.isVaultWide != (event.caseId == .vaultWide) {
                        return broken("event \(expectedSeq) does not fit the case it belongs to")
                    }
                    if !event.kind.isVaultWide { eventsOf[event.caseId, default: []].append(expectedSeq) }
                    byActor[event.actor, default: 0] += 1
                    visit?(expectedSeq, event)
                    expectedSeq += 1
                }
                previous = row["mac"]
            }
            let events = Int(expectedSeq - 1)
            var seen = 0
            let snapshots = try Row.fetchCursor(db, sql: "SELECT case_id, version, sealed, summary FROM case_snapshot")
            while let row = try snapshots.next() {
                let text: String = row["case_id"]
                guard let id = CaseID(parsing: text) else { return broken("a case row has a malformed id") }
                guard let stored = try? openSnapshot(id: id, version: row["version"], sealed: row["sealed"]) else {
                    return broken("case \(id) failed its integrity check")
                }
                var replayed: CaseFile?
                var reader = EventReader(self, db)
                for seq in eventsOf[id] ?? [] {
                    guard let event = try? reader.event(seq, of: nil),
                          let next = try? CaseFile.applying(event, seq: seq, to: replayed) else {
                        return broken("event \(seq) does not fit case \(id)")
                    }
                    replayed = next
                }
                guard replayed == stored else {
                    return broken("case \(id) does not match its events: its record was replaced or rolled back")
                }
                if let sealedSummary = row["summary"] as Data? {
                    guard let summary = try? openSummary(id: id, version: stored.version, sealed: sealedSummary), summary == CaseSummary(stored) else {
                        return broken("the summary of case \(id) does not match the case")
                    }
                }
                eventsOf[id] = nil
                seen += 1
            }
            if let orphan = eventsOf.keys.first {
                return broken("case \(orphan) has events but no record: it was deleted outside cases")
            }
            var report = AuditReport(events: events, cases: seen, firstBreak: nil, eventsByActor: byActor, vaultEvents: vaultEvents)
            if let anchor = vault.anchor {
                switch try anchor.compare(db) {
                case .behind(let f): report.rollback = f
                case .damaged: report.damagedAnchor = anchor.path
                case .consistent, .unrecorded: break
                }
            }
            return report
        }
    }
}
