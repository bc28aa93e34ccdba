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
    /// Checks every keyslot's MAC, then walks the event log from the first event: every MAC must
    /// chain, every event must open, and replaying each case's events must give exactly its
    /// stored snapshot and summary. Stops at the first break and names it.
    ///
    /// Two passes keep memory flat whatever the vault's size: the chain pass remembers only
    /// which events each case has, where each row of the log ends, and a digest per case it
    /// could replay whole; the replay pass holds one chunk of cases at a time. Both read and
    /// check in an ``AuditPipeline``, so the break named is the first, exactly as a walk one
    /// row at a time would find it. `visit` sees each event of the chain pass that holds, in
    /// order (for a listing of who did what).
    public func verifyAudit(visit: ((_ seq: Int64, _ event: CaseEvent) -> Void)? = nil) throws -> AuditReport {
        try vault.vault.withMemoryMappedReads { try verifyAudit(db: $0, visit: visit) }
    }

    private func verifyAudit(db: Database, visit: ((_ seq: Int64, _ event: CaseEvent) -> Void)?) throws -> AuditReport {
        if let slot = vault.vault.damaged(try Keyslot.fetchAll(db), master: vault.key, unlockedBy: vault.slotID).first {
            return AuditReport(
                events: 0, cases: 0,
                firstBreak:
                    "the keyslot \(slot.name) is damaged: its salt, cost, wrapped key or label was changed outside cases, so it may no longer open the vault"
            )
        }
        var walk = ChainWalk()
        let digests = try UniversalHash()
        if let why = try walkChain(db, &walk, digests: digests, visit: visit) { return walk.broken(why) }
        if let why = try replayCases(db, &walk, digests: digests) { return walk.broken(why) }
        if let orphan = walk.trails.keys.first {
            return walk.broken("case \(orphan) has events but no record: it was deleted outside cases")
        }
        var report = AuditReport(
            events: Int(walk.expectedSeq - 1), cases: walk.seen, firstBreak: nil, eventsByActor: walk.byActor,
            vaultEvents: walk.vaultEvents)
        if let anchor = vault.anchor {
            switch try anchor.compare(db) {
            case .behind(let f): report.rollback = f
            case .damaged: report.damagedAnchor = anchor.path
            case .consistent, .unrecorded: break
            }
        }
        return report
    }

    /// Rows of the log or cases read and checked together.
    static let auditChunk = 2048

    /// Whether `mac` is the chain's MAC of the row numbered `seq` after the row whose MAC is
    /// `previous` (``chainMAC(previous:seq:sealed:key:)``), computed and compared in place.
    static func chainHolds(
        previous: UnsafeRawBufferPointer, seq: Int64, sealed: UnsafeRawBufferPointer,
        mac: UnsafeRawBufferPointer, key: SecretBytes
    ) -> Bool {
        var seqBytes = UInt64(bitPattern: seq).bigEndian
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { out in
            withUnsafeBytes(of: &seqBytes) { s in KeyedHash.mac([previous, s, sealed], key: key, into: out) }
            return constantTimeEqual(UnsafeRawBufferPointer(out), mac)
        }
    }
}
