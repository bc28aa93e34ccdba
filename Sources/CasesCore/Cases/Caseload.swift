import CasesCrypto
import Foundation
import GRDB

/// Every case in an unlocked vault, and the caseworker's actions on them.
///
/// Each action is one IMMEDIATE transaction: read the case's sealed snapshot, check the
/// expected version (inside the sealed record), validate, append a MAC-chained event, write the
/// new snapshot where the row still carries the write tag read. A write is acknowledged only
/// after its transaction committed.
public struct Caseload: Sendable {
    public let vault: UnlockedVault
    /// Today's date; a parameter so tests can pin it.
    public var today: @Sendable () -> ISODate
    public var clock: @Sendable () -> Date

    static let snapshotTable = CaseTable.name
    static let eventTable = EventTable.name

    public init(vault: UnlockedVault, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.vault = vault
        self.clock = clock
        self.today = { ISODate.today(clock()) }
    }

    var timestamp: String { UTCParts(clock()).iso8601 }

    // MARK: - Reading

    /// Parses an id typed by a caseworker.
    public static func parseID(_ text: String) throws -> CaseID {
        guard let id = CaseID(parsing: text) else { throw CaseError.malformedID(text) }
        return id
    }

    func loadSnapshot(_ db: Database, _ id: CaseID) throws -> CaseFile {
        try loadSnapshotForWrite(db, id).file
    }

    /// The case and the write tag of its row: a write stores only where the row still carries
    /// that tag, so a case changed since it was read is refused, never overwritten.
    func loadSnapshotForWrite(_ db: Database, _ id: CaseID) throws -> (file: CaseFile, tag: Data) {
        guard let row = try CaseTable.snapshotForWrite(db, id) else { throw CaseError.notFound(id) }
        return (try openSnapshot(id: id, sealed: row.sealed), row.tag)
    }

    func openSnapshot(id: CaseID, sealed: Data) throws -> CaseFile {
        do {
            let c = try vault.open(CaseFile.self, sealed: sealed, table: Self.snapshotTable, row: id.compact)
            guard c.id == id else { throw CaseError.integrity(id) }
            return c
        } catch CryptoError.authenticationFailed {
            throw CaseError.integrity(id)
        } catch is DecodingError, is RecordMalformed {
            throw CaseError.integrity(id)
        }
    }

    /// The whole case.
    public func show(_ id: CaseID) throws -> CaseFile {
        try vault.vault.read { db in try loadSnapshot(db, id) }
    }

    /// The case's events, oldest first.
    public func history(_ id: CaseID) throws -> [(seq: Int64, event: CaseEvent)] {
        try vault.vault.read { db in
            let c = try loadSnapshot(db, id)
            var reader = EventReader(self, db)
            return try c.eventSeqs.map { seq in
                guard let e = try reader.event(seq, of: id), e.caseId == id else { throw CaseError.integrity(id) }
                return (seq, e)
            }
        }
    }

    // MARK: - Writing

    /// The sealed snapshot and sealed summary of a case.
    func sealCase(_ c: CaseFile) throws -> (snapshot: Data, summary: Data) {
        var sealer = vault.makeSealer()
        return try sealCase(c, with: &sealer)
    }

    func sealCase(_ c: CaseFile, with sealer: inout RecordSealer) throws -> (snapshot: Data, summary: Data) {
        let floor = c.sealedSizeFloor()
        let sealed = try sealer.seal(c, table: Self.snapshotTable, row: c.id.compact, floor: floor.snapshot)
        let summary = try sealer.seal(table: Self.summaryTable, row: c.id.compact, floor: floor.summary) { CaseSummary(c).write(to: &$0) }
        return (sealed, summary)
    }

    /// Rewrites an existing case's row where it still carries `previousTag`.
    func store(_ db: Database, _ c: CaseFile, previousTag: Data) throws {
        let (sealed, summary) = try sealCase(c)
        guard try CaseTable.update(db, c.id, summary: summary, sealed: sealed, previousTag: previousTag) else { throw CaseError.conflict(c.id) }
    }

    /// Applies one event to an existing case inside a transaction, refusing a stale version.
    func change(_ id: CaseID, expectedVersion: Int?, _ makeEvent: (CaseFile) throws -> CaseEvent) throws -> CaseFile {
        try vault.vault.write { db in
            let (current, tag) = try loadSnapshotForWrite(db, id)
            if let v = expectedVersion, v != current.version { throw CaseError.conflict(id) }
            let event = try makeEvent(current)
            let seq = try append(db, event)
            let next = try CaseFile.applying(event, seq: seq, to: current)
            try store(db, next, previousTag: tag)
            return next
        }
    }

    func newEvent(_ id: CaseID, _ kind: CaseEvent.Kind, on: ISODate? = nil, at: String? = nil) -> CaseEvent {
        CaseEvent(caseId: id, kind: kind, at: at ?? timestamp, on: on, actor: vault.actor)
    }

    // MARK: - Actions

