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

    /// The associated-data name of sealed summaries: the column they live in, so that a summary
    /// and the sealed case beside it (table `case_snapshot`, the same row) never share one.
    static let summaryTable = "case_snapshot.summary"

    /// Cases matching `filter`, newest activity first, and the ids of any that failed their
    /// integrity check (listed so the caseworker knows, never silently skipped).
    ///
    /// Reads each case's small sealed summary (falling back to the whole snapshot for a case
    /// written before summaries existed) and opens them on every core at once.
    public func list(_ filter: CaseFilter = CaseFilter()) throws -> (cases: [CaseSummary], damaged: [String]) {
        let now = today()
        var (cases, damaged) = try vault.vault.read { db in
            try summaries(db) { filter.matches($0, today: now) ? $0 : nil }
        }
        cases.sort { ($0.lastActivityAt, $0.id.compact) > ($1.lastActivityAt, $1.id.compact) }
        return (cases, damaged)
    }

    /// Every case's summary, in no particular order, and the ids of cases that did not open.
    func summaries(_ db: Database) throws -> (cases: [CaseSummary], damaged: [String]) {
        try summaries(db) { $0 }
    }

    /// What `keep` makes of each case's summary (nil leaves the case out), in no particular
    /// order, and the ids of cases that did not open. `keep` runs on the threads that open the
    /// summaries, so a filter or a smaller record keeps memory to what is kept.
    func summaries<T>(_ db: Database, keep: @escaping @Sendable (CaseSummary) -> T?) throws -> (cases: [T], damaged: [String]) {
        // Fetching and opening overlap: this thread reads the next chunk of rows while other
        // threads open the chunks already read.
        let group = DispatchGroup()
        let workers = DispatchQueue(label: "cases.summaries", attributes: .concurrent)
        var chunks: [SummaryChunk<T>] = []
        let (key, vaultID) = (vault.key.records, vault.vault.vaultID)
        let cursor = try Row.fetchCursor(db, sql: "SELECT case_id, summary FROM case_snapshot WHERE summary IS NOT NULL")
        while true {
            let rows = try PackedRows.fetch(cursor, limit: 4096)
            if rows.count == 0 { break }
            let chunk = SummaryChunk<T>(rows)
            chunks.append(chunk)
            workers.async(group: group) {
                var opener = SealedRecord.Opener(key: key, vaultID: vaultID, table: Self.summaryTable)
                defer { opener.wipe() }
                for i in 0..<rows.count {
                    let summary = CaseID(parsing: rows.ids[i]).flatMap { id in
                        rows.withSealed(i) { sealed in
                            try? opener.open(sealed, row: id.compact) { plain in try CaseSummary(decoding: plain, expected: id) }
                        }
                    }
                    if let summary {
                        if let kept = keep(summary) { chunk.kept.append(kept) }
                    } else {
                        chunk.failed.append(i)
                    }
                }
            }
        }
        // A case written before summaries existed, or whose summary is missing, is read whole.
        // Counting the snapshots' unique index is cheap; the search runs only on a mismatch.
        let fetched = chunks.reduce(0) { $0 + $1.rows.count }
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM case_snapshot") ?? 0
        let legacy = total == fetched ? [] : try Row.fetchAll(db, sql: "SELECT case_id, sealed FROM case_snapshot WHERE summary IS NULL")
        group.wait()

        var cases: [T] = []
        var damaged: [String] = []
        for chunk in chunks {
            cases += chunk.kept
            damaged += chunk.failed.map { Self.displayID(chunk.rows.ids[$0]) }
        }
        for row in legacy {
            let text: String = row["case_id"]
            if let id = CaseID(parsing: text), let c = try? openSnapshot(id: id, sealed: row["sealed"]) {
                if let kept = keep(CaseSummary(c)) { cases.append(kept) }
            } else {
                damaged.append(Self.displayID(text))
            }
        }
        return (cases, damaged.sorted())
    }

    /// A stored id as a caseworker reads it, or as it is when it does not parse.
    static func displayID(_ text: String) -> String { CaseID(parsing: text)?.description ?? text }

    func openSummary(id: CaseID, sealed: Data) throws -> CaseSummary {
        try sealed.withUnsafeBytes { try openSummary(id: id, sealed: $0) }
    }

    func openSummary(id: CaseID, sealed: UnsafeRawBufferPointer) throws -> CaseSummary {
        guard var plain = try? SealedRecord.open(sealed, key: vault.key.records, vaultID: vault.vault.vaultID, table: Self.summaryTable, row: id.compact) else {
            throw CaseError.integrity(id)
        }
        defer { plain.wipe() }
        guard let s = try? CaseSummary(decoding: plain, expected: id) else {
            throw CaseError.integrity(id)
        }
        return s
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

    /// Appends `event` to the chained log and returns its sequence number.
    func append(_ db: Database, _ event: CaseEvent) throws -> Int64 {
        let tip = try chainTip(db)
        let seq = tip.seq + 1
        _ = try insertEvent(db, seq: seq, sealed: try vault.seal(event, table: Self.eventTable, row: String(seq)), after: tip.mac)
        return seq
    }

    /// The last event's number and MAC (0 and zeros for an empty log): where the chain goes on.
    func chainTip(_ db: Database) throws -> (seq: Int64, mac: Data) {
        let last = try Row.fetchOne(db, sql: "SELECT seq, mac FROM event ORDER BY seq DESC LIMIT 1")
        return (last?["seq"] ?? 0, last?["mac"] ?? Data(count: 32))
    }

    /// Inserts one sealed event chained to the MAC before it, and returns its own MAC.
    func insertEvent(_ db: Database, seq: Int64, sealed: Data, after previous: Data) throws -> Data {
        let mac = Self.chainMAC(previous: previous, seq: seq, sealed: sealed, key: vault.key.audit)
        try db.cachedStatement(sql: "INSERT INTO event (seq, sealed, mac) VALUES (?, ?, ?)").execute(arguments: [seq, sealed, mac])
        return mac
    }

    /// The keyed BLAKE2b of `previous ‖ seq (8 bytes, big-endian) ‖ sealed`.
    static func chainMAC(previous: Data, seq: Int64, sealed: Data, key: SecretBytes) -> Data {
        var seqBytes = UInt64(bitPattern: seq).bigEndian
        var mac = Data(count: 32)
        mac.withUnsafeMutableBytes { out in
            previous.withUnsafeBytes { p in
                withUnsafeBytes(of: &seqBytes) { s in
                    sealed.withUnsafeBytes { b in KeyedHash.mac([p, s, b], key: key, into: out) }
                }
            }
        }
        return mac
    }

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

    /// Cases sealed together by ``insertNew(_:_:)``: enough to keep both cores busy, few enough
    /// that a batch's sealed records stay small in memory.
    static let batchSize = 256

    func insertNew(_ db: Database, _ document: OpenDocument) throws -> CaseID {
        try insertNew(db, [document])[0]
    }

    /// Stores new cases, each with its opening event and one event per imported past stage.
    ///
    /// Building, encoding and sealing every record runs on all cores; only the steps that
    /// depend on order run in turn: choosing unused ids, numbering events, and chaining each
    /// event's MAC to the one before as the rows are inserted.
    func insertNew(_ db: Database, _ documents: [OpenDocument]) throws -> [CaseID] {
        let ids = try chooseIDs(db, count: documents.count)
        let tip = try chainTip(db)
        let (at, today) = (timestamp, today())
        var seq = tip.seq + 1
        let cases = try zip(documents, ids).map { document, id in
            let c = try makeNew(document, id: id, firstSeq: seq, at: at, today: today, duplicateKey: duplicateKey(for: document.principal))
            seq += Int64(c.events.count)
            return c
        }
        let prepared = sealNew(cases)
        _ = try prepared.chain(after: tip.mac, key: vault.key.audit)
        try insert(db, prepared)
        return prepared.ids
    }

    /// A new case as it is stored: its opening event, one event per step of its imported past,
    /// and the case they make.
    struct NewCase: Sendable {
        var events: [CaseEvent]
        var file: CaseFile

        /// Puts the case under `id`, its events numbered from `firstSeq`: for a case built
        /// before its id was chosen (an import checks each row on other threads first). Gives
        /// what ``Caseload/makeNew(_:id:firstSeq:at:today:duplicateKey:checkStep:)`` would
        /// have with that id and numbering (tested): the id and the numbers are all that
        /// depend on them.
        mutating func renumber(id: CaseID, firstSeq: Int64) {
            for i in events.indices { events[i].caseId = id }
            file.id = id
            for i in file.eventSeqs.indices { file.eventSeqs[i] = firstSeq + Int64(i) }
        }
    }

    /// Builds a new case from its document, its events numbered from `firstSeq`, recorded `at`,
    /// opened `today` unless the document says when. `checkStep` sees each step of the past with
    /// the stage the case was at and the case after it, and may refuse it (the import's gate
    /// checks).
    func makeNew(_ d: OpenDocument, id: CaseID, firstSeq: Int64, at: String, today: ISODate, duplicateKey: String?,
                 checkStep: ((_ step: HistoryStep, _ from: Stage, _ after: CaseFile) throws -> Void)? = nil) throws -> NewCase {
        var event = newEvent(id, .opened, on: d.openedOn, at: at)
        event.opened = .init(principal: d.principal, family: d.family ?? [], caseworker: d.caseworker,
                             openedOn: d.openedOn ?? today, duplicateKey: duplicateKey)
        event.note = d.notes.flatMap { $0.isEmpty ? nil : $0 }
        var c = try CaseFile.applying(event, seq: firstSeq, to: nil)
        var events = [event]
        let steps = d.history ?? []
        events.reserveCapacity(1 + steps.count)
        var seq = firstSeq
        // Imported history: each past stage change is its own event, dated when it happened.
        for step in steps {
            seq += 1
            let from = c.stage
            let e = try historyEvent(step, for: c, at: at)
            try c.apply(e, seq: seq)
            try checkStep?(step, from, c)
            events.append(consume e)
        }
        return NewCase(events: events, file: c)
    }

    /// New cases sealed, numbered and (after ``chain(after:key:)``) MAC-chained, ready for
    /// ``Caseload/insert(_:_:)``.
    final class PreparedCases: @unchecked Sendable {
        struct Sealed {
            /// The case's events as one row of the log: its opening alone, or its opening and
            /// its past as an ``EventGroup``; `seq` is the last event's number.
            var seq: Int64
            var events: Data
            var snapshot: Data
            var summary: Data
        }
        let ids: [CaseID]
        fileprivate let sealed: ConcurrentResults<Result<Sealed, any Error>>
        /// Each case's event row's MAC, once chained.
        fileprivate var macs: [Data] = []
        var count: Int { ids.count }

        fileprivate init(ids: [CaseID], sealed: ConcurrentResults<Result<Sealed, any Error>>) {
            (self.ids, self.sealed) = (ids, sealed)
        }

        /// Computes each case's event row's MAC, chained from `previous` (the MAC of the row
        /// before the first), in order; returns the last row's MAC. Throws the first case's
        /// sealing error.
        func chain(after previous: Data, key: SecretBytes) throws -> Data {
            var mac = previous
            macs = []
            macs.reserveCapacity(count)
            for i in 0..<count {
                mac = try sealed.withValue(i) { result in
                    switch result {
                    case .success(let s)?: Caseload.chainMAC(previous: mac, seq: s.seq, sealed: s.events, key: key)
                    case .failure(let error)?: throw error
                    case nil: throw CaseError.integrity(ids[i]) // unreachable: every slot is set
                    }
                }
                macs.append(mac)
            }
            return mac
        }
    }

    /// `count` new random case ids, in use by no case in the vault nor in `taken` (the ids of
    /// cases sealed but not inserted yet), nor repeated.
    func chooseIDs(_ db: Database, count: Int, taken: Set<String> = []) throws -> [CaseID] {
        var chosen: [CaseID] = []
        var taken = taken
        let exists = try RawStatement(db, sql: "SELECT 1 FROM case_snapshot WHERE case_id = ?")
        for _ in 0..<count {
            var id = CaseID.random()
            while try taken.contains(id.compact) || exists.firstInt(.text(id.compact)) != nil { id = CaseID.random() }
            taken.insert(id.compact)
            chosen.append(id)
        }
        return chosen
    }

    /// Seals new cases (their ids chosen, their events numbered) on every core. Touches no
    /// database: the caller inserts them, in order, before anything else appends an event.
    func sealNew(_ cases: [NewCase]) -> PreparedCases {
        let prepared = ConcurrentResults<Result<PreparedCases.Sealed, any Error>>(count: cases.count)
        // A few runs of cases per core, each with one sealer (its buffers and nonces reused).
        let runs = min(cases.count, 8)
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            var sealer = vault.makeSealer()
            cases.withUnsafeBufferPointer { cases in // read in place: binding `cases[i]` copied each case
                for i in stride(from: run, to: cases.count, by: runs) {
                    prepared[i] = Result {
                        // All of a new case's events go in one row (``EventGroup``), numbered as its last.
                        let seq = try required(cases[i].file.eventSeqs.last)
                        let row = String(seq)
                        let sealedEvents = try cases[i].events.count == 1 ? sealer.seal(cases[i].events[0], table: Self.eventTable, row: row)
                            : sealer.seal(EventGroup(events: cases[i].events), table: Self.eventTable, row: row) // shares the array, copies no event
                        let (snapshot, summary) = try sealCase(cases[i].file, with: &sealer)
                        return PreparedCases.Sealed(seq: seq, events: sealedEvents, snapshot: snapshot, summary: summary)
                    }
                }
            }
        }
        return PreparedCases(ids: cases.map(\.file.id), sealed: prepared)
    }

    /// Writes prepared and chained cases (``PreparedCases/chain(after:key:)``).
    func insert(_ db: Database, _ prepared: PreparedCases) throws {
        let insertEvent = try RawStatement(db, sql: "INSERT INTO event (seq, sealed, mac) VALUES (?, ?, ?)")
        let insertCase = try RawStatement(db, sql: Self.insertCaseSQL)
        for (i, id) in prepared.ids.enumerated() {
            guard let result = prepared.sealed.take(i) else { throw CaseError.integrity(id) } // unreachable: every slot is set
            let sealed = try result.get()
            guard i < prepared.macs.count else { throw CaseError.integrity(id) } // unreachable: chained first
            try insertEvent.run(.int(sealed.seq), .blob(sealed.events), .blob(prepared.macs[i]))
            try insertCase.run(.text(id.compact), .blob(sealed.summary), .blob(sealed.snapshot))
        }
    }

    func historyEvent(_ step: HistoryStep, for c: CaseFile, at: String) throws -> CaseEvent {
        if step.stage == .closed {
            var e = newEvent(c.id, .closed, on: step.on, at: at)
            e.from = c.stage
            e.outcome = step.outcome
            e.reason = step.reason
            return e
        }
        var e = newEvent(c.id, step.stage > c.stage ? .advanced : .movedBack, on: step.on, at: at)
        e.from = c.stage
        e.to = step.stage
        e.assessment = step.assessment
        e.destination = step.destination
        e.arrival = step.arrival
        e.reason = step.reason
        return e
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

/// A name as the duplicate key compares it: case and diacritics folded (Foundation's
/// `folding`), split at whitespace and hyphens, the parts joined by one space; as UTF-8.
///
/// Foundation's folding and splitting at `Character`s were a tenth of checking an imported row.
/// A name made only of ASCII and basic Cyrillic (U+0000–U+045F, where every scalar is a
/// character of its own, but for CR LF) is folded one scalar at a time from a table that
/// Foundation's own folding filled; any other name takes Foundation's path. Tested equal on
/// every scalar of the table and on generated names.
enum NameFolding {
    static func folded(_ name: String) -> [UInt8] {
        fast(name) ?? reference(name)
    }

    /// Foundation's folding, the definition.
    static func reference(_ name: String) -> [UInt8] {
        Array(name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: { $0.isWhitespace || $0 == "-" }).joined(separator: " ").utf8)
    }

    /// The table's path, or nil for a name with a scalar outside it.
    static func fast(_ name: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        var pendingSpace = false
        for scalar in name.unicodeScalars {
            guard Int(scalar.value) < table.count else { return nil }
            switch table[Int(scalar.value)] {
            case .unknown: return nil
            case .separator: pendingSpace = !out.isEmpty
            case .folded(let bytes):
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out += bytes
            }
        }
        return out
    }

    enum Entry { case separator, folded([UInt8]), unknown }

    /// What Foundation makes of each scalar alone: a separator, folded bytes holding no
    /// separator, or (anything else) unknown.
    static let table: [Entry] = (0..<0x460).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return .unknown }
        // A mark joins the character before it into one, which the scalar-wise path cannot follow.
        let p = scalar.properties
        if p.isGraphemeExtend || [.nonspacingMark, .spacingMark, .enclosingMark].contains(p.generalCategory) { return .unknown }
        let folded = String(Character(scalar)).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        if folded.count == 1, let c = folded.first, c.isWhitespace || c == "-" { return .separator }
        if folded.isEmpty || folded.contains(where: { $0.isWhitespace || $0 == "-" }) { return .unknown }
        return .folded(Array(folded.utf8))
    }
}

