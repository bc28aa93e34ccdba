import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// Events, snapshots and summaries are sealed in a compact binary form, and in no other.
@Suite struct BinaryRecordTests {
    /// A case with every optional field set, some lists empty and some absent.
    func fullCase() throws -> CaseFile {
        let d = sampleDocument(canary: "Ǆemal \"quoted\" \n Иванов 😀")
        let assessment = RiskAssessment(
            version: 2, assessedOn: ISODate("2022-03-01"), level: .high, likelihood: 4, impact: 5,
            threats: [Threat(actor: "FSB", kind: "summons", date: ISODate("2022-02-01"), evidence: "a letter"), Threat()],
            vulnerabilities: "v", capacities: "c", urgency: "now", reviewOn: ISODate("2022-04-01"))
        return CaseFile(
            id: CaseID.random(), version: 7, stage: .closed, openedOn: ISODate("2022-01-02")!, lastActivityAt: "2022-05-01T10:00:00Z",
            principal: d.principal, family: d.family ?? [], assessments: [assessment, RiskAssessment(threats: [])],
            destination: DestinationPlan(country: CountryCode("GE"), route: .visaFree, travelOn: ISODate("2022-03-10"), funding: "own"),
            arrival: Arrival(
                arrivedOn: ISODate("2022-03-11"), country: CountryCode("GE"), city: "Tbilisi", legalStatus: "visa-free",
                checkins: [CheckIn(on: ISODate("2022-04-11")!, note: "fine"), CheckIn(on: ISODate("2022-04-12")!)]),
            outcome: .settled, notes: [Note(at: "2022-01-02T09:00:00Z", actor: "ab12", text: "first")], caseworker: "cw",
            eventSeqs: [1, 2, Int64(Int32.max) + 5], duplicateKey: "00ff")
    }

    @Test func everyFieldSurvivesTheRoundTrip() throws {
        let c = try fullCase()
        #expect(try c.binaryEncoded().withUnsafeBufferPointer { try CaseFile(binary: $0) } == c)
        var bare = c
        bare.principal = Principal()
        bare.family = []
        bare.assessments = []
        bare.destination = nil
        bare.arrival = Arrival()
        bare.outcome = nil
        bare.notes = []
        bare.caseworker = nil
        bare.duplicateKey = nil
        #expect(try bare.binaryEncoded().withUnsafeBufferPointer { try CaseFile(binary: $0) } == bare)

        var e = CaseEvent(caseId: c.id, kind: .movedBack, at: "2022-05-01T10:00:00Z", on: ISODate("2022-04-30"), actor: "ab12")
        e.from = .arrival; e.to = .destination
        e.opened = .init(principal: c.principal, family: c.family, caseworker: nil, openedOn: c.openedOn, duplicateKey: "k")
        e.principal = Principal(fullName: "x")
        e.assessment = c.assessments[0]
        e.destination = c.destination
        e.arrival = c.arrival
        e.checkin = CheckIn(on: ISODate("2022-04-11")!, note: "n")
        e.outcome = .withdrawn
        e.reason = "r"
        e.note = "n"
        #expect(try e.binaryEncoded().withUnsafeBufferPointer { try CaseEvent(binary: $0) } == e)
        let plain = CaseEvent(caseId: c.id, kind: .noted, at: "t", actor: "a")
        #expect(try plain.binaryEncoded().withUnsafeBufferPointer { try CaseEvent(binary: $0) } == plain)
    }

    @Test func everyImportedCaseAndEventOpensAsItWasBuilt() throws {
        let t = try TestVault()
        let docs = Array(SyntheticCaseload(count: 200, seed: 5))
        let ids = try t.caseload.open(docs)
        for id in ids {
            let c = try t.caseload.show(id)
            #expect(try c.binaryEncoded().withUnsafeBufferPointer { try CaseFile(binary: $0) } == c)
            let history = try t.caseload.history(id)
            #expect(history.count == c.eventSeqs.count)
        }
        #expect(try t.caseload.verifyAudit().ok)
    }

