import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

@Suite struct CaseloadTests {
    static let assessment = AdvanceDocument(assessment: RiskAssessment(level: .high, likelihood: 4, impact: 5))
    static let destination = AdvanceDocument(destination: DestinationPlan(country: CountryCode("GE"), route: .visaFree))
    static let arrival = AdvanceDocument(arrival: Arrival(arrivedOn: ISODate("2021-06-01"), country: CountryCode("GE"), city: "Tbilisi"))

    func walk(_ load: Caseload, _ id: CaseID) throws {
        _ = try load.advance(id, document: Self.assessment)
        _ = try load.advance(id, document: Self.destination)
        _ = try load.advance(id, document: Self.arrival)
    }

    @Test func caseGoesThroughEveryStageAndCloses() throws {
        let t = try TestVault()
        let load = t.caseload
        let id = try load.open(sampleDocument())
        try walk(load, id)
        _ = try load.note(id, text: "met at the airport")
        let closed = try load.close(id, outcome: .settled)
        #expect(closed.stage == .closed)
        #expect(closed.outcome == .settled)
        #expect(closed.version == 6)
        let reread = try t.reopen().show(id)
        #expect(reread == closed)
        let history = try load.history(id)
        #expect(history.map(\.event.kind) == [.opened, .advanced, .advanced, .advanced, .noted, .closed])
        #expect(try load.verifyAudit().ok)
    }

