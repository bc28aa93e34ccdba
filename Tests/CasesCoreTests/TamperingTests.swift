import CSodium
import CasesCrypto
import CasesTestSupport
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// What someone holding the vault file can change, and what each change gives them: flipped
/// bytes in keyslots and sealed records, records swapped between rows and between vaults, a
/// truncated file, an older copy put back.
@Suite struct TamperingTests {
    static let longTests = ProcessInfo.processInfo.environment["CASES_LONG_TESTS"] == "1"
    static let seed = TestSeed.value(for: "Tampering", default: 20_260_105)

    // MARK: - Keyslots

    /// Every stored byte of a keyslot, as (column, byte index, the column's value with that
    /// byte inverted). The two integers are flipped in their 8-byte big-endian form.
    static func flips(of slot: Keyslot) -> [(String, Int, any DatabaseValueConvertible)] {
        var out: [(String, Int, any DatabaseValueConvertible)] = []
        for (column, bytes) in [("slot_id", slot.slotID), ("salt", slot.salt), ("wrapped_key", slot.wrappedKey)] {
            for i in 0..<bytes.count {
                var b = bytes
                b[i] ^= 0xFF
                out.append((column, i, b))
            }
        }
        for (column, value) in [("ops_limit", slot.opsLimit), ("mem_limit", slot.memLimit)] {
            for i in 0..<8 { out.append((column, i, value ^ (Int64(0xFF) << (56 - 8 * i)))) }
        }
        // `kind` may only hold these two words (a CHECK constraint); the other one is its flip.
        out.append(("kind", 0, slot.kind == .passphrase ? "recovery" : "passphrase"))
        return out
    }

    /// Flips every byte of the slot of `kind`, one at a time, and tries to unlock with the right
    /// secret each time; returns how many flips were tried.
    func everyFlipRefusesUnlock(kind: Keyslot.Kind) throws -> Int {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let vault = t.unlocked.vault
        // The slot is remade at libsodium's lowest Argon2id cost (the same code path, cheaper
        // numbers), so that a hundred unlock attempts take well under a second.
        let cheap = Argon2Parameters(opsLimit: UInt64(crypto_pwhash_opslimit_min()), memLimit: UInt64(crypto_pwhash_memlimit_min()))
        let original = try #require(try vault.keyslots().first { $0.kind == kind })
        var slot = try Keyslot.make(
            kind: kind, secret: kind == .passphrase ? try secret(TestVault.passphrase) : t.recovery.characters,
            parameters: cheap, master: t.unlocked.key, vaultID: vault.vaultID, slotID: original.slotID)
        slot.sealedLabel = original.sealedLabel
        try vault.write { db in try slot.store(db, master: t.unlocked.key, vaultID: vault.vaultID) }
        let flips = Self.flips(of: slot)
        for (column, index, value) in flips {
            try vault.write { db in
                try db.execute(sql: "UPDATE keyslot SET \(column) = ? WHERE slot_id = ?", arguments: [value, slot.slotID])
            }
            // A tampered slot is refused exactly like a wrong secret: the wrap's tag (over the
            // slot id, kind, salt and cost) fails, or the cost is out of range and no key is
            // derived. Never a crash, never a key.
            do {
                switch kind {
                case .passphrase:
                    _ = try vault.unlock(passphrase: try secret(TestVault.passphrase))
                case .recovery:
                    _ = try vault.unlock(recoveryCode: t.recovery)
                }
                Issue.record("\(kind) slot with \(column)[\(index)] flipped still unlocked")
            } catch let e as VaultError {
                #expect(e == (kind == .passphrase ? .wrongPassphrase : .wrongRecoveryCode), "\(column)[\(index)]: \(e)")
            }
            let newID = column == "slot_id" ? value as! Data : slot.slotID
            try vault.write { db in
                try db.execute(sql: "DELETE FROM keyslot WHERE slot_id = ?", arguments: [newID])
                try slot.insert(db)
            }
        }
        // Put back, the slot opens again, and so does the other one: the data was never touched.
        #expect(try Caseload(vault: try vault.unlock(passphrase: try secret(TestVault.passphrase))).show(id).id == id)
        #expect(try Caseload(vault: try vault.unlock(recoveryCode: t.recovery)).show(id).id == id)
        return flips.count
    }

