import CasesCrypto
import Foundation
import GRDB

/// New cases, one or many: built, sealed on every core, then numbered, chained and inserted in order.
extension Caseload {
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
        var prepared = sealNew(cases)
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
    func makeNew(
        _ d: OpenDocument, id: CaseID, firstSeq: Int64, at: String, today: ISODate, duplicateKey: String?,
        checkStep: ((_ step: HistoryStep, _ from: Stage, _ after: CaseFile) throws -> Void)? = nil
    ) throws -> NewCase {
        var event = newEvent(id, .opened, on: d.openedOn, at: at)
        event.opened = .init(
            principal: d.principal, family: d.family ?? [], caseworker: d.caseworker,
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
    struct PreparedCases: Sendable {
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
        mutating func chain(after previous: Data, key: SecretBytes) throws -> Data {
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
        let rows = try CaseTable.Inserter(db)
        for _ in 0..<count {
            var id = CaseID.random()
            while try taken.contains(id.compact) || rows.contains(id.compact) { id = CaseID.random() }
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
                        let sealedEvents =
                            try cases[i].events.count == 1
                            ? sealer.seal(cases[i].events[0], table: Self.eventTable, row: row)
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
        let events = try EventTable.Inserter(db)
        let cases = try CaseTable.Inserter(db)
        for (i, id) in prepared.ids.enumerated() {
            guard let result = prepared.sealed.take(i) else { throw CaseError.integrity(id) } // unreachable: every slot is set
            let sealed = try result.get()
            guard i < prepared.macs.count else { throw CaseError.integrity(id) } // unreachable: chained first
            try events.insert(seq: sealed.seq, sealed: sealed.events, mac: prepared.macs[i])
            try cases.insert(id, summary: sealed.summary, sealed: sealed.snapshot)
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

}