    @Test func unmetGateNamesTheMissingFieldAndStoresNothing() throws {
        let t = try TestVault()
        var doc = sampleDocument()
        doc.principal.consent = nil
        let id = try t.caseload.open(doc)
        let before = try t.caseload.show(id)
        #expect(throws: InputError.gateNotMet(stage: .intake, missing: ["principal.consent.given_on", "principal.consent.channel"])) {
            try t.caseload.advance(id, document: Self.assessment)
        }
        #expect(try t.caseload.show(id) == before)
        // Supplying the missing fields on the way satisfies the gate.
        var fix = Self.assessment
        fix.principal = Principal(consent: Consent(givenOn: ISODate("2021-03-02"), channel: "in person"))
        #expect(try t.caseload.advance(id, document: fix).stage == .riskAssessment)
    }

    @Test func advancingWithoutTheNextStageDataIsRefused() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        #expect(throws: InputError.gateNotMet(stage: .riskAssessment, missing: ["assessment"])) {
            try t.caseload.advance(id, document: AdvanceDocument())
        }
        _ = try t.caseload.advance(id, document: Self.assessment)
        #expect(throws: InputError.gateNotMet(stage: .destination, missing: ["destination.country", "destination.route"])) {
            try t.caseload.advance(id, document: AdvanceDocument())
        }
    }

    @Test func movingBackNeedsAReasonAndClearsLaterStageData() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        try walk(t.caseload, id)
        #expect(throws: InputError.missing(["reason (why the case goes back to destination)"])) {
            try t.caseload.advance(id, to: .destination, document: AdvanceDocument())
        }
        let back = try t.caseload.advance(id, to: .destination, document: AdvanceDocument(reason: "visa refused"))
        #expect(back.stage == .destination)
        #expect(back.arrival == nil)
        #expect(try t.caseload.history(id).last?.event.reason == "visa refused")
    }

    @Test func settledNeedsArrival() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        #expect(throws: CaseError.self) { try t.caseload.close(id, outcome: .settled) }
        #expect(try t.caseload.close(id, outcome: .withdrawn).outcome == .withdrawn)
    }

    @Test func staleUpdateIsRefusedAsConflict() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let read = try t.caseload.show(id)
        _ = try t.reopen().note(id, text: "someone else was faster")
        #expect(throws: CaseError.conflict(id)) {
            try t.caseload.advance(id, document: Self.assessment, expectedVersion: read.version)
        }
        #expect(try t.caseload.show(id).stage == .intake)
        #expect(CaseError.conflict(id).kind == .conflict)
    }

    @Test func invalidDocumentsNameTheFieldWithoutEchoingValues() throws {
        func decode(_ s: String) throws -> OpenDocument { try DocumentReader.decode(OpenDocument.self, from: Data(s.utf8)) }
        #expect(throws: InputError.notJSON("check brackets, quotes and commas")) { try decode("{\"principal\": ") }
        #expect(throws: InputError.empty) { try decode("  \n") }
        #expect(throws: InputError.missing(["principal"])) { try decode("{}") }
        do {
            _ = try decode(#"{"principal": {"full_name": "SECRETNAME", "segment": "spy"}}"#)
            Issue.record("accepted an unknown segment")
        } catch let e as InputError {
            #expect(e.description.contains("principal.segment"))
            #expect(e.description.contains("journalist"))
            #expect(!e.description.contains("spy"))
            #expect(!e.description.contains("SECRETNAME"))
        }
        #expect(throws: InputError.invalid(field: "principal.consent.given_on", expected: "a date written yyyy-mm-dd, such as 2021-06-01")) {
            try decode(#"{"principal": {"full_name": "x", "consent": {"given_on": "02.03.2021"}}}"#)
        }
        let forgiving = try decode(#"{"principal": {"full_name": "x", "segment": "Human Rights Defender", "citizenship": "Belarus"}}"#)
        #expect(forgiving.principal.segment == .humanRightsDefender)
        #expect(forgiving.principal.citizenship?.code == "BY")
    }

    @Test func openRefusesFutureDatesAndMissingName() throws {
        let t = try TestVault()
        var doc = sampleDocument()
        doc.principal.consent?.givenOn = ISODate("2199-01-01")
        #expect(throws: InputError.invalid(field: "principal.consent.given_on", expected: "a date not in the future")) { try t.caseload.open(doc) }
        doc = sampleDocument()
        doc.principal.fullName = "  "
        #expect(throws: InputError.missing(["principal.full_name"])) { try t.caseload.open(doc) }
        #expect(try t.caseload.list().cases.isEmpty)
    }

    @Test func unknownOrMistypedCaseIDs() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        var chars = Array(id.compact)
        chars.swapAt(1, 2)
        if chars != Array(id.compact) {
            #expect(CaseID(parsing: String(chars)) == nil || CaseID(parsing: String(chars)) != id)
        }
        #expect(throws: CaseError.malformedID("nonsense")) { try Caseload.parseID("nonsense") }
        var other = CaseID.random()
        while other == id { other = CaseID.random() }
        #expect(throws: CaseError.notFound(other)) { try t.caseload.show(other) }
        #expect(try Caseload.parseID(id.description.lowercased()) == id)
    }

    @Test func listFiltersByStageDestinationAndSegment() throws {
        let t = try TestVault()
        let a = try t.caseload.open(sampleDocument())
        var doc = sampleDocument()
        doc.principal.segment = .lawyer
        let b = try t.caseload.open(doc)
        try walk(t.caseload, a)
        #expect(try t.caseload.list(CaseFilter(stage: .arrival)).cases.map(\.id) == [a])
        #expect(try t.caseload.list(CaseFilter(destination: "GE")).cases.map(\.id) == [a])
        #expect(try t.caseload.list(CaseFilter(segment: .lawyer)).cases.map(\.id) == [b])
        #expect(try t.caseload.list().cases.count == 2)
    }

    // MARK: - Tampering

    @Test func flippedByteInOneCaseFailsOnlyThatCase() throws {
        let t = try TestVault()
        let victim = try t.caseload.open(sampleDocument())
        let other = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in
            var sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM case_snapshot WHERE case_id = ?", arguments: [victim.compact])!
            sealed[sealed.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE case_snapshot SET sealed = ? WHERE case_id = ?", arguments: [sealed, victim.compact])
        }
        do {
            _ = try t.caseload.show(victim)
            Issue.record("tampered case opened")
        } catch let e as CaseError {
            #expect(e == .integrity(victim))
            #expect(e.description.contains("integrity"))
            #expect(e.description.contains(victim.description))
        }
        #expect(try t.caseload.show(other).id == other)
        #expect(throws: CaseError.integrity(victim)) { try t.caseload.advance(victim, document: Self.assessment) }
        #expect(try t.caseload.verifyAudit().firstBreak == "case \(victim) failed its integrity check")
        // `list` reads only the sealed summary, which is intact here: the case is still listed.
        #expect(Set(try t.caseload.list().cases.map(\.id)) == [victim, other])
    }

    @Test func flippedByteInASummaryIsNamedByList() throws {
        let t = try TestVault()
        let victim = try t.caseload.open(sampleDocument())
        let other = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in
            var sealed = try Data.fetchOne(db, sql: "SELECT summary FROM case_snapshot WHERE case_id = ?", arguments: [victim.compact])!
            sealed[sealed.count - 1] ^= 0x01
            try db.execute(sql: "UPDATE case_snapshot SET summary = ? WHERE case_id = ?", arguments: [sealed, victim.compact])
        }
        let listed = try t.caseload.list()
        #expect(listed.cases.map(\.id) == [other])
        #expect(listed.damaged == [victim.description])
        #expect(try t.caseload.verifyAudit().firstBreak == "the summary of case \(victim) does not match the case")
        #expect(try t.caseload.show(victim).id == victim) // the whole case still opens
    }

    @Test func everyWriteStoresASummaryAndARowWithoutOneIsListedAsDamaged() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let other = try t.caseload.open([sampleDocument(canary: "Petrov")])[0]
        _ = try t.caseload.note(id, text: "written again")
        _ = try t.caseload.advance(other, document: Self.assessment)
        let withoutSummary = "SELECT count(*) FROM case_snapshot WHERE summary IS NULL"
        #expect(try t.unlocked.vault.read { db in try Int.fetchOne(db, sql: withoutSummary) } == 0)
        try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE case_snapshot SET summary = NULL WHERE case_id = ?", arguments: [id.compact]) }
        let listed = try t.caseload.list()
        #expect(listed.cases.map(\.id) == [other])
        #expect(listed.damaged == [id.description])
    }

    @Test func summaryCopiedFromAnotherCaseIsRejected() throws {
        let t = try TestVault()
        let a = try t.caseload.open(sampleDocument())
        let b = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in
            let sealed = try Data.fetchOne(db, sql: "SELECT summary FROM case_snapshot WHERE case_id = ?", arguments: [a.compact])!
            try db.execute(sql: "UPDATE case_snapshot SET summary = ? WHERE case_id = ?", arguments: [sealed, b.compact])
        }
        #expect(try t.caseload.list().damaged == [b.description])
    }

    @Test func sealedRecordCopiedOntoAnotherRowIsRejected() throws {
        let t = try TestVault()
        let a = try t.caseload.open(sampleDocument())
        let b = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.write { db in
            let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM case_snapshot WHERE case_id = ?", arguments: [a.compact])!
            try db.execute(sql: "UPDATE case_snapshot SET sealed = ? WHERE case_id = ?", arguments: [sealed, b.compact])
        }
        #expect(throws: CaseError.integrity(b)) { try t.caseload.show(b) }
        #expect(try t.caseload.show(a).id == a)
    }

    @Test func auditNamesTheFirstBrokenEvent() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        try walk(t.caseload, id)
        #expect(try t.caseload.verifyAudit().ok)
        try t.unlocked.vault.write { db in
            try db.execute(sql: "DROP TRIGGER event_is_append_only_update")
            var sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM event WHERE seq = 3")!
            sealed[sealed.count - 1] ^= 0x80
            try db.execute(sql: "UPDATE event SET sealed = ? WHERE seq = 3", arguments: [sealed])
        }
        let report = try t.caseload.verifyAudit()
        #expect(report.firstBreak?.hasPrefix("event 3 ") == true)
    }

    @Test func auditDetectsADeletedEvent() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        try walk(t.caseload, id)
        try t.unlocked.vault.write { db in try db.execute(sql: "DELETE FROM event WHERE seq = 2") }
        #expect(try t.caseload.verifyAudit().firstBreak == "event 2 is missing: the log was cut or reordered")
    }

    @Test func eventsAreAppendOnlyInSQLiteToo() throws {
        let t = try TestVault()
        _ = try t.caseload.open(sampleDocument())
        #expect(throws: (any Error).self) {
            try t.unlocked.vault.write { db in try db.execute(sql: "UPDATE event SET mac = mac WHERE seq = 1") }
        }
    }

    // MARK: - Nothing in plaintext

    @Test func canaryInEveryFieldReachesNoFile() throws {
        let canary = "CANARY7f3a"
        let t = try TestVault()
        let load = t.caseload
        let id = try load.open(sampleDocument(canary: canary))
        var a = Self.assessment
        a.assessment?.threats = [Threat(actor: "actor \(canary)", kind: "kind \(canary)", evidence: "evidence \(canary)")]
        a.assessment?.vulnerabilities = "v \(canary)"
        _ = try load.advance(id, document: a)
        var d = Self.destination
        d.destination?.funding = "fund \(canary)"
        _ = try load.advance(id, document: d)
        var r = Self.arrival
        r.arrival?.city = "Tbilisi \(canary)"
        r.arrival?.legalStatus = "status \(canary)"
        _ = try load.advance(id, document: r)
        _ = try load.note(id, text: "note \(canary)")
        _ = try load.close(id, outcome: .settled, reason: "reason \(canary)")
        #expect(try load.show(id).principal.fullName == "Pyotr \(canary)")
        let files = t.folder.allFiles()
        #expect(files.contains(t.path))
        for f in files { #expect(!fileContains(f, canary), "\(f) holds the canary") }
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        for f in tmp where !f.hasPrefix("cases-test-") {
            #expect(!fileContains(NSTemporaryDirectory() + f, canary), "temp file \(f) holds the canary")
        }
    }

    @Test func sealedLengthsRevealOnlyABucket() throws {
        let t = try TestVault()
        var short = sampleDocument()
        short.principal.fullName = "Li"
        var long = sampleDocument()
        long.principal.fullName = String(repeating: "Konstantinopolsky ", count: 3)
        let a = try t.caseload.open(short)
        let b = try t.caseload.open(long)
        let sizes = try t.unlocked.vault.read { db in
            try [a, b].map { try Data.fetchOne(db, sql: "SELECT sealed FROM case_snapshot WHERE case_id = ?", arguments: [$0.compact])!.count }
        }
        #expect(sizes[0] == sizes[1])
    }
}