    @Test func everyByteOfThePassphraseSlotFlippedRefusesUnlock() throws {
        let tried = try everyFlipRefusesUnlock(kind: .passphrase)
        #expect(tried == 8 + 16 + 72 + 8 + 8 + 1)
    }

    @Test func everyByteOfTheRecoverySlotFlippedRefusesUnlock() throws {
        let tried = try everyFlipRefusesUnlock(kind: .recovery)
        #expect(tried == 8 + 16 + 72 + 8 + 8 + 1)
    }

    /// The label is sealed under the master key but is not part of the wrap: a flipped label
    /// byte leaves unlocking intact and the label simply unreadable (shown as none), never as
    /// altered text.
    @Test func aFlippedLabelByteHidesTheLabelAndNothingElse() throws {
        let t = try TestVault()
        let vault = t.unlocked.vault
        let slot = try #require(try vault.keyslots().first { $0.kind == .passphrase })
        let label = try #require(slot.sealedLabel)
        for i in 0..<label.count {
            var b = label
            b[i] ^= 0xFF
            try vault.write { db in try db.execute(sql: "UPDATE keyslot SET sealed_label = ? WHERE slot_id = ?", arguments: [b, slot.slotID]) }
            let info = try #require(try t.unlocked.keyslots().first { $0.inUse })
            #expect(info.label == nil, "label byte \(i) flipped gave \(info.label ?? "")")
        }
        _ = try vault.unlock(passphrase: try secret(TestVault.passphrase))
    }

