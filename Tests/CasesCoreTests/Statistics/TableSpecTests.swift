import Foundation
import Testing

@testable import CasesCore

@Suite struct TableSpecTests {
    @Test func canonicalFormNamesEveryParameterInAFixedOrder() throws {
        let spec = try TableSpec(
            period: try Period(parsing: "2021-q2"), dimensions: [.segment, .destination],
            includeFamily: true, mechanism: .discreteLaplace(epsilon: try ExactRational(decimal: "0.50")))
        #expect(spec.canonicalForm == "v1;period=2021-Q2;basis=arrival;by=segment,destination;family=1;k=10;round=5;mechanism=dp;epsilon=1/2")
        #expect(
            try TableSpec(period: try Period(year: 2021)).canonicalForm
                == "v1;period=2021;basis=arrival;by=;family=0;k=10;round=5;mechanism=threshold;epsilon=none")
    }

    @Test func unsafeOrMalformedSpecsAreRefused() throws {
        let p = try Period(year: 2021)
        #expect(throws: StatisticsError.self) { try TableSpec(period: p, k: 2) }
        #expect(throws: StatisticsError.self) { try TableSpec(period: p, roundingBase: 11) }
        #expect(throws: StatisticsError.self) { try TableSpec(period: p, dimensions: [.segment, .segment]) }
        #expect(throws: StatisticsError.self) { try TableSpec(period: p, dimensions: [.segment, .reason, .destination]) }
        #expect(throws: StatisticsError.self) { try TableSpec(period: p, mechanism: .discreteLaplace(epsilon: .zero)) }
        #expect(throws: StatisticsError.self) { try Period(parsing: "2021-Q5") }
        #expect(throws: StatisticsError.self) { try Period(parsing: "21") }
    }

    @Test func epsilonIsParsedAsAnExactRational() throws {
        #expect(try ExactRational(decimal: "0.5") == ExactRational(1, 2))
        #expect(try ExactRational(decimal: "1") == .one)
        #expect(try ExactRational(decimal: ".125") == ExactRational(1, 8))
        #expect(try ExactRational(decimal: "0.1").adding(ExactRational(decimal: "0.2")) == ExactRational(3, 10))
        #expect(ExactRational(3, 10).description == "0.3")
        #expect(ExactRational(1, 3).description == "1/3")
        for bad in ["", "-0.5", "1e-3", "0.1234567", "abc", "0..5"] {
            #expect(throws: StatisticsError.self) { try ExactRational(decimal: bad) }
        }
    }

    @Test func calendarDatesRejectImpossibleDays() {
        #expect(CalendarDate("2021-12-31")?.quarter == 4)
        #expect(CalendarDate("2020-02-29") != nil)
        #expect(CalendarDate("2021-02-29") == nil)
        #expect(CalendarDate("2021-1-01") == nil)
        #expect(CalendarDate("2021-06-01")?.description == "2021-06-01")
    }

    @Test func enumsUseTheContractRawValues() {
        #expect(Segment.allCases.map(\.rawValue) == ["journalist", "human_rights_defender", "opposition_activist", "lawyer", "other"])
        #expect(
            LeavingReason.allCases.map(\.rawValue) == [
                "criminal_prosecution", "administrative_prosecution", "political_pressure", "threats_violence", "surveillance", "other",
            ])
        #expect(Outcome.allCases.map(\.rawValue) == ["settled", "withdrawn", "referred", "lost_contact", "declined"])
    }

    @Test func roundingRuleIsNearestMultipleWithHalvesUpAndNeverBelowK() {
        let rule = PublicationRule(k: 10, base: 5)
        #expect(rule.publish(9) == .belowThreshold(k: 10))
        #expect(rule.publish(10) == .value(10))
        #expect(rule.publish(12) == .value(10))
        #expect(rule.publish(13) == .value(15))
        #expect(rule.preimage(of: .value(10)) == 10...12)
        #expect(rule.preimage(of: .value(15)) == 13...17)
        let odd = PublicationRule(k: 12, base: 5)
        #expect(odd.publish(12) == .value(15))
        #expect(odd.preimage(of: .value(15)) == 12...17)
    }
}
