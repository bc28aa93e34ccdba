import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// An imported case's opening and past are one row of the event log (``EventGroup``), and read
/// back as the same numbered events they were when each had its own row.
@Suite struct EventGroupTests {
    /// The event log's rows: number and sealed length.
    func rows(_ t: TestVault) throws -> [Int64] {
        try t.unlocked.vault.read { db in try Int64.fetchAll(db, sql: "SELECT seq FROM event ORDER BY seq") }
    }

    @Test func anImportedPastIsOneRowAndReadsAsItsNumberedEvents() throws {
        let t = try TestVault()
        let f = ImportFixture()
        // Two cases of five events each (opened, three stages, closed).
        let lines = [caseLine(canary: "A"), caseLine(canary: "B")]
        _ = try t.importer().importFile(atPath: f.file("two.jsonl", lines: lines), format: .jsonl)
        #expect(try rows(t) == [5, 10])
        let ids = try t.caseload.list().cases.map(\.id)
        var seen: [Int64] = []
        for id in ids {
            let history = try t.caseload.history(id)
            #expect(history.map(\.event.kind) == [.opened, .advanced, .advanced, .advanced, .closed])
            #expect(history.allSatisfy { $0.event.caseId == id })
            #expect(
                history.map(\.event.on) == [
                    ISODate("2021-03-02"), ISODate("2021-03-10"), ISODate("2021-04-02"), ISODate("2021-06-01"), ISODate("2021-09-01"),
                ])
            let seqs = history.map(\.seq)
            #expect(seqs == Array(seqs[0]...seqs[0] + 4))
            #expect(try t.caseload.show(id).eventSeqs == seqs)
            seen += seqs
        }
        #expect(seen.sorted() == Array(1...10))

        // A later action is a row of its own, numbered after the groups, and joins the history.
        let later = try t.caseload.note(ids[0], text: "still in Tbilisi")
        #expect(try rows(t) == [5, 10, 11])
        #expect(later.eventSeqs.last == 11)
        #expect(try t.caseload.history(ids[0]).map(\.seq).last == 11)
        let audit = try t.caseload.verifyAudit()
        #expect(audit.ok && audit.events == 11 && audit.cases == 2)
        var visited: [Int64] = []
        _ = try t.caseload.verifyAudit { seq, _ in visited.append(seq) }
        #expect(visited == Array(1...11))
    }

    @Test func aCaseBuiltBeforeItsIdIsChosenIsTheCaseBuiltWithIt() throws {
        let t = try TestVault()
        let rules = ImportRules(caseload: t.caseload)
        for d in SyntheticCaseload(count: 300, seed: 31) {
            let scratch = try rules.check(d, duplicateKey: "key")
            let id = CaseID.random()
            let direct = try t.caseload.makeNew(d, id: id, firstSeq: 1_000, at: rules.recordedAt, today: rules.today, duplicateKey: "key")
            var renumbered = scratch
            renumbered.renumber(id: id, firstSeq: 1_000)
            #expect(renumbered.events == direct.events)
            #expect(renumbered.file == direct.file)
            #expect(direct.file.eventSeqs == Array(1_000..<1_000 + Int64(direct.events.count)))
        }
    }

    @Test func aGroupRoundTripsAndATruncatedOrEmptyOneIsRefused() throws {
        let id = CaseID.random()
        var opened = CaseEvent(caseId: id, kind: .opened, at: "2026-01-01T00:00:00Z", on: ISODate("2021-03-02"), actor: "ab12")
        opened.opened = .init(
            principal: Principal(fullName: "Иван"), family: [], caseworker: nil, openedOn: ISODate("2021-03-02")!, duplicateKey: nil)
        var advanced = CaseEvent(caseId: id, kind: .advanced, at: "2026-01-01T00:00:00Z", on: ISODate("2021-03-10"), actor: "ab12")
        advanced.from = .intake; advanced.to = .riskAssessment
        let group = EventGroup(events: [opened, advanced])
        let bytes = group.binaryEncoded()
        #expect(bytes.first == EventGroup.marker && EventGroup.marker != CaseEvent.marker)
        #expect(try bytes.withUnsafeBufferPointer { try EventGroup(binary: $0) } == group)
        for end in 0..<bytes.count {
            #expect(throws: RecordMalformed.self) { try Array(bytes[0..<end]).withUnsafeBufferPointer { try EventGroup(binary: $0) } }
        }
        #expect(throws: RecordMalformed.self) { try EventGroup(events: []).binaryEncoded().withUnsafeBufferPointer { try EventGroup(binary: $0) } }
        // A single event is not a group, nor a group an event.
        #expect(throws: RecordMalformed.self) { try opened.binaryEncoded().withUnsafeBufferPointer { try EventGroup(binary: $0) } }
        #expect(throws: RecordMalformed.self) { try bytes.withUnsafeBufferPointer { try CaseEvent(binary: $0) } }
    }

    /// A group claiming more events than the numbers before it (so its first would be 0 or
    /// less) is refused even when it authenticates.
    @Test func aGroupReachingBeforeTheFirstEventIsRefused() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let event = try #require(try t.caseload.history(id).first).event
        let sealed = try t.unlocked.seal(EventGroup(events: [event, event]), table: Caseload.eventTable, row: "1")
        #expect(throws: CaseError.self) { try t.caseload.openEvents(seq: 1, sealed: sealed, caseID: id) }
        #expect(
            try t.caseload.openEvents(
                seq: 2, sealed: t.unlocked.seal(EventGroup(events: [event, event]), table: Caseload.eventTable, row: "2"),
                caseID: id
            ).count == 2)
        // The import's sealer writes a group that opens the same way.
        var sealer = t.unlocked.makeSealer()
        let grouped = try sealer.seal(EventGroup(events: [event, event]), table: Caseload.eventTable, row: "2")
        #expect(try t.caseload.openEvents(seq: 2, sealed: grouped, caseID: id) == [event, event])
    }

    @Test func aDeletedOrMovedGroupBreaksTheAudit() throws {
        let f = ImportFixture()
        let lines = [caseLine(canary: "A"), caseLine(canary: "B"), caseLine(canary: "C")]
        let deleted = try TestVault()
        _ = try deleted.importer().importFile(atPath: f.file("three.jsonl", lines: lines), format: .jsonl)
        try deleted.unlocked.vault.write { db in try db.execute(sql: "DELETE FROM event WHERE seq = 10") }
        #expect(try deleted.caseload.verifyAudit().firstBreak == "event 6 is missing: the log was cut or reordered")

        // A group copied onto another row's number does not open there.
        let moved = try TestVault()
        _ = try moved.importer().importFile(atPath: f.file("three.jsonl", lines: lines), format: .jsonl)
        try moved.unlocked.vault.write { db in
            try db.execute(sql: "DROP TRIGGER event_is_append_only_update")
            try db.execute(sql: "UPDATE event SET sealed = (SELECT sealed FROM event WHERE seq = 5) WHERE seq = 10")
        }
        #expect(try moved.caseload.verifyAudit().firstBreak == "event 10 does not open: it was altered or moved")
        let victim = try #require(try moved.caseload.list().cases.first { try moved.caseload.show($0.id).eventSeqs.last == 10 })
        #expect(throws: CaseError.integrity(victim.id)) { try moved.caseload.history(victim.id) }
    }
}
