import CasesCrypto
import Foundation

/// What a vault lacks, or has in place of, compared with this laptop's record of its last
/// state (``RollbackAnchor``); in plain words through ``description``.
public struct RollbackFinding: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Events recorded on this laptop that the vault no longer has.
    public var eventsMissing: Int64 = 0
    /// The recorded event is there but is not the same (the log was replaced from there on).
    public var eventLogRewritten = false
    /// Published releases recorded on this laptop that the ledger no longer has.
    public var releasesMissing: Int64 = 0
    public var ledgerRewritten = false
    /// Case records gone with no event to say so (negative: records added outside cases).
    public var casesMissing: Int64 = 0

    /// What `vault` lacks compared with `recorded`; nil when it holds everything recorded (it may
    /// have more: a later write whose record did not reach this laptop's folder).
    /// `mac(table, seq)` gives the MAC of a row of the vault's `event` or `release` table.
    static func compare(recorded: VaultHeads, vault: VaultHeads, mac: (String, Int64) throws -> Data?) rethrows -> RollbackFinding? {
        var f = RollbackFinding()
        func chain(_ table: String, recorded: (Int64, Data), vault: (Int64, Data)) throws -> (missing: Int64, rewritten: Bool) {
            if vault.0 < recorded.0 { return (recorded.0 - vault.0, false) }
            if vault.0 == recorded.0 { return (0, !constantTimeEqual([UInt8](vault.1), [UInt8](recorded.1))) }
            // Ahead: the row recorded must still be there, unchanged; its MAC covers all before it.
            guard recorded.0 > 0 else { return (0, false) }
            guard let there = try mac(table, recorded.0) else { return (0, true) }
            return (0, !constantTimeEqual([UInt8](there), [UInt8](recorded.1)))
        }
        (f.eventsMissing, f.eventLogRewritten) = try chain(
            "event", recorded: (recorded.eventSeq, recorded.eventMAC), vault: (vault.eventSeq, vault.eventMAC))
        (f.releasesMissing, f.ledgerRewritten) = try chain(
            "release", recorded: (recorded.releaseSeq, recorded.releaseMAC), vault: (vault.releaseSeq, vault.releaseMAC))
        // Only an event changes the number of cases: at the same event head it must be the same.
        if vault.eventSeq == recorded.eventSeq && !f.eventLogRewritten {
            f.casesMissing = recorded.caseCount - vault.caseCount
        }
        return f == RollbackFinding() ? nil : f
    }

    /// Only things missing (a plain rollback, like a restored backup), nothing replaced or added.
    public var isOnlyMissing: Bool { !eventLogRewritten && !ledgerRewritten && casesMissing >= 0 }

    /// "the last 3 events are missing and 2 published releases were removed".
    public var description: String {
        var parts: [String] = []
        if eventsMissing == 1 { parts.append("the last event is missing") }
        if eventsMissing > 1 { parts.append("the last \(eventsMissing) events are missing") }
        if eventLogRewritten { parts.append("the event log was replaced: its last event is not the one this laptop recorded") }
        if releasesMissing == 1 { parts.append("1 published release was removed") }
        if releasesMissing > 1 { parts.append("\(releasesMissing) published releases were removed") }
        if ledgerRewritten { parts.append("the release ledger was replaced: its last release is not the one this laptop recorded") }
        if casesMissing == 1 { parts.append("1 case record was removed") }
        if casesMissing > 1 { parts.append("\(casesMissing) case records were removed") }
        if casesMissing == -1 { parts.append("1 case record was added outside cases") }
        if casesMissing < -1 { parts.append("\(-casesMissing) case records were added outside cases") }
        guard let last = parts.popLast() else { return "" }
        return parts.isEmpty ? last : parts.joined(separator: ", ") + " and " + last
    }
}

/// A vault that is behind this laptop's record of it, or a record that does not open.
public enum RollbackError: CasesError, Equatable {
    case rolledBack(RollbackFinding)
    /// The record at this path does not authenticate under the vault's key.
    case anchorDamaged(path: String)
    /// `cases audit accept-rollback` with no state folder to keep the record in.
    case noStateFolder

    public var kind: FailureKind {
        switch self {
        case .rolledBack, .anchorDamaged: .integrity
        case .noStateFolder: .io
        }
    }

    static let whatToDo =
        "Nothing was changed or published. If you restored this vault from a backup on purpose, accept it with `cases audit accept-rollback`; if not, someone rolled it back: keep this copy as evidence and restore your latest backup."

    /// What was found, without what to do about it: the question `accept-rollback` asks about.
    public var finding: String {
        switch self {
        case .rolledBack(let f):
            (f.isOnlyMissing ? "This vault is older than this laptop's record of it: " : "This vault does not match this laptop's record of it: ")
                + f.description
        case .anchorDamaged(let path):
            "This laptop's record of the vault's last state (\(path)) was altered or damaged, so a rollback cannot be ruled out"
        case .noStateFolder:
            "No folder is set to keep this laptop's record of the vault"
        }
    }

    public var description: String {
        switch self {
        case .rolledBack: finding + ". " + Self.whatToDo
        case .anchorDamaged:
            finding
                + ". Nothing was changed or published. Run `cases audit verify`; if the vault is as you expect, record its present state with `cases audit accept-rollback`."
        case .noStateFolder: finding + "; set CASES_STATE_DIR or --state-dir."
        }
    }
}
