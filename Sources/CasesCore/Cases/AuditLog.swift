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
    /// which case each event belongs to and where each row of the log ends; the replay pass
    /// holds one chunk of cases at a time. In both, this thread reads a chunk of rows while
    /// every core opens and checks them (the costly part), and the results are then taken in
    /// order, so the break named is the first, exactly as a walk one row at a time would find
    /// it. `visit` sees each event of the chain pass that holds, in order (for a listing of
    /// who did what).
    public func verifyAudit(visit: ((_ seq: Int64, _ event: CaseEvent) -> Void)? = nil) throws -> AuditReport {
        try vault.vault.withMemoryMappedReads { try verifyAudit(db: $0, visit: visit) }
    }

    private func verifyAudit(db: Database, visit: ((_ seq: Int64, _ event: CaseEvent) -> Void)?) throws -> AuditReport {
        if let slot = vault.vault.damaged(try Keyslot.fetchAll(db), master: vault.key, unlockedBy: vault.slotID).first {
            return AuditReport(events: 0, cases: 0, firstBreak: "the keyslot \(slot.name) is damaged: its salt, cost, wrapped key or label was changed outside cases, so it may no longer open the vault")
        }
        var walk = ChainWalk()
        if let why = try walkChain(db, &walk, visit: visit) { return walk.broken(why) }
        if let why = try replayCases(db, &walk) { return walk.broken(why) }
        if let orphan = walk.eventsOf.keys.first {
            return walk.broken("case \(orphan) has events but no record: it was deleted outside cases")
        }
        var report = AuditReport(events: Int(walk.expectedSeq - 1), cases: walk.seen, firstBreak: nil, eventsByActor: walk.byActor,
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

    /// The chain pass: the first break, or nil when every row opens and chains.
    private func walkChain(_ db: Database, _ walk: inout ChainWalk, visit: ((Int64, CaseEvent) -> Void)?) throws -> String? {
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, sealed, mac FROM event ORDER BY seq")
        var previous = Data(count: 32)
        // The whole cases of the chunk before, replayed on other threads while this one reads
        // and checks the next chunk; one chunk at a time, so memory stays flat.
        var pending: WholeReplay?
        defer { pending?.group.wait() } // a break found leaves no thread at work
        while true {
            var chunk: [(seq: Int64, sealed: Data, mac: Data)] = []
            chunk.reserveCapacity(Self.auditChunk)
            while chunk.count < Self.auditChunk, let row = try rows.next() {
                chunk.append((row[0], row[1], row[2]))
            }
            if chunk.isEmpty {
                walk.countActor(nil)
                pending?.finish(into: &walk)
                pending = nil
                return nil
            }
            let rowsRead = chunk
            // Each row's MAC is checked against the MAC stored on the row before, so rows are
            // checked independently; a break is still named at the first row that fails.
            let results = ConcurrentResults<(row: LogRow?, chains: Bool)>(count: chunk.count)
            let (first, key, records, vaultID) = (previous, vault.key.audit, vault.key.records, vault.vault.vaultID)
            Self.inStrides(chunk.count) { indices in
                var opener = SealedRecord.Opener(key: records, vaultID: vaultID, table: Self.eventTable)
                defer { opener.wipe() }
                for i in indices {
                    let row = rowsRead[i]
                    let before = i == 0 ? first : rowsRead[i - 1].mac
                    results[i] = row.sealed.withUnsafeBytes { sealed in
                        let chains = before.withUnsafeBytes { b in
                            row.mac.withUnsafeBytes { Self.chainHolds(previous: b, seq: row.seq, sealed: sealed, mac: $0, key: key) }
                        }
                        return (try? Self.openRow(seq: row.seq, sealed: sealed, with: &opener), chains)
                    }
                }
            }
            var whole: [RowOfOneCase] = []
            for (i, row) in chunk.enumerated() {
                // A row numbered `seq` holds events `seq - n + 1 … seq` (one, or an
                // ``EventGroup``); `n` is sealed, so the row is opened before its place in the
                // log is checked, and its MAC after, so a row deleted from the middle of the log
                // is named as missing.
                let expected = walk.expectedSeq
                if row.seq < expected { return "event \(expected) is missing: the log was cut or reordered" }
                guard let result = results.take(i), let logRow = result.row else {
                    return "event \(row.seq) does not open: it was altered or moved"
                }
                var events: [CaseEvent] = []
                var vaultEvent: VaultEvent?
                switch logRow {
                case .caseEvents(let e): events = e
                case .vault(let v): vaultEvent = v
                }
                if row.seq - Int64(vaultEvent == nil ? events.count : 1) + 1 != expected {
                    return "event \(expected) is missing: the log was cut or reordered"
                }
                guard result.chains else {
                    return "event \(row.seq) does not match its MAC: it or an earlier event was altered, removed or reordered"
                }
                if let vaultEvent {
                    walk.countActor(vaultEvent.actor)
                    walk.vaultEvents.append(NumberedVaultEvent(seq: row.seq, event: vaultEvent))
                    walk.expectedSeq += 1
                }
                // By index, never `for event in events`: an event is large, and each copy
                // retains every one of its fields.
                if !events.isEmpty, events[0].caseId != .vaultWide, events.indices.allSatisfy({ events[$0].caseId == events[0].caseId }) {
                    whole.append(RowOfOneCase(id: events[0].caseId, first: expected, events: events))
                }
                for k in events.indices {
                    // An event about the vault (a weak passphrase let through) is checked by the
                    // chain and listed, and belongs to no case.
                    let vaultWide = events[k].kind.isVaultWide
                    if vaultWide != (events[k].caseId == .vaultWide) {
                        return "event \(walk.expectedSeq) does not fit the case it belongs to"
                    }
                    if !vaultWide { walk.eventsOf[events[k].caseId, default: []].append(walk.expectedSeq) }
                    walk.countActor(events[k].actor)
                    if let visit { visit(walk.expectedSeq, events[k]) }
                    walk.expectedSeq += 1
                }
                walk.rowEnds.append(row.seq)
            }
            previous = chunk[chunk.count - 1].mac
            let started = try replayWhole(db, whole)
            pending?.finish(into: &walk)
            pending = started
        }
    }

    /// Replays, while their row is open, the cases whose every event is in one row (an imported
    /// case not changed since, or a case with one event), so the replay pass need not open that
    /// row again. Records only the cases that hold; any doubt (the case's record lists other
    /// events, does not open, does not match) leaves the case to the replay pass, which names
    /// the break exactly as it would have anyway.
    private func replayWhole(_ db: Database, _ rows: [RowOfOneCase]) throws -> WholeReplay {
        let statement = try db.cachedStatement(sql: "SELECT sealed, summary FROM case_snapshot WHERE case_id = ?")
        var found: [(row: RowOfOneCase, sealed: Data, summary: Data?)] = []
        found.reserveCapacity(rows.count)
        for row in rows {
            guard let stored = try Row.fetchOne(statement, arguments: [row.id.compact]) else { continue }
            found.append((row, stored[0], stored[1]))
        }
        let read = found
        let replay = WholeReplay(found.map { ($0.row.id, $0.row.first) })
        let (key, vaultID, holds) = (vault.key.records, vault.vault.vaultID, replay.holds)
        DispatchQueue.global().async(group: replay.group) { Self.inStrides(read.count) { indices in
            var snapshots = SealedRecord.Opener(key: key, vaultID: vaultID, table: Self.snapshotTable)
            var summaries = SealedRecord.Opener(key: key, vaultID: vaultID, table: Self.summaryTable)
            defer {
                snapshots.wipe()
                summaries.wipe()
            }
            for i in indices {
                holds[i] = Self.holdsWhole(read[i].row, sealed: read[i].sealed, summary: read[i].summary, &snapshots, &summaries)
            }
        } }
        return replay
    }

    /// Whether replaying `row`'s events gives exactly the case sealed in `sealed` and `summary`.
    /// The case its events give, encoded, must be byte for byte what is sealed (which also
    /// proves it lists exactly these events); encoding is cheaper than decoding. Any
    /// difference, even one an earlier build's encoding explains, is left to the replay pass.
    private static func holdsWhole(_ row: RowOfOneCase, sealed: Data, summary: Data?,
                                   _ snapshots: inout SealedRecord.Opener, _ summaries: inout SealedRecord.Opener) -> Bool {
        guard let summary, !row.events.isEmpty, var replayed = try? CaseFile.applying(row.events[0], seq: row.first, to: nil) else { return false }
        for n in row.events.indices.dropFirst() {
            // In place: `applying` would copy the case, and its lists with it, at each event.
            guard (try? replayed.apply(row.events[n], seq: row.first + Int64(n))) != nil else { return false }
        }
        var encoded = replayed.binaryEncoded()
        var encodedSummary = CaseSummary(replayed).encoded()
        defer {
            encoded.wipe()
            encodedSummary.wipe()
        }
        let id = row.id.compact
        func same(_ plain: UnsafeBufferPointer<UInt8>, _ expected: [UInt8]) -> Bool {
            guard plain.count == expected.count, let p = plain.baseAddress else { return plain.count == expected.count }
            return expected.withUnsafeBufferPointer { e in e.baseAddress.map { memcmp(p, $0, plain.count) == 0 } ?? false }
        }
        return (try? sealed.withUnsafeBytes { try snapshots.open($0, row: id) { same($0, encoded) } }) == true
            && (try? summary.withUnsafeBytes { try summaries.open($0, row: id) { same($0, encodedSummary) } }) == true
    }

    /// The replay pass: the first case that does not match its events, or nil.
    private func replayCases(_ db: Database, _ walk: inout ChainWalk) throws -> String? {
        // In the table's own order (its random row key), as a walk one row at a time reads it.
        let cases = try String.fetchCursor(db, sql: "SELECT case_id FROM case_snapshot ORDER BY row_key")
        let caseRow = try db.makeStatement(sql: "SELECT sealed, summary FROM case_snapshot WHERE case_id = ?")
        let eventRow = try db.makeStatement(sql: "SELECT sealed FROM event WHERE seq = ?")
        while true {
            var chunk: [CaseToReplay] = []
            chunk.reserveCapacity(Self.auditChunk)
            while chunk.count < Self.auditChunk, let text = try cases.next() {
                let id = CaseID(parsing: text)
                // Replayed whole in the chain pass, and no other row of the log holds its events.
                if let id, let first = walk.replayed[id], let seqs = walk.eventsOf[id], seqs.first == first,
                   seqs.last.map({ walk.rowEnd(holding: first) == $0 }) == true {
                    chunk.append(CaseToReplay(text: text, holds: true))
                    continue
                }
                guard let stored = try Row.fetchOne(caseRow, arguments: [text]) else { continue }
                var c = CaseToReplay(text: text, sealed: stored[0], summary: stored[1])
                if let id {
                    c.eventSeqs = walk.eventsOf[id] ?? []
                    // The rows holding its events (each found once), as the chain pass saw them.
                    for seq in c.eventSeqs {
                        guard let end = walk.rowEnd(holding: seq) else { continue }
                        if c.rows.last?.seq != end, !c.rows.contains(where: { $0.seq == end }),
                           let sealed = try Data.fetchOne(eventRow, arguments: [end]) {
                            c.rows.append((end, sealed))
                        }
                    }
                }
                chunk.append(c)
            }
            if chunk.isEmpty { return nil }
            let failures = ConcurrentResults<String>(count: chunk.count)
            let casesRead = chunk
            Self.inStrides(chunk.count) { indices in
                for i in indices { failures[i] = casesRead[i].holds ? nil : replayFailure(casesRead[i]) }
            }
            for (i, c) in chunk.enumerated() {
                if let why = failures.take(i) { return why }
                if let id = CaseID(parsing: c.text) { walk.eventsOf[id] = nil }
                walk.seen += 1
            }
        }
    }

    /// Why a case does not match its events, or nil when it does.
    private func replayFailure(_ c: CaseToReplay) -> String? {
        guard let id = CaseID(parsing: c.text) else { return "a case row has a malformed id" }
        guard let stored = try? openSnapshot(id: id, sealed: c.sealed) else { return "case \(id) failed its integrity check" }
        var replayed: CaseFile?
        var opened: [Int64: [CaseEvent]] = [:]
        for seq in c.eventSeqs {
            guard let row = c.rows.first(where: { $0.seq >= seq }) else { return "event \(seq) does not fit case \(id)" }
            if opened[row.seq] == nil { opened[row.seq] = try? openEvents(seq: row.seq, sealed: row.sealed, caseID: nil) }
            guard let events = opened[row.seq] else { return "event \(seq) does not fit case \(id)" }
            let index = Int(seq - (row.seq - Int64(events.count) + 1))
            guard events.indices.contains(index), let next = try? CaseFile.applying(events[index], seq: seq, to: replayed) else {
                return "event \(seq) does not fit case \(id)"
            }
            replayed = next
        }
        return mismatch(id, stored: stored, replayed: replayed, summary: c.summary)
    }

    /// Why a case's stored record, or its sealed summary, does not match the case its events
    /// give, or nil when both do.
    private func mismatch(_ id: CaseID, stored: CaseFile, replayed: CaseFile?, summary: Data?) -> String? {
        guard replayed == stored else { return "case \(id) does not match its events: its record was replaced or rolled back" }
        if let summary {
            guard let opened = try? openSummary(id: id, sealed: summary), opened == CaseSummary(stored) else {
                return "the summary of case \(id) does not match the case"
            }
        }
        return nil
    }

    /// Splits `0..<count` into strides, and calls `body` with each on every core at once (so
    /// each run makes its buffers once, for all of its indices).
    private static func inStrides(_ count: Int, _ body: @Sendable (StrideTo<Int>) -> Void) {
        let runs = min(count, max(ProcessInfo.processInfo.activeProcessorCount, 1) * 2)
        DispatchQueue.concurrentPerform(iterations: runs) { run in body(stride(from: run, to: count, by: runs)) }
    }

    /// Whether `mac` is the chain's MAC of the row numbered `seq` after the row whose MAC is
    /// `previous` (``chainMAC(previous:seq:sealed:key:)``), computed and compared in place.
    static func chainHolds(previous: UnsafeRawBufferPointer, seq: Int64, sealed: UnsafeRawBufferPointer,
                           mac: UnsafeRawBufferPointer, key: SecretBytes) -> Bool {
        var seqBytes = UInt64(bitPattern: seq).bigEndian
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { out in
            withUnsafeBytes(of: &seqBytes) { s in KeyedHash.mac([previous, s, sealed], key: key, into: out) }
            return constantTimeEqual(UnsafeRawBufferPointer(out), mac)
        }
    }
}

/// What the audit's chain pass learnt, for the replay pass and the report.
private struct ChainWalk {
    var expectedSeq: Int64 = 1
    var eventsOf: [CaseID: [Int64]] = [:]
    var byActor: [String: Int] = [:]
    var vaultEvents: [NumberedVaultEvent] = []
    /// The number of each row of the log, in order: the last event each holds.
    var rowEnds: [Int64] = []
    /// Cases replayed so far.
    var seen = 0
    /// The cases the chain pass found whole in one row of the log and matching it, each with
    /// its first event's number.
    var replayed: [CaseID: Int64] = [:]

    /// The number of the row holding event `seq`: the first row numbered `seq` or after.
    func rowEnd(holding seq: Int64) -> Int64? {
        var (low, high) = (0, rowEnds.count)
        while low < high {
            let mid = (low + high) / 2
            if rowEnds[mid] < seq { low = mid + 1 } else { high = mid }
        }
        return low < rowEnds.count ? rowEnds[low] : nil
    }

    /// The run of events by one keyslot not yet added to ``byActor``: an import's events are
    /// all by one, and comparing a name costs less than hashing it.
    private var actorRun: (actor: String, count: Int)?

    /// Counts one event by `actor`; nil adds the run counted so far to ``byActor``.
    mutating func countActor(_ actor: String?) {
        if let actor, actorRun?.actor == actor {
            actorRun?.count += 1
            return
        }
        if let run = actorRun { byActor[run.actor, default: 0] += run.count }
        actorRun = actor.map { ($0, 1) }
    }

    func broken(_ why: String) -> AuditReport {
        var walk = self
        walk.countActor(nil)
        return walk.report(why)
    }

    private func report(_ why: String) -> AuditReport {
        AuditReport(events: Int(expectedSeq - 1), cases: eventsOf.count, firstBreak: why, eventsByActor: byActor, vaultEvents: vaultEvents)
    }
}

/// Whole cases being replayed on other threads (``Caseload/replayWhole``): which, and which
/// held once `group` is done.
private final class WholeReplay: Sendable {
    let group = DispatchGroup()
    let cases: [(id: CaseID, first: Int64)]
    let holds: ConcurrentResults<Bool>

    init(_ cases: [(id: CaseID, first: Int64)]) {
        self.cases = cases
        holds = ConcurrentResults(count: cases.count)
    }

    /// Waits for the replays, and records in `walk` the cases that held.
    func finish(into walk: inout ChainWalk) {
        group.wait()
        for (i, c) in cases.enumerated() where holds.take(i) == true { walk.replayed[c.id] = c.first }
    }
}

/// One case row and the rows of the log holding its events, read by the replay pass.
private struct CaseToReplay: Sendable {
    var text: String
    var sealed = Data()
    var summary: Data?
    /// Already found to match its events by the chain pass.
    var holds = false
    var eventSeqs: [Int64] = []
    var rows: [(seq: Int64, sealed: Data)] = []
}

/// A row of the log whose events all belong to one case, numbered from `first`.
private struct RowOfOneCase: Sendable {
    var id: CaseID
    var first: Int64
    var events: [CaseEvent]
}
