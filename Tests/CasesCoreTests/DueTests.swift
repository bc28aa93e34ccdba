import Foundation
import Testing

@testable import CasesCore

/// `cases due`: no one forgotten.
@Suite struct DueTests {
    static func at(_ day: String) -> @Sendable () -> Date {
        let d = ISODate(day)!.date.addingTimeInterval(12 * 3600)
        return { d }
    }

    @Test func eachKindOfOverdueCaseIsListedWithItsReason() throws {
        let t = try TestVault()
        let march = Caseload(vault: t.unlocked, clock: Self.at("2021-03-10"))
        let idle = try march.open(sampleDocument())
        let travel = try march.open(sampleDocument())
        _ = try march.advance(
            travel, document: AdvanceDocument(assessment: RiskAssessment(level: .high, likelihood: 4, impact: 5, reviewOn: ISODate("2021-04-01"))))
        _ = try march.advance(
            travel,
            document: AdvanceDocument(destination: DestinationPlan(country: CountryCode("GE"), route: .visaFree, travelOn: ISODate("2021-03-20"))))
        let arrived = try march.open(sampleDocument())
        _ = try march.advance(arrived, document: CaseloadTests.assessment)
        _ = try march.advance(arrived, document: CaseloadTests.destination)
        _ = try march.advance(
            arrived, document: AdvanceDocument(arrival: Arrival(arrivedOn: ISODate("2021-03-09"), country: CountryCode("GE"), city: "Tbilisi")))
        let closed = try march.open(sampleDocument())
        _ = try march.close(closed, outcome: .withdrawn)

        #expect(try march.due().due.isEmpty)

        let april = Caseload(vault: t.unlocked, clock: Self.at("2021-04-10"))
        let due = Dictionary(uniqueKeysWithValues: try april.due().due.map { ($0.0.id, $0.1) })
        #expect(due[idle] == ["intake idle since 2021-03-10"])
        #expect(due[travel] == ["risk review was due 2021-04-01", "planned travel on 2021-03-20 passed without arrival"])
        #expect(due[arrived] == ["no check-in since 2021-03-09"])
        #expect(due[closed] == nil)
        #expect(try april.list(CaseFilter(overdue: true)).cases.count == 3)

        _ = try april.checkIn(arrived, CheckIn(on: ISODate("2021-04-09")!, note: "all well"))
        #expect(try april.due().due.contains { $0.0.id == arrived } == false)
        #expect(throws: CaseError.notArrived(idle)) { try april.checkIn(idle, CheckIn(on: ISODate("2021-04-09")!)) }
    }
}