    @Test func everyByteOfTheVaultIDFlippedRefusesUnlock() throws {
        let t = try TestVault()
        let original = try #require(try t.unlocked.vault.read { db in try Data.fetchOne(db, sql: "SELECT vault_id FROM vault") })
        for i in 0..<original.count {
            var b = original
            b[i] ^= 0xFF
            try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE vault SET vault_id = ?", arguments: [b]) }
            #expect(throws: VaultError.wrongPassphrase) {
                _ = try Vault.open(at: t.path).unlock(passphrase: try secret(TestVault.passphrase))
            }
        }
    }

    // MARK: - Sealed records

    /// Byte positions to flip in a sealed record of `count` bytes: the first (format), the last
    /// (tag), and a seeded sample in between (every byte in long mode); each failure names its
    /// byte.
    static func positions(_ count: Int) -> [Int] {
        if longTests { return Array(0..<count) }
        var sample: Set<Int> = [0, 1, 24, 25, count - 17, count - 16, count - 1]
        var random = SeededRandom(seed: seed)
        while sample.count < 40 { sample.insert(random.below(count)) }
        return sample.sorted()
    }

    @Test func everyFlippedByteOfACaseRecordNamesThatCase() throws {
        let t = try TestVault()
        let victim = try t.caseload.open(sampleDocument())
        let bystander = try t.caseload.open(sampleDocument())
        let vault = t.unlocked.vault
        let sealed = try #require(
            try vault.read { db in
                try Data.fetchOne(db, sql: "SELECT sealed FROM case_snapshot WHERE case_id = ?", arguments: [victim.compact])
            })
        for i in Self.positions(sealed.count) {
            var b = sealed
            b[i] ^= 0xFF
            try vault.write { db in try db.execute(sql: "UPDATE case_snapshot SET sealed = ? WHERE case_id = ?", arguments: [b, victim.compact]) }
            #expect(throws: CaseError.integrity(victim), "byte \(i)") { try t.caseload.show(victim) }
            // `list` reads only the case's sealed summary, intact here; `show` and the audit name it.
            #expect(try t.caseload.list().damaged.isEmpty)
            #expect(try t.caseload.show(bystander).id == bystander)
            #expect(try t.caseload.verifyAudit().firstBreak == "case \(victim) failed its integrity check")
        }
        #expect(CaseError.integrity(victim).description.contains(victim.description))
    }

    @Test func everyFlippedByteOfAnEventBreaksTheChainThere() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        _ = try t.caseload.note(id, text: "second")
        _ = try t.caseload.note(id, text: "third")
        let vault = t.unlocked.vault
        try vault.write { db in try db.execute(sql: "DROP TRIGGER event_is_append_only_update") }
        for column in ["sealed", "mac"] {
            let original = try #require(try vault.read { db in try Data.fetchOne(db, sql: "SELECT \(column) FROM event WHERE seq = 2") })
            for i in column == "mac" ? Array(0..<32) : Self.positions(original.count) {
                var b = original
                b[i] ^= 0xFF
                try vault.write { db in try db.execute(sql: "UPDATE event SET \(column) = ? WHERE seq = 2", arguments: [b]) }
                #expect(try t.caseload.verifyAudit().firstBreak?.hasPrefix("event 2 ") == true, "\(column)[\(i)]")
                if column == "sealed" {
                    #expect(throws: CaseError.integrity(id)) { try t.caseload.history(id) }
                }
            }
            try vault.write { db in try db.execute(sql: "UPDATE event SET \(column) = ? WHERE seq = 2", arguments: [original]) }
        }
        #expect(try t.caseload.verifyAudit().ok)
    }

    // MARK: - Imported cases

    /// Imported cases, each one row of the log, are replayed in the chain pass and their records
    /// checked against that replay's digest: a record or a summary sealed anew with other
    /// content, or put back to before a later event, is named exactly as the full replay names it.
    func importedVault(_ count: Int) throws -> (TestVault, [CaseID]) {
        let t = try TestVault()
        let f = ImportFixture()
        let lines = (0..<count).map { caseLine(canary: "Imported\($0)") }
        _ = try t.importer().importFile(atPath: f.file("cases.jsonl", lines: lines), format: .jsonl)
        let ids = try t.caseload.list().cases.map(\.id)
        #expect(ids.count == count)
        // Five events a case (opened, three stages, closed), each row counted whole.
        let report = try t.caseload.verifyAudit()
        #expect(report.ok && report.events == 5 * count && report.cases == count)
        #expect(report.eventsByActor == [t.unlocked.actor: 5 * count])
        return (t, ids)
    }

    /// Case `id`'s row as stored: its sealed record and summary.
    func storedRow(_ t: TestVault, _ id: CaseID) throws -> (sealed: Data, summary: Data) {
        let row = try #require(
            try t.unlocked.vault.read { db in
                try Row.fetchOne(db, sql: "SELECT sealed, summary FROM case_snapshot WHERE case_id = ?", arguments: [id.compact])
            })
        return (row["sealed"], row["summary"])
    }

    /// Puts `sealed` and `summary` in case `id`'s row.
    func store(_ t: TestVault, _ id: CaseID, sealed: Data, summary: Data) throws {
        try t.unlocked.vault.write { db in
            try db.execute(sql: "UPDATE case_snapshot SET sealed = ?, summary = ? WHERE case_id = ?", arguments: [sealed, summary, id.compact])
        }
    }

    @Test func aResealedRecordOrSummaryOfAnImportedCaseIsNamed() throws {
        let (t, ids) = try importedVault(3)
        let victim = ids[1]
        let original = try storedRow(t, victim)
        func put(sealed: Data, summary: Data) throws { try store(t, victim, sealed: sealed, summary: summary) }
        // The record sealed again, genuine but for one field: it opens, and its summary is untouched.
        var changed = try t.caseload.show(victim)
        changed.principal.fullName = "Someone Else"
        try put(sealed: try t.unlocked.seal(changed, table: Caseload.snapshotTable, row: victim.compact), summary: original.summary)
        #expect(try t.caseload.verifyAudit().firstBreak == "case \(victim) does not match its events: its record was replaced or rolled back")
        // The summary sealed again with another name, the record untouched.
        var summary = CaseSummary(try t.caseload.show(ids[0]))
        summary.id = victim
        summary.fullName = "Someone Else"
        let resealed = try SealedRecord.seal(
            summary.encoded(), key: t.unlocked.key.records, vaultID: t.unlocked.vault.vaultID,
            table: Caseload.summaryTable, row: victim.compact)
        try put(sealed: original.sealed, summary: Data(resealed))
        #expect(try t.caseload.verifyAudit().firstBreak == "the summary of case \(victim) does not match the case")
        try put(sealed: original.sealed, summary: original.summary)
        #expect(try t.caseload.verifyAudit().ok)
    }

    /// Every write stores a summary, so a row without one was changed outside `cases`.
    @Test func aCaseRowWithItsSummaryRemovedIsNamed() throws {
        let (t, ids) = try importedVault(2)
        try t.unlocked.vault.write { db in
            try db.execute(sql: "UPDATE case_snapshot SET summary = NULL WHERE case_id = ?", arguments: [ids[1].compact])
        }
        #expect(try t.caseload.verifyAudit().firstBreak == "the summary of case \(ids[1]) is missing")
    }

    /// Another spelling of a case's id (hyphenated) still names the same case, and its record
    /// still opens, but a lookup by the id would miss the row: the audit accepts only the
    /// stored spelling.
    @Test func aCaseRowRenamedToAnotherSpellingOfItsIdIsNamed() throws {
        let (t, ids) = try importedVault(2)
        let victim = ids[0].compact
        let respelt = String(victim.prefix(4)) + "-" + String(victim.dropFirst(4))
        try t.unlocked.vault.write { db in
            try db.execute(sql: "UPDATE case_snapshot SET case_id = ? WHERE case_id = ?", arguments: [respelt, victim])
        }
        #expect(try t.caseload.verifyAudit().firstBreak == "a case row has a malformed id")
    }

    /// The record and summary of an imported case put back to before a later note: they match
    /// the replay of the imported row alone, but not of all the case's events.
    @Test func anImportedCaseRolledBackBeforeALaterEventIsNamed() throws {
        let (t, ids) = try importedVault(2)
        let victim = ids[0]
        let old = try storedRow(t, victim)
        _ = try t.caseload.note(victim, text: "added after the import")
        #expect(try t.caseload.verifyAudit().ok)
        try store(t, victim, sealed: old.sealed, summary: old.summary)
        #expect(try t.caseload.verifyAudit().firstBreak == "case \(victim) does not match its events: its record was replaced or rolled back")
    }

    /// Format 1.0 seals every row of the log in the binary form: a row holding anything else
    /// (JSON, as builds before it wrote) does not open, even sealed and chained under the
    /// vault's own keys.
    @Test func aLogRowSealedAsJSONDoesNotOpen() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let vault = t.unlocked.vault
        let (seq, event) = try #require(try t.caseload.history(id).first)
        let json = try SealedRecord.seal(
            [UInt8](JSONEncoder().encode(event)), key: t.unlocked.key.records, vaultID: vault.vaultID,
            table: Caseload.eventTable, row: String(seq))
        let mac = Caseload.chainMAC(previous: Data(count: 32), seq: seq, sealed: Data(json), key: t.unlocked.key.audit)
        try vault.write { db in
            try db.execute(sql: "DROP TRIGGER event_is_append_only_update")
            try db.execute(sql: "UPDATE event SET sealed = ?, mac = ? WHERE seq = ?", arguments: [Data(json), mac, seq])
        }
        #expect(try t.caseload.verifyAudit().firstBreak == "event \(seq) does not open: it was altered or moved")
        #expect(throws: CaseError.integrity(id)) { try t.caseload.history(id) }
    }

    // MARK: - Records moved

    @Test func caseRecordsSwappedBetweenRowsAreBothRefused() throws {
        let t = try TestVault()
        let a = try t.caseload.open(sampleDocument())
        let b = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT case_id, sealed, summary FROM case_snapshot")
            for (from, to) in [(rows[0], rows[1]), (rows[1], rows[0])] {
                try db.execute(
                    sql: "UPDATE case_snapshot SET sealed = ?, summary = ? WHERE case_id = ?",
                    arguments: [from["sealed"] as Data, from["summary"] as Data, to["case_id"] as String])
            }
        }
        #expect(throws: CaseError.integrity(a)) { try t.caseload.show(a) }
        #expect(throws: CaseError.integrity(b)) { try t.caseload.show(b) }
        #expect(Set(try t.caseload.list().damaged) == [a.description, b.description])
    }

    @Test func eventsSwappedBetweenRowsBreakTheChainAtTheFirst() throws {
        let t = try TestVault()
        let a = try t.caseload.open(sampleDocument())
        let b = try t.caseload.open(sampleDocument())
        _ = try t.caseload.note(a, text: "x")
        _ = try t.caseload.note(b, text: "y")
        try t.unlocked.vault.write { db in
            // Delete and insert (no UPDATE, which the append-only trigger refuses): the adversary
            // can do this with any SQLite tool.
            let rows = try Row.fetchAll(db, sql: "SELECT seq, sealed, mac FROM event WHERE seq IN (2, 4) ORDER BY seq")
            try db.execute(sql: "DELETE FROM event WHERE seq IN (2, 4)")
            for (row, seq) in [(rows[0], 4), (rows[1], 2)] {
                try db.execute(
                    sql: "INSERT INTO event (seq, sealed, mac) VALUES (?, ?, ?)", arguments: [seq, row["sealed"] as Data, row["mac"] as Data])
            }
        }
        #expect(try t.caseload.verifyAudit().firstBreak?.hasPrefix("event 2 ") == true)
        #expect(throws: CaseError.integrity(b)) { try t.caseload.history(b) }
    }

    @Test func recordsCopiedFromAnotherVaultAreRefused() throws {
        let one = try TestVault()
        let two = try TestVault()
        let a = try one.caseload.open(sampleDocument())
        let b = try two.caseload.open(sampleDocument())
        let (row, event) = try one.unlocked.vault.read { db in
            (
                try Row.fetchOne(db, sql: "SELECT case_id, sealed FROM case_snapshot")!,
                try Row.fetchOne(db, sql: "SELECT sealed, mac FROM event WHERE seq = 1")!
            )
        }
        // Case a's record, under its own id, planted in vault two; and vault one's first event
        // in place of vault two's.
        try two.unlocked.vault.write { db in
            try db.execute(
                sql: "INSERT INTO case_snapshot (case_id, write_tag, sealed) VALUES (?, randomblob(16), ?)",
                arguments: [row["case_id"] as String, row["sealed"] as Data])
        }
        #expect(throws: CaseError.integrity(a)) { try two.caseload.show(a) }
        try two.unlocked.vault.write { db in
            try db.execute(sql: "DELETE FROM case_snapshot WHERE case_id = ?", arguments: [a.compact])
            try db.execute(sql: "DELETE FROM event WHERE seq = 1")
            try db.execute(sql: "INSERT INTO event (seq, sealed, mac) VALUES (1, ?, ?)", arguments: [event["sealed"] as Data, event["mac"] as Data])
        }
        #expect(try two.caseload.verifyAudit().firstBreak?.hasPrefix("event 1 ") == true)
        #expect(throws: CaseError.integrity(b)) { try two.caseload.history(b) }
    }

    // MARK: - Truncation

    @Test func aTruncatedVaultIsNotAVaultOrFailsIntegrity() throws {
        let t = try TestVault()
        for _ in 0..<6 { _ = try t.caseload.open(sampleDocument()) }
        try t.unlocked.vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let whole = try Data(contentsOf: URL(fileURLWithPath: t.path))
        let copy = t.folder.path + "/copy/vault.cases"
        var outcomes: [Int: String] = [:]
        let page = try t.unlocked.vault.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } ?? 4096
        let cuts = [
            0, 1, 15, 16, 50, 99, 100, page / 2, page - 1, page, page + 1, whole.count / 2, whole.count - page, whole.count - 100, whole.count - 1,
        ]
        for cut in cuts {
            try? FileManager.default.removeItem(atPath: t.folder.path + "/copy")
            try FileManager.default.createDirectory(
                atPath: t.folder.path + "/copy", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            FileManager.default.createFile(atPath: copy, contents: whole.prefix(cut), attributes: [.posixPermissions: 0o600])
            do {
                // SQLite reads a page cut short as if zero-filled: a cut that removes only
                // bytes that were zero (freed space, wiped by secure_delete) loses nothing,
                // and then everything must still be there and check out.
                // A cut inside a sealed record opens, and then `audit verify` names the damage.
                let load = Caseload(vault: try Vault.open(at: copy).unlock(passphrase: try secret(TestVault.passphrase)))
                let listed = try load.list()
                let intact =
                    try load.verifyAudit().ok && listed.cases.count == 6 && listed.damaged.isEmpty
                    && load.vault.vault.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok"
                if intact {
                    #expect(whole.suffix(from: cut).allSatisfy { $0 == 0 }, "a cut at \(cut) removed data yet every check passed")
                    outcomes[cut] = "intact (only zero bytes cut)"
                } else {
                    outcomes[cut] = "opens; audit finds the damage"
                }
            } catch let e as VaultError {
                #expect(e.kind == .integrity, "cut at \(cut): \(e)")
                outcomes[cut] = e == .notAVault(path: copy) ? "not a vault" : "integrity"
            }
        }
        #expect(outcomes.count == cuts.count)
        #expect(outcomes.values.filter { $0.hasPrefix("intact") }.count <= 2)
        print("Tampering: truncation of a \(whole.count)-byte vault: " + cuts.map { "\($0): \(outcomes[$0] ?? "?")" }.joined(separator: "; "))
    }

    // MARK: - Rollback

    /// An older copy of the whole file is a valid vault: nothing inside can tell. This test
    /// pins that limit down (SECURITY.md says it in words).
    @Test func anOlderCopyOfTheWholeVaultIsNotDetected() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let old = try Data(contentsOf: URL(fileURLWithPath: t.path))
        _ = try t.caseload.note(id, text: "added after the copy")
        let later = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }

        let copy = t.folder.path + "/rolled/vault.cases"
        try FileManager.default.createDirectory(
            atPath: t.folder.path + "/rolled", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: copy, contents: old, attributes: [.posixPermissions: 0o600])
        let rolled = Caseload(vault: try Vault.open(at: copy).unlock(passphrase: try secret(TestVault.passphrase)))
        #expect(try rolled.verifyAudit().ok)
        #expect(try rolled.show(id).notes.count == 1)
        #expect(throws: CaseError.notFound(later)) { try rolled.show(later) }
    }

    /// One case's record put back to an older version: `show` cannot tell (the record is
    /// genuine), but the audit replays the events and names the case.
    @Test func anOlderRecordOfOneCaseIsCaughtByTheAudit() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let vault = t.unlocked.vault
        let old = try #require(try vault.read { db in try Row.fetchOne(db, sql: "SELECT sealed FROM case_snapshot") })
        _ = try t.caseload.note(id, text: "added later")
        try vault.write { db in
            try db.execute(
                sql: "UPDATE case_snapshot SET sealed = ? WHERE case_id = ?",
                arguments: [old["sealed"] as Data, id.compact])
        }
        #expect(try t.caseload.show(id).notes.count == 1)
        #expect(try t.caseload.verifyAudit().firstBreak == "case \(id) does not match its events: its record was replaced or rolled back")
    }

    /// The newest events cut off together with the records they changed, put back to match:
    /// a consistent older state, which the audit cannot tell from a real one (a rollback of the
    /// log's tail). Cutting the tail alone is caught.
    @Test func cuttingTheLogsTailIsCaughtUnlessTheRecordsAreRolledBackToo() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let vault = t.unlocked.vault
        let old = try #require(
            try vault.read { db in
                try Row.fetchOne(db, sql: "SELECT sealed, summary FROM case_snapshot")
            })
        _ = try t.caseload.note(id, text: "added later")
        try vault.write { db in try db.execute(sql: "DELETE FROM event WHERE seq = 2") }
        #expect(try t.caseload.verifyAudit().firstBreak == "case \(id) does not match its events: its record was replaced or rolled back")
        try vault.write { db in
            try db.execute(
                sql: "UPDATE case_snapshot SET sealed = ?, summary = ? WHERE case_id = ?",
                arguments: [old["sealed"] as Data, old["summary"] as Data, id.compact])
        }
        #expect(try t.caseload.verifyAudit().ok)
    }
}
