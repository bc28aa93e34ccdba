import CasesCrypto
import Foundation
import GRDB

extension Caseload {
    /// The chain pass: the first break, or nil when every row opens and chains.
    ///
    /// Each row is checked, opened and decoded on a worker, which also replays a case whose
    /// events all sit in that row (an imported case not changed since, or a case with one
    /// event) and keeps only the digest of what it gives. This thread gets back a few facts per
    /// row (how many events, whose, by whom), never the events themselves: building, copying
    /// and freeing whole events here was most of the audit's one-thread time.
    func walkChain(_ db: Database, _ walk: inout ChainWalk, digests: UniversalHash, visit: ((Int64, CaseEvent) -> Void)?) throws -> String? {
        let cursor = try Row.fetchCursor(db, sql: "SELECT seq, sealed, mac FROM event ORDER BY seq")
        var previous = [UInt8](repeating: 0, count: 32)
        let (audit, records, vaultID, keepEvents) = (vault.key.audit, vault.key.records, vault.vault.vaultID, visit != nil)
        let why = try AuditPipeline.run(
            read: { () throws -> LogChunk? in
                guard let rows = try AuditRows<Int64>.fetch(cursor, limit: Self.auditChunk, blobs: 2, key: { try $0.decode(Int64.self, atIndex: 0) })
                else { return nil }
                defer { previous = rows.blob(rows.count - 1, 2) ?? [] }
                return LogChunk(rows: rows, previous: previous)
            },
            count: \.rows.count,
            check: { (chunk: LogChunk, indices: StrideTo<Int>, results: ConcurrentResults<CheckedRow>) in
                var opener = SealedRecord.Opener(key: records, vaultID: vaultID, table: Self.eventTable)
                defer { opener.wipe() }
                for i in indices { results[i] = chunk.check(i, &opener, audit: audit, digests: digests, keepEvents: keepEvents) }
            },
            consume: { chunk, results in
                for i in 0..<chunk.rows.count {
                    if let why = walk.take(seq: chunk.rows.keys[i], results.take(i), visit: visit) { return why }
                }
                return nil
            }
        )
        walk.countActor(nil)
        return why
    }
}

/// A chunk of rows of the log, and the MAC of the row before it.
struct LogChunk: Sendable {
    let rows: AuditRows<Int64>
    let previous: [UInt8]

    private static var none: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    /// Checks row `i`'s MAC against the row before it, then opens it. Each row's MAC is
    /// checked against the MAC stored on the row before, so rows are checked independently.
    func check(_ i: Int, _ opener: inout SealedRecord.Opener, audit: SecretBytes, digests: UniversalHash, keepEvents: Bool) -> CheckedRow {
        let seq = rows.keys[i]
        return rows.withBlob(i, 1) { sealed in
            let sealed = sealed ?? Self.none
            let chains = rows.withBlob(i, 2) { mac in
                if i > 0 {
                    return rows.withBlob(i - 1, 2) {
                        Caseload.chainHolds(previous: $0 ?? Self.none, seq: seq, sealed: sealed, mac: mac ?? Self.none, key: audit)
                    }
                }
                return previous.withUnsafeBytes { Caseload.chainHolds(previous: $0, seq: seq, sealed: sealed, mac: mac ?? Self.none, key: audit) }
            }
            guard let row = try? Caseload.openRow(seq: seq, sealed: sealed, with: &opener) else { return CheckedRow(chains: chains, content: nil) }
            switch row {
            case .vault(let event):
                return CheckedRow(chains: chains, content: .vault(event))
            case .caseEvents(let events):
                guard !events.isEmpty else { return CheckedRow(chains: chains, content: nil) }
                return CheckedRow(
                    chains: chains, content: .events(RowFacts(events, first: seq - Int64(events.count) + 1, digests: digests, keep: keepEvents)))
            }
        }
    }
}

/// What a worker learnt from one row of the log.
struct CheckedRow: Sendable {
    var chains: Bool
    /// Nil when the row does not open.
    var content: Content?

    enum Content: Sendable {
        case vault(VaultEvent)
        case events(RowFacts)
    }
}

/// What the chain pass keeps of a row of a case's events: the events themselves stay on the
/// worker that opened them, unless they are listed (`audit verify --verbose`).
struct RowFacts: Sendable {
    let count: Int
    let firstCase: CaseID
    /// Each event's case, when they are not all `firstCase`'s.
    let cases: [CaseID]?
    let firstActor: String
    /// Each event's keyslot, when they are not all `firstActor`.
    let actors: [String]?
    /// The first event whose kind does not fit its case (one about the vault filed under a
    /// case, or the reverse).
    let misfit: Int?
    /// When every event is `firstCase`'s: the digest of the case and summary they give.
    let digest: CaseDigest?
    let events: [CaseEvent]?