/// Which cases `list` shows.
public struct CaseFilter: Sendable {
    public var stage: Stage?
    public var destination: String?
    public var segment: Segment?
    public var overdue = false

    public init(stage: Stage? = nil, destination: String? = nil, segment: Segment? = nil, overdue: Bool = false) {
        self.stage = stage
        self.destination = destination
        self.segment = segment
        self.overdue = overdue
    }

    func matches(_ c: CaseSummary, today: ISODate) -> Bool {
        if let s = stage, c.stage != s { return false }
        if let d = destination, c.destination != d { return false }
        if let s = segment, c.segment != s { return false }
        if overdue && c.overdueReasons(today: today).isEmpty { return false }
        return true
    }
}

/// One chunk of summary rows and what a worker made of them: written by that one worker, read
/// after the dispatch group's wait.
final class SummaryChunk<Kept>: @unchecked Sendable {
    let rows: PackedRows
    var kept: [Kept] = []
    var failed: [Int] = [] // the rows that did not open
    init(_ rows: PackedRows) { self.rows = rows }
}

/// Rows of `(case_id, sealed)` fetched into one buffer: 100,000 small records without
/// 100,000 allocations, ready to be opened on several threads.
struct PackedRows: @unchecked Sendable {
    var ids: [String] = []
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ids.count }

    /// Up to `limit` more rows from `cursor`.
    static func fetch(_ cursor: RowCursor, limit: Int) throws -> PackedRows {
        var p = PackedRows()
        p.ids.reserveCapacity(limit)
        p.ends.reserveCapacity(limit)
        p.bytes.reserveCapacity(limit * 320) // a summary seals to about 300 bytes
        while p.count < limit, let row = try cursor.next() {
            p.ids.append(row[0])
            try row.withUnsafeData(atIndex: 1) { data in
                if let data { data.withUnsafeBytes { p.bytes.append(contentsOf: $0) } }
            }
            p.ends.append(p.bytes.count)
        }
        return p
    }

    func withSealed<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = i == 0 ? 0 : ends[i - 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[i]])) }
    }
}
