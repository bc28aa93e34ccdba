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

    static let snapshotTable = "case_snapshot"
    static let eventTable = "event"

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
        guard let row = try Row.fetchOne(db, sql: "SELECT write_tag, sealed FROM case_snapshot WHERE case_id = ?", arguments: [id.compact]) else {
            throw CaseError.notFound(id)
        }
        return (try openSnapshot(id: id, sealed: row["sealed"]), row["write_tag"])
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

    /// Rewrites an existing case's row where it still carries `previousTag`, with a new random
    /// write tag (16 bytes, whatever the case: a counter would tell how active the case is).
    func store(_ db: Database, _ c: CaseFile, previousTag: Data) throws {
        let (sealed, summary) = try sealCase(c)
        try db.execute(sql: "UPDATE case_snapshot SET write_tag = randomblob(16), summary = ?, sealed = ? WHERE case_id = ? AND write_tag = ?",
                       arguments: [summary, sealed, c.id.compact, previousTag])
        guard db.changesCount == 1 else { throw CaseError.conflict(c.id) }
    }

    /// Inserts a new case's row: a random row key (the table's order says nothing about when
    /// cases were opened) and a random write tag (SQLite's generator, seeded by the system's).
    static let insertCaseSQL = "INSERT INTO case_snapshot (row_key, case_id, write_tag, summary, sealed) VALUES (random(), ?, randomblob(16), ?, ?)"

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
            if let to = target, to < from || (from == .closed && to != .closed) {
                guard let reason = document.reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
                    throw InputError.missing(["reason (why the case goes back to \(to.rawValue))"])
                }
                var e = newEvent(id, .movedBack)
                e.from = from; e.to = to; e.reason = reason
                e.principal = document.principal
                return e
            }
            guard let next = from.next else {
                throw CaseError.cannotMove(from: from, to: target ?? from,
                                           why: from == .closed ? "the case is closed; name an earlier stage with --to to reopen it" : "arrival is the last stage; close the case with `cases close`")
            }
            if let to = target, to != next {
                throw CaseError.cannotMove(from: from, to: to, why: to == from ? "the case is already there" : "cases move one stage at a time; the next stage is \(next.rawValue)")
            }
            var e = newEvent(id, .advanced)
            e.from = from; e.to = next
            e.principal = document.principal
            e.assessment = next == .riskAssessment || (document.assessment != nil) ? document.assessment : nil
            e.destination = document.destination
            e.arrival = document.arrival
            e.reason = document.reason
            let candidate = try CaseFile.applying(e, seq: 0, to: c)
            for stage in [from, next] {
                let missing = candidate.missing(forGate: stage)
                if !missing.isEmpty { throw InputError.gateNotMet(stage: stage, missing: missing) }
            }
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
            guard c.stage != .closed else { throw CaseError.cannotMove(from: .closed, to: .closed, why: "the case is already closed") }
            if outcome == .settled && c.stage != .arrival {
                throw CaseError.cannotMove(from: c.stage, to: .closed, why: "a case is settled only after arrival; use another outcome or advance it first")
            }
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
