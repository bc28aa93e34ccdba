import Foundation

extension Caseload {
    /// Accepts the vault as it stands as this laptop's record of it, after a restore from a
    /// backup (which is legitimately older) or a record that no longer opens; records that in
    /// the audit log (a ``VaultEvent``) and returns what was accepted. Returns nil, changing
    /// nothing, when the vault already holds everything recorded.
    ///
    /// Releases the lost ledger held were published all the same: their privacy budget is not
    /// counted again by the ledger from here on.
    public func acceptRollback() throws -> AcceptedRollback? {
        guard let anchor = vault.anchor else { throw RollbackError.noStateFolder }
        let accepted = try vault.vault.write(acceptingRollback: true) { db -> AcceptedRollback? in
            let accepted: AcceptedRollback
            switch try anchor.compare(db) {
            case .consistent, .unrecorded: return nil
            case .behind(let f): accepted = .rolledBack(f)
            case .damaged: accepted = .damagedRecord
            }
            let event = VaultEvent(kind: .rollbackAccepted, at: timestamp, actor: vault.actor, detail: accepted.description)
            let tip = try chainTip(db)
            let seq = tip.seq + 1
            _ = try insertEvent(db, seq: seq, sealed: try vault.seal(event, table: Self.eventTable, row: String(seq)), after: tip.mac)
            return accepted
        }
        if accepted != nil { vault.anchorStatus = .consistent }
        return accepted
    }
}

/// What `cases audit accept-rollback` accepted.
public enum AcceptedRollback: Equatable, Sendable, CustomStringConvertible {
    case rolledBack(RollbackFinding)
    case damagedRecord

    public var description: String {
        switch self {
        case .rolledBack(let f): f.description
        case .damagedRecord: "this laptop's record of the vault was altered or damaged"
        }
    }
}
