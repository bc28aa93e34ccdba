import Testing

@testable import CasesCore

/// ε is added up per person over every release that could count them.
@Suite struct PrivacyLossTests {
    func dp(_ period: String, _ epsilon: String, basis: CountingBasis = .arrival) throws -> TableSpec {
        try TableSpec(period: Period(parsing: period), basis: basis, mechanism: .discreteLaplace(epsilon: ExactRational(decimal: epsilon)))
    }

    @Test func anIntakeYearAndAnArrivalYearAddUpForTheSamePerson() throws {
        let specs = [try dp("2020", "0.3", basis: .intake), try dp("2021", "0.5")]
        #expect(try PrivacyLoss.worstCase(specs) == ExactRational(4, 5))
    }

    @Test func differentYearsOfOneBasisHoldDifferentPeople() throws {
        let specs = [try dp("2021", "0.5"), try dp("2022", "0.7"), try dp("2023", "0.2")]
        #expect(try PrivacyLoss.worstCase(specs) == ExactRational(7, 10))
    }

    @Test func aYearAddsItsYearTablesAndItsDearestQuarter() throws {
        let specs = [try dp("2021", "0.2"), try dp("2021", "0.1"), try dp("2021-Q1", "0.3"), try dp("2021-Q1", "0.1"), try dp("2021-Q3", "0.35")]
        #expect(try PrivacyLoss.worstCase(specs) == ExactRational(7, 10))
    }

    @Test func thresholdReleasesSpendNothing() throws {
        #expect(try PrivacyLoss.worstCase([try TableSpec(period: Period(year: 2021))]) == .zero)
    }

    @Test func theLedgerRefusesWhatWouldTakeAnyPersonPastTheBudget() throws {
        var ledger = ReleaseLedger()
        let records = CaseloadGenerator.cell(30)
        _ = try ledger.publish(records, spec: try dp("2020", "0.6", basis: .intake))
        #expect(throws: StatisticsError.budgetExhausted(period: "2021", spent: "0.6", requested: "0.5", budget: "1")) {
            try ledger.publish(records, spec: try dp("2021", "0.5"))
        }
        let fits = try ledger.publish(records, spec: try dp("2021", "0.4"))
        #expect(fits.release.budgetLeft == .zero)
    }
}
