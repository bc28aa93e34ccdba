import CasesCrypto
import Foundation
import GRDB

/// The rotation's bulk steps: the event log, the cases and the release ledger, a few thousand
/// rows at a time, opened and sealed again on every core. Each row is rewritten in place under
/// the same number or rowid, with the same plaintext (but for the duplicate key, which is
/// keyed), so its sealed size and its place in the file stay as they were.
extension KeyRotation {
    static let chunk = 4096

    /// One row sealed again, and the new duplicate key it gives its case, if it is an opening.
    struct Resealed {
        var sealed: Data
        var duplicate: (caseID: String, key: String)?
    }

    // MARK: - Chained tables

    /// The event log sealed again; each opening event gets its case's new duplicate key.
    func resealEventLog() throws {
        let caseload = Caseload(vault: new)
        try resealChain(table: Caseload.eventTable, key: \.records, macKey: \.audit) { plain in
            try Self.rekeyOpenings(plain, caseload)
        }
    }

    /// A MAC-chained, append-only table (`seq`, `sealed`, `mac`) sealed again under the new
    /// `key`, its chain computed again under the new `macKey`. Each row's MAC is checked under
    /// the old key first: a rotation must not give a log altered behind the caseworker's back a
    /// chain that verifies. `transform` may rewrite a row's plaintext (nil: as it was).
    func resealChain(
        table: String, key: KeyPath<MasterKey, SecretBytes>, macKey: KeyPath<MasterKey, SecretBytes>,
        transform: (@Sendable (_ plain: [UInt8]) throws -> (plain: [UInt8], duplicate: (caseID: String, key: String))?)? = nil
    ) throws {
        let (oldKey, oldMACKey, newMACKey) = (old.key[keyPath: key], old.key[keyPath: macKey], new.key[keyPath: macKey])
        let vaultID = old.vault.vaultID
        try withoutTriggers(on: table) {
            let update = try RawStatement(db, sql: "UPDATE \(table) SET sealed = ?, mac = ? WHERE seq = ?")
            var (after, oldMAC, newMAC) = (Int64(0), Data(count: 32), Data(count: 32))
            while true {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT seq, sealed, mac FROM \(table) WHERE seq > ? ORDER BY seq LIMIT ?",
                    arguments: [after, Self.chunk]
                ).map { (seq: $0["seq"] as Int64, sealed: $0["sealed"] as Data, mac: $0["mac"] as Data) }
                guard let last = rows.last else { return }
                for row in rows {
                    guard constantTimeEqual(Caseload.chainMAC(previous: oldMAC, seq: row.seq, sealed: row.sealed, key: oldMACKey), row.mac) else {
                        throw KeyRotationError.damaged("\(table) \(row.seq) does not match its MAC")
                    }
                    oldMAC = row.mac
                }
                let resealed = try onEveryCore(rows, key: new.key[keyPath: key]) { row, sealer in
                    let name = String(row.seq)
                    var plain: [UInt8]
                    do { plain = try SealedRecord.open(Array(row.sealed), key: oldKey, vaultID: vaultID, table: table, row: name) } catch {
                        throw KeyRotationError.damaged("\(table) \(row.seq) does not open")
                    }
                    defer { plain.wipe() }
                    guard var rewritten = try transform?(plain) else {
                        return Resealed(sealed: try sealer.seal(table: table, row: name) { $0.bytes += plain })
                    }
                    defer { rewritten.plain.wipe() }
                    return Resealed(sealed: try sealer.seal(table: table, row: name) { $0.bytes += rewritten.plain }, duplicate: rewritten.duplicate)
                }
                for (row, out) in zip(rows, resealed) {
                    newMAC = Caseload.chainMAC(previous: newMAC, seq: row.seq, sealed: out.sealed, key: newMACKey)
                    try update.run(.blob(out.sealed), .blob(newMAC), .int(row.seq))
                    if let d = out.duplicate { duplicateKeys[d.caseID] = d.key }
                }
                after = last.seq
                advance(by: rows.count)
            }
        }
    }

    /// The row's plaintext with each opening's duplicate key computed under the new key, or nil
    /// when it holds no opening with one (most rows: stage changes, notes).
    static func rekeyOpenings(_ plain: [UInt8], _ caseload: Caseload) throws -> (plain: [UInt8], duplicate: (caseID: String, key: String))? {
        let group = plain.first == EventGroup.marker
        var events: [CaseEvent]
        switch plain.first {
        case EventGroup.marker: events = try plain.withUnsafeBufferPointer { try EventGroup(binary: $0).events }
        case CaseEvent.marker: events = [try plain.withUnsafeBufferPointer { try CaseEvent(binary: $0) }]
        case VaultEvent.marker: return nil // no case's events: sealed again as it is
        default: throw KeyRotationError.damaged("an event row holds a record this version does not know")
        }
        guard let i = events.firstIndex(where: { $0.opened?.duplicateKey != nil }), let opened = events[i].opened else { return nil }
        guard let key = caseload.duplicateKey(for: opened.principal) else {
            throw KeyRotationError.damaged("the opening of case \(events[i].caseId) has a duplicate key but no name")
        }
        events[i].opened?.duplicateKey = key
        let encoded = group ? EventGroup(events: events).binaryEncoded() : events[0].binaryEncoded()
        return (encoded, (events[i].caseId.compact, key))
    }

    /// Runs `body` with `table`'s triggers dropped, and puts them back as they were, inside the
    /// rotation's transaction (so no one sees the table without them): the append-only tables
    /// refuse every UPDATE, and a rotation rewrites each row in place under its own number.
    func withoutTriggers(on table: String, _ body: () throws -> Void) throws {
        let triggers = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", arguments: [table])
        for trigger in triggers {
            let name: String = trigger["name"]
            try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)")
        }
        try body()
        for trigger in triggers { try db.execute(sql: trigger["sql"]) }
    }

    // MARK: - Cases

    /// Every case and its summary sealed again, with its new duplicate key. Each case must open
    /// and its summary match it: a rotation refuses a damaged vault rather than seal it anew.
    func resealCases() throws {
        let (stored, sealing) = (Caseload(vault: old), Caseload(vault: new))
        let keys = duplicateKeys
        // A new write tag too: a process that read a case before the rotation (and still holds
        // the old key) finds the case changed and stores nothing, instead of sealing over it.
        let update = try RawStatement(db, sql: "UPDATE case_snapshot SET write_tag = randomblob(16), summary = ?, sealed = ? WHERE row_key = ?")
        var after: Int64?
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT row_key, case_id, summary, sealed FROM case_snapshot WHERE ?1 IS NULL OR row_key > ?1 ORDER BY row_key LIMIT ?2",
                arguments: [after, Self.chunk]
            )
            .map { (rowid: $0["row_key"] as Int64, id: $0["case_id"] as String, summary: $0["summary"] as Data?, sealed: $0["sealed"] as Data) }
            guard let last = rows.last else { return }
            let resealed = try onEveryCore(rows, key: new.key.records) { row, sealer -> (snapshot: Data, summary: Data) in
                guard let id = CaseID(parsing: row.id) else { throw KeyRotationError.damaged("a case row has a malformed id") }
                guard var c = try? stored.vault.open(CaseFile.self, sealed: row.sealed, table: Caseload.snapshotTable, row: id.compact), c.id == id
                else {
                    throw KeyRotationError.damaged("case \(id) does not open")
                }
                // Every case of format 1.0 is written with its summary: one without was altered.
                guard let summary = row.summary, let s = try? stored.openSummary(id: id, sealed: summary), s == CaseSummary(c) else {
                    throw KeyRotationError.damaged("the summary of case \(id) does not match the case")
                }
                if c.duplicateKey != nil {
                    guard let key = keys[id.compact] else { throw KeyRotationError.damaged("case \(id) does not match its opening event") }
                    c.duplicateKey = key
                }
                return try sealing.sealCase(c, with: &sealer)
            }
            for (row, out) in zip(rows, resealed) {
                try update.run(.blob(out.summary), .blob(out.snapshot), .int(row.rowid))
            }
            after = last.rowid
            advance(by: rows.count)
        }
    }

    // MARK: - Every core

    /// `body` applied to each of `items` on every core, each run of items with one sealer under
    /// `key` (its buffers and nonces reused); the results in the items' order.
    func onEveryCore<In: Sendable, Out>(_ items: [In], key: SecretBytes, _ body: @Sendable (In, inout RecordSealer) throws -> Out) throws -> [Out] {
        let results = ConcurrentResults<Result<Out, any Error>>(count: items.count)
        let runs = min(items.count, 8)
        let vaultID = new.vault.vaultID
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            var sealer = RecordSealer(key: key, vaultID: vaultID)
            for i in stride(from: run, to: items.count, by: runs) {
                results[i] = Result { try body(items[i], &sealer) }
            }
        }
        return try (0..<items.count).map { try required(results.take($0)).get() }
    }
}
