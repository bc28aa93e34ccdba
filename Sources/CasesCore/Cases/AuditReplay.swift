import CasesCrypto
import Foundation
import GRDB

extension Caseload {
    /// The replay pass: the first case that does not match its events, or nil.
    ///
    /// Reads the cases in the table's own order (its random row key), as a walk one row at a
    /// time reads it, in one pass without a lookup per case. A case the chain pass replayed
    /// whole is checked against that replay's digest; any doubt (no summary, a record of an
    /// earlier build's encoding, a difference) sends it, like every other case, through
    /// ``replayFailure(_:)``, which opens its rows of the log again and names the break exactly.
    func replayCases(_ db: Database, _ walk: inout ChainWalk, digests: UniversalHash) throws -> String? {
        let cursor = try Row.fetchCursor(db, sql: "SELECT case_id, sealed, summary FROM case_snapshot ORDER BY row_key")
        let eventRow = try db.makeStatement(sql: "SELECT sealed FROM event WHERE seq = ?")
        let (records, vaultID) = (vault.key.records, vault.vault.vaultID)
        return try AuditPipeline.run(
            read: { () throws -> CaseChunk? in
                guard
                    let rows = try AuditRows<String>.fetch(cursor, limit: Self.auditChunk, blobs: 2, key: { try $0.decode(String.self, atIndex: 0) })
                else { return nil }
                var checks: [CaseCheck] = []
                checks.reserveCapacity(rows.count)
                for i in 0..<rows.count {
                    // Only the stored spelling counts: a row renamed to another spelling of its id
                    // would still open, but every lookup by the id would miss it.
                    let id = CaseID(parsing: rows.keys[i]).flatMap { $0.compact == rows.keys[i] ? $0 : nil }
                    // Anything else (no summary, no whole replay in one row) is replayed in full,
                    // which names the break.
                    if let id, rows.withBlob(i, 2, { $0 != nil }), let digest = walk.wholeDigest(of: id) {
                        checks.append(.digest(id, digest))
                    } else {
                        checks.append(.replay(try caseToReplay(rows, i, id, walk, eventRow)))
                    }
                }
                return CaseChunk(rows: rows, checks: checks)
            },
            count: \.rows.count,
            check: { (chunk: CaseChunk, indices: StrideTo<Int>, results: ConcurrentResults<CaseOutcome>) in
                var snapshots = SealedRecord.Opener(key: records, vaultID: vaultID, table: Self.snapshotTable)
                var summaries = SealedRecord.Opener(key: records, vaultID: vaultID, table: Self.summaryTable)
                defer {
                    snapshots.wipe()
                    summaries.wipe()
                }
                for i in indices {
                    switch chunk.checks[i] {
                    case .digest(let id, let digest):
                        let holds = chunk.holds(i, id, digest, &snapshots, &summaries, digests: digests)
                        results[i] = holds ? .holds : .unproven
                    case .replay(let c):
                        results[i] = replayFailure(c).map(CaseOutcome.broken) ?? .holds
                    }
                }
            },
            consume: { chunk, results in
                for i in 0..<chunk.rows.count {
                    let id = CaseID(parsing: chunk.rows.keys[i])
                    var outcome = results.take(i) ?? .unproven
                    // A case the chain pass saw but this pass already took (a second row under
                    // one id) has no events left: replayed again, it is named.
                    if let id, walk.trails[id] == nil, chunk.checks[i].hadTrail { outcome = .unproven }
                    if case .unproven = outcome {
                        outcome = replayFailure(try caseToReplay(chunk.rows, i, id, walk, eventRow)).map(CaseOutcome.broken) ?? .holds
                    }
                    if case .broken(let why) = outcome { return why }
                    if let id { walk.trails[id] = nil }
                    walk.seen += 1
                }
                return nil
            }
        )
    }

    /// Case row `i` of `rows`, with the rows of the log holding its events (each read once),
    /// as the chain pass saw them.
    private func caseToReplay(_ rows: AuditRows<String>, _ i: Int, _ id: CaseID?, _ walk: ChainWalk, _ eventRow: Statement) throws -> CaseToReplay {
        var c = CaseToReplay(text: rows.keys[i], sealed: Data(rows.blob(i, 1) ?? []), summary: rows.blob(i, 2).map { Data($0) })
        guard let id, let trail = walk.trails[id] else { return c }
        c.hadTrail = true
        c.eventSeqs = trail.seqs
        for seq in c.eventSeqs {
            guard let end = walk.rowEnd(holding: seq) else { continue }
            if c.rows.last?.seq != end, !c.rows.contains(where: { $0.seq == end }),
                let sealed = try Data.fetchOne(eventRow, arguments: [end])
            {
                c.rows.append((end, sealed))
            }
        }
        return c
    }

    /// Why a case does not match its events, or nil when it does.
    private func replayFailure(_ c: CaseToReplay) -> String? {
        guard let id = CaseID(parsing: c.text), id.compact == c.text else { return "a case row has a malformed id" }
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
        // Every write stores a summary; a row without one was changed outside `cases`.
        guard let summary else { return "the summary of case \(id) is missing" }
        guard let opened = try? openSummary(id: id, sealed: summary), opened == CaseSummary(stored) else {
            return "the summary of case \(id) does not match the case"
        }
        return nil
    }
}

/// A chunk of case rows, and how each is to be checked.
struct CaseChunk: Sendable {
    let rows: AuditRows<String>
    let checks: [CaseCheck]

    /// Whether case row `i` opens, with its summary, to exactly the bytes whose digest the
    /// chain pass took of the case's replay.
    func holds(
        _ i: Int, _ id: CaseID, _ digest: CaseDigest, _ snapshots: inout SealedRecord.Opener,
        _ summaries: inout SealedRecord.Opener, digests: UniversalHash
    ) -> Bool {
        let row = id.compact
        return rows.withBlob(i, 1) { sealed in
            rows.withBlob(i, 2) { summary in
                guard let sealed, let summary else { return false }
                let matches = try? snapshots.open(sealed, row: row) { snapshot in
                    try summaries.open(summary, row: row) {
                        CaseDigest(snapshot: UnsafeRawBufferPointer(snapshot), summary: UnsafeRawBufferPointer($0), hash: digests).matches(digest)
                    }
                }
                return matches == true
            }
        }
    }
}

/// How the replay pass checks one case row.
enum CaseCheck: Sendable {
    /// Against the digest of its replay in the chain pass.
    case digest(CaseID, CaseDigest)
    /// By replaying its events again.
    case replay(CaseToReplay)

    /// Whether the chain pass had seen events of the case when the row was read.
    var hadTrail: Bool {
        switch self {
        case .digest: true
        case .replay(let c): c.hadTrail
        }
    }
}

/// What the replay pass found of one case row.
enum CaseOutcome: Sendable {
    case holds
    case broken(String)
    /// Not matched by its digest: replayed again, in order, to name the break exactly.
    case unproven
}

/// One case row and the rows of the log holding its events, read by the replay pass.
struct CaseToReplay: Sendable {
    var text: String
    var sealed: Data
    var summary: Data?
    var hadTrail = false
    var eventSeqs: [Int64] = []
    var rows: [(seq: Int64, sealed: Data)] = []
}