    @Test func aTruncatedExtendedOrForeignRecordIsRefused() throws {
        let bytes = try fullCase().binaryEncoded()
        for end in 0..<bytes.count {
            #expect(throws: RecordMalformed.self) { try Array(bytes[0..<end]).withUnsafeBufferPointer { try CaseFile(binary: $0) } }
        }
        #expect(throws: RecordMalformed.self) { try (bytes + [0]).withUnsafeBufferPointer { try CaseFile(binary: $0) } }
        let event = CaseEvent(caseId: CaseID.random(), kind: .noted, at: "t", actor: "a").binaryEncoded()
        #expect(throws: RecordMalformed.self) { try event.withUnsafeBufferPointer { try CaseFile(binary: $0) } }
    }

    /// Cases and events are sealed in their binary form only: a record of another form (the
    /// JSON that test builds before format 1.0 sealed) is damage, even under the right key.
    @Test func aJSONEventOrSnapshotIsRefusedAsDamaged() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let c = try t.caseload.show(id)
        let (seq, event) = try #require(try t.caseload.history(id).first)
        let key = t.unlocked.key.records
        let vaultID = t.unlocked.vault.vaultID
        let jsonEvent = try SealedRecord.seal(
            [UInt8](RecordCoding.sealedEncoder.encode(event)), key: key, vaultID: vaultID, table: "event", row: String(seq))
        #expect(throws: RecordMalformed.self) { try t.unlocked.open(CaseEvent.self, sealed: Data(jsonEvent), table: "event", row: String(seq)) }
        let jsonCase = try SealedRecord.seal(
            [UInt8](RecordCoding.sealedEncoder.encode(c)), key: key, vaultID: vaultID, table: "case_snapshot", row: id.compact)
        #expect(throws: RecordMalformed.self) { try t.unlocked.open(CaseFile.self, sealed: Data(jsonCase), table: "case_snapshot", row: id.compact) }
        try t.unlocked.vault.write { db in
            try db.execute(sql: "UPDATE case_snapshot SET sealed = ? WHERE case_id = ?", arguments: [Data(jsonCase), id.compact])
        }
        #expect(throws: CaseError.self) { try t.caseload.show(id) }
        // What this build seals is the binary form, smaller than the JSON.
        let sealed = try t.unlocked.seal(c, table: "case_snapshot", row: id.compact)
        var opened = try SealedRecord.open(Array(sealed), key: key, vaultID: vaultID, table: "case_snapshot", row: id.compact)
        defer { opened.wipe() }
        #expect(opened.first == CaseFile.marker)
        #expect(opened.count < (try RecordCoding.sealedEncoder.encode(c)).count * 2 / 3)
    }

    /// A summary is sealed under its column's name, not the case's table: the two sealed values
    /// of one row cannot stand in for each other.
    @Test func aSummaryDoesNotOpenAsItsCaseNorTheCaseAsItsSummary() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument())
        let row = try #require(try t.unlocked.vault.read { db in try Row.fetchOne(db, sql: "SELECT summary, sealed FROM case_snapshot") })
        let (summary, sealed): (Data, Data) = (row["summary"], row["sealed"])
        let key = t.unlocked.key.records
        let vaultID = t.unlocked.vault.vaultID
        #expect(Caseload.summaryTable == "case_snapshot.summary")
        #expect(throws: CryptoError.authenticationFailed) {
            try SealedRecord.open(Array(summary), key: key, vaultID: vaultID, table: "case_snapshot", row: id.compact)
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try SealedRecord.open(Array(sealed), key: key, vaultID: vaultID, table: "case_snapshot.summary", row: id.compact)
        }
        #expect(try !SealedRecord.open(Array(summary), key: key, vaultID: vaultID, table: "case_snapshot.summary", row: id.compact).isEmpty)
    }
}