    /// By index, never `for event in events`: an event is large, and each copy retains every
    /// one of its fields.
    init(_ events: [CaseEvent], first: Int64, digests: UniversalHash, keep: Bool) {
        count = events.count
        firstCase = events[0].caseId
        firstActor = events[0].actor
        let oneCase = events.indices.allSatisfy { events[$0].caseId == events[0].caseId }
        cases = oneCase ? nil : events.indices.map { events[$0].caseId }
        actors = events.indices.allSatisfy({ events[$0].actor == events[0].actor }) ? nil : events.indices.map { events[$0].actor }
        misfit = events.indices.first { events[$0].kind.isVaultWide != (events[$0].caseId == .vaultWide) }
        digest = oneCase && firstCase != .vaultWide ? Self.replayed(events, first: first, digests: digests) : nil
        self.events = keep ? events : nil
    }

    /// The digest of the case `events` give and of its summary, each encoded as this build
    /// seals them; nil when they do not give a case.
    private static func replayed(_ events: [CaseEvent], first: Int64, digests: UniversalHash) -> CaseDigest? {
        guard var replayed = try? CaseFile.applying(events[0], seq: first, to: nil) else { return nil }
        for n in events.indices.dropFirst() {
            // In place: `applying` would copy the case, and its lists with it, at each event.
            guard (try? replayed.apply(events[n], seq: first + Int64(n))) != nil else { return nil }
        }
        var encoded = replayed.binaryEncoded()
        var summary = CaseSummary(replayed).encoded()
        defer {
            encoded.wipe()
            summary.wipe()
        }
        return encoded.withUnsafeBytes { e in summary.withUnsafeBytes { CaseDigest(snapshot: e, summary: $0, hash: digests) } }
    }
}

extension ChainWalk {
    /// Takes the checked row numbered `seq`, in order: the break it makes, or nil.
    ///
    /// A row numbered `seq` holds events `seq - n + 1 … seq` (one, or an ``EventGroup``); `n`
    /// is sealed, so the row is opened before its place in the log is checked, and its MAC
    /// after, so a row deleted from the middle of the log is named as missing.
    mutating func take(seq: Int64, _ result: CheckedRow?, visit: ((Int64, CaseEvent) -> Void)?) -> String? {
        let expected = expectedSeq
        if seq < expected { return "event \(expected) is missing: the log was cut or reordered" }
        guard let result, let content = result.content else { return "event \(seq) does not open: it was altered or moved" }
        let count =
            switch content {
            case .vault: 1
            case .events(let facts): facts.count
            }
        if seq - Int64(count) + 1 != expected { return "event \(expected) is missing: the log was cut or reordered" }
        guard result.chains else {
            return "event \(seq) does not match its MAC: it or an earlier event was altered, removed or reordered"
        }
        switch content {
        case .vault(let event):
            countActor(event.actor)
            vaultEvents.append(NumberedVaultEvent(seq: seq, event: event))
            expectedSeq += 1
        case .events(let facts):
            if let digest = facts.digest { replayed[facts.firstCase] = (expected, digest) }
            if let why = add(facts, visit: visit) { return why }
        }
        rowEnds.append(seq)
        return nil
    }

    /// Counts a row's events, each under its case and keyslot.
    private mutating func add(_ facts: RowFacts, visit: ((Int64, CaseEvent) -> Void)?) -> String? {
        if facts.cases == nil, facts.actors == nil, facts.misfit == nil, visit == nil {
            // One case (or only events about the vault) and one keyslot: the whole row at once.
            let run = expectedSeq...(expectedSeq + Int64(facts.count) - 1)
            if facts.firstCase != .vaultWide { addTrail(facts.firstCase, run) }
            countActor(facts.firstActor, times: facts.count)
            expectedSeq += Int64(facts.count)
            return nil
        }
        for k in 0..<facts.count {
            // An event about the vault (a weak passphrase let through) is checked by the chain
            // and listed, and belongs to no case.
            if facts.misfit == k { return "event \(expectedSeq) does not fit the case it belongs to" }
            let id = facts.cases?[k] ?? facts.firstCase
            if id != .vaultWide { addTrail(id, expectedSeq...expectedSeq) }
            countActor(facts.actors?[k] ?? facts.firstActor)
            if let visit, let events = facts.events { visit(expectedSeq, events[k]) }
            expectedSeq += 1
        }
        return nil
    }

    private mutating func addTrail(_ id: CaseID, _ run: ClosedRange<Int64>) {
        if trails[id]?.append(run) == nil { trails[id] = CaseTrail(run) }
    }
}