    /// Opens a new case and returns its id.
    public func open(_ document: OpenDocument) throws -> CaseID {
        try CaseValidator(today: today()).validate(document)
        return try vault.vault.write { db in try insertNew(db, document) }
    }

    /// Opens many cases in one transaction: all of them, or none if any is invalid.
    public func open(_ documents: [OpenDocument]) throws -> [CaseID] {
        let validator = CaseValidator(today: today())
        for d in documents { try validator.validate(d) }
        return try vault.vault.write { db in
            var ids: [CaseID] = []
            for start in stride(from: 0, to: documents.count, by: Self.batchSize) {
                ids += try insertNew(db, Array(documents[start..<min(documents.count, start + Self.batchSize)]))
            }
            return ids
        }
    }
    /// Moves a case one stage forward (`to` nil or the next stage) once the gates hold, or back
    /// to an earlier stage with a reason.
    public func advance(_ id: CaseID, to target: Stage? = nil, document: AdvanceDocument, expectedVersion: Int? = nil) throws -> CaseFile {
        let validator = CaseValidator(today: today())
        try validator.validate(document)
        return try change(id, expectedVersion: expectedVersion) { c in
            let from = c.stage
            let move = try StageTransition.check(from: from, to: target, reason: document.reason)
            if case .back(let to) = move {
                var e = newEvent(id, .movedBack)
                e.from = from; e.to = to; e.reason = document.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
                e.principal = document.principal
                return e
            }
            let next = move.stage
            var e = newEvent(id, .advanced)
            e.from = from; e.to = next
            e.principal = document.principal
            e.assessment = next == .riskAssessment || (document.assessment != nil) ? document.assessment : nil
            e.destination = document.destination
            e.arrival = document.arrival
            e.reason = document.reason
            let candidate = try CaseFile.applying(e, seq: 0, to: c)
            try move.checkGates(after: candidate)
            try validator.checkChronology(candidate)
            return e
        }
    }

    /// Adds a note (free text; comes from an editor, a prompt or stdin, never argv).
    public func note(_ id: CaseID, text: String) throws -> CaseFile {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw InputError.empty }
        return try change(id, expectedVersion: nil) { _ in
            var e = newEvent(id, .noted)
            e.note = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return e
        }
    }

    /// Closes a case with an outcome. `settled` needs the case to have arrived.
    public func close(_ id: CaseID, outcome: Outcome, reason: String? = nil) throws -> CaseFile {
        try change(id, expectedVersion: nil) { c in
            _ = try StageTransition.check(from: c.stage, to: .closed, outcome: outcome)
            var e = newEvent(id, .closed)
            e.from = c.stage; e.outcome = outcome; e.reason = reason
            return e
        }
    }

    /// Records a new risk assessment without changing the stage.
    public func assess(_ id: CaseID, _ assessment: RiskAssessment) throws -> CaseFile {
        let validator = CaseValidator(today: today())
        try validator.validate(AdvanceDocument(assessment: assessment))
        return try change(id, expectedVersion: nil) { c in
            var e = newEvent(id, .assessed)
            e.assessment = assessment
            let candidate = try CaseFile.applying(e, seq: 0, to: c)
            let missing = candidate.missing(forGate: .riskAssessment)
            if !missing.isEmpty { throw InputError.missing(missing) }
            return e
        }
    }

    /// Records a follow-up contact after arrival.
    public func checkIn(_ id: CaseID, _ checkin: CheckIn) throws -> CaseFile {
        try CaseValidator(today: today()).notFuture(checkin.on, "checkin.on")
        return try change(id, expectedVersion: nil) { c in
            guard c.stage == .arrival else { throw CaseError.notArrived(id) }
            var e = newEvent(id, .checkedIn)
            e.checkin = checkin
            return e
        }
    }

    /// Open cases that need a caseworker now, each with the reasons why, most urgent first.
    public func due(checkinDays: Int = 14, idleDays: Int = 14) throws -> (due: [(CaseSummary, [String])], damaged: [String]) {
        let (cases, damaged) = try list()
        let now = today()
        let due = cases.compactMap { c -> (CaseSummary, [String])? in
            let why = c.overdueReasons(today: now, checkinDays: checkinDays, idleDays: idleDays)
            return why.isEmpty ? nil : (c, why)
        }
        return (due.sorted { ($0.1.count, $1.0.lastActivityAt) > ($1.1.count, $0.0.lastActivityAt) }, damaged)
    }

    // MARK: - Duplicates

    /// A keyed hash of the folded name and birth year: equal for probable duplicates, meaningless
    /// without the vault's key.
    func duplicateKey(for p: Principal) -> String? {
        guard let name = p.fullName, !name.isEmpty else { return nil }
        let year = p.birthYear ?? p.birthDate?.year ?? 0
        return Data(KeyedHash.mac([NameFolding.folded(name), Array("|\(year)".utf8)], key: vault.key.blindIndex, length: 16)).hexString
    }
}
