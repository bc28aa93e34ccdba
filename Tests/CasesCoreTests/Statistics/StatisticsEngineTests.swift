import Testing

@testable import CasesCore

@Suite struct StatisticsEngineTests {
    let year2021 = try! Period(year: 2021)

    func threshold(
        _ records: [StatisticsRecord], by dimensions: [TableDimension], k: Int = 10, base: Int = 5,
        family: Bool = false
    ) throws -> Release {
        let spec = try TableSpec(period: year2021, dimensions: dimensions, k: k, roundingBase: base, includeFamily: family)
        return try StatisticsEngine.computeRelease(of: records, spec: spec)
    }

    func expectSafe(
        _ records: [StatisticsRecord], by dimensions: [TableDimension], k: Int = 10, base: Int = 5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let release = try threshold(records, by: dimensions, k: k, base: base)
        ReleaseAuditor(release: release).expectSafe(trueCounts: ReleaseAuditor.trueCounts(records, release: release), sourceLocation: sourceLocation)
        // The engine's exact audit agrees: every `<k` cell can still be anything from 0 to k − 1.
        expectExactlyProtected(release, sourceLocation: sourceLocation)
    }

    /// Rebuilds the adversary's knowledge and asks the exact transportation-problem solver.
    func expectExactlyProtected(_ release: Release, sourceLocation: SourceLocation = #_sourceLocation) {
        guard release.dimensions.count == 2 else { return }
        let rule = PublicationRule(k: release.k, base: release.roundingBase)
        let rows = release.margins.filter { $0.dimension == release.dimensions[0] }
        let columns = release.margins.filter { $0.dimension == release.dimensions[1] }
        let knowledge = TableKnowledge(
            cells: rows.indices.map { i in columns.indices.map { j in rule.preimage(of: release.cells[i * columns.count + j].count) } },
            rowSums: rows.map { rule.preimage(of: $0.count) }, columnSums: columns.map { rule.preimage(of: $0.count) },
            total: rule.preimage(of: release.total))
        for i in rows.indices {
            for j in columns.indices where release.cells[i * columns.count + j].count == .belowThreshold(k: release.k) {
                #expect(FeasibilityAudit.feasibleRange(of: .cell(i, j), in: knowledge) == 0...(release.k - 1), sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: - Adversarial caseloads

    @Test func personAloneInACategoryIsNeverShown() throws {
        let records =
            CaseloadGenerator.cell(40, segment: .journalist, destination: "GE")
            + CaseloadGenerator.cell(25, segment: .oppositionActivist, destination: "LT")
            + CaseloadGenerator.cell(1, segment: .lawyer, destination: "UA")
        for dims in [[TableDimension.segment], [.destination], [.segment, .destination], [.destination, .segment]] {
            try expectSafe(records, by: dims)
            let release = try threshold(records, by: dims)
            // The category stays in the fixed layout, shown as `<10` like an empty one.
            #expect(
                release.cells.filter { $0.categories.contains("lawyer") || $0.categories.contains("UA") }
                    .allSatisfy { $0.count == .belowThreshold(k: 10) })
        }
    }

    @Test func everyoneInOneCellIsWithheldBesideTheEmptyCellsOfTheFixedLayout() throws {
        let records = CaseloadGenerator.cell(123)
        let release = try threshold(records, by: [.segment, .destination])
        #expect(release.total == .value(125))
        // Shown, 125 beside a total of 125 would prove every `<10` cell empty.
        #expect(release.cells.filter { $0.count.number != nil }.isEmpty)
        #expect(release.cells.count == Segment.allCases.count * (StatisticsSettings.defaultDestinations.count + 1))
        try expectSafe(records, by: [.segment, .destination])
    }

    @Test func cellsOfNineTenAndElevenAreSuppressedOrShownAtTheThreshold() throws {
        let records =
            CaseloadGenerator.cell(9, segment: .journalist, destination: "GE")
            + CaseloadGenerator.cell(10, segment: .journalist, destination: "LT")
            + CaseloadGenerator.cell(11, segment: .lawyer, destination: "GE")
            + CaseloadGenerator.cell(30, segment: .lawyer, destination: "LT")
        let release = try threshold(records, by: [.segment, .destination])
        let byKey = Dictionary(uniqueKeysWithValues: release.cells.map { ($0.categories.joined(separator: "|"), $0.count) })
        #expect(byKey["journalist|GE"] == .belowThreshold(k: 10))
        for tenOrEleven in ["journalist|LT", "lawyer|GE"] {
            #expect(byKey[tenOrEleven] == .value(10) || byKey[tenOrEleven] == .withheld)
        }
        try expectSafe(records, by: [.segment, .destination])
    }

    @Test func singleSuppressedCellInARowIsAccompaniedByAComplementaryOne() throws {
        // Row journalist: 3 in GE, 40 in LT, 50 in UA; GE is otherwise big. Without a second
        // withheld cell, 93 − 40 − 50 would give the 3 away.
        let records =
            CaseloadGenerator.cell(3, segment: .journalist, destination: "GE")
            + CaseloadGenerator.cell(40, segment: .journalist, destination: "LT")
            + CaseloadGenerator.cell(50, segment: .journalist, destination: "UA")
            + CaseloadGenerator.cell(60, segment: .oppositionActivist, destination: "GE")
            + CaseloadGenerator.cell(45, segment: .oppositionActivist, destination: "LT")
            + CaseloadGenerator.cell(35, segment: .oppositionActivist, destination: "UA")
        let release = try threshold(records, by: [.segment, .destination])
        #expect(release.cells.contains { $0.count == .belowThreshold(k: 10) })
        #expect(release.cells.contains { $0.count == .withheld })
        try expectSafe(records, by: [.segment, .destination])
    }

    @Test func suppressedCellCannotBeRecoveredFromMargins() throws {
        var generator = CaseloadGenerator(seed: 20_210_601)
        let pairs: [[TableDimension]] = [
            [.segment, .destination], [.reason, .segment], [.quarter, .destination], [.outcome, .reason], [.destination],
        ]
        for round in 0..<40 {
            let records = generator.caseload(count: [0, 3, 12, 40, 90, 200, 400][round % 7])
            for dims in pairs {
                try expectSafe(records, by: dims)
            }
        }
    }

    @Test func largerKAndCoarserRoundingStayProtected() throws {
        var generator = CaseloadGenerator(seed: 7)
        for round in 0..<10 {
            let records = generator.caseload(count: 60 + 30 * round)
            try expectSafe(records, by: [.segment, .destination], k: 15, base: 10)
            try expectSafe(records, by: [.reason, .destination], k: 12, base: 5)
        }
    }

    @Test func tinyCaseloadSuppressesEverything() throws {
        let records = CaseloadGenerator.cell(4)
        let release = try threshold(records, by: [.segment, .destination])
        #expect(release.total == .belowThreshold(k: 10))
        #expect(release.headline == "Fewer than 10 people relocated in 2021, excluding family members.")
        try expectSafe(records, by: [.segment, .destination])
    }

    @Test func familyMembersGetTheirOwnColumnAndNeverRevealASuppressedCell() throws {
        var generator = CaseloadGenerator(seed: 99)
        for n in [15, 60, 150, 300] {
            let records = generator.caseload(count: n)
            let release = try threshold(records, by: [.segment, .destination], family: true)
            for cell in release.cells where cell.count.number == nil {
                #expect(cell.family == nil || cell.family == .withheld, "family of a suppressed cell must not be shown")
            }
            #expect(release.familyTotal != nil)
            let principalsOnly = release.cells.map(\.count)
            #expect(principalsOnly.count == release.cells.count)
            ReleaseAuditor(release: release).expectSafe(trueCounts: ReleaseAuditor.trueCounts(records, release: release))
        }
    }

    @Test func casesOutsideThePeriodAreNotCounted() throws {
        let inside = CaseloadGenerator.cell(20)
        var outside = CaseloadGenerator.cell(30)
        for i in outside.indices { outside[i].arrivedOn = CalendarDate(year: 2022, month: 1, day: 1) }
        var notArrived = CaseloadGenerator.cell(30)
        for i in notArrived.indices { notArrived[i].arrivedOn = nil }
        let release = try threshold(inside + outside + notArrived, by: [])
        #expect(release.total == .value(20))
        let byIntake = try StatisticsEngine.computeRelease(
            of: inside + outside + notArrived,
            spec: try TableSpec(period: year2021, basis: .intake))
        #expect(byIntake.total == .value(80))
    }

    @Test func quarterPeriodCountsOnlyThatQuarter() throws {
        var records = CaseloadGenerator.cell(12)
        for i in records.indices { records[i].arrivedOn = CalendarDate(year: 2021, month: 5, day: 3) }
        records += CaseloadGenerator.cell(12).map {
            var r = $0; r.arrivedOn = CalendarDate(year: 2021, month: 8, day: 1); return r
        }
        let release = try StatisticsEngine.computeRelease(of: records, spec: try TableSpec(period: try Period(parsing: "2021-Q2")))
        #expect(release.total == .value(10))
        #expect(release.headline.contains("in the second quarter of 2021"))
    }

    // MARK: - Differential privacy

    @Test func noisyReleaseShowsOnlyThresholdMarksOrRoundedCounts() throws {
        var generator = CaseloadGenerator(seed: 3)
        let records = generator.caseload(count: 500)
        let spec = try TableSpec(
            period: year2021, dimensions: [.segment, .destination], includeFamily: true,
            mechanism: .discreteLaplace(epsilon: try ExactRational(decimal: "0.5")))
        let release = try StatisticsEngine.computeRelease(of: records, spec: spec, budgetLeft: ExactRational(1, 2))
        let auditor = ReleaseAuditor(release: release)
        for c in auditor.allCounts {
            switch c {
            case .value(let n): #expect(n >= 10 && n % 5 == 0)
            case .belowThreshold(let k): #expect(k == 10)
            case .withheld: break
            }
        }
        // Only family numbers beside a principal number that is not shown are withheld.
        for cell in release.cells {
            if cell.count.number == nil { #expect(cell.family == .withheld) } else { #expect(cell.family != .withheld) }
        }
        // The fixed public category list, whatever the data hold.
        #expect(release.cells.count == Segment.allCases.count * (StatisticsSettings.defaultDestinations.count + 1))
        #expect(release.method == "dp")
        #expect(release.budgetLeft == ExactRational(1, 2))
    }

    @Test func noisyTotalStaysCloseToTheTruth() throws {
        var generator = CaseloadGenerator(seed: 4)
        let records = generator.caseload(count: 1000)
        let spec = try TableSpec(period: year2021, mechanism: .discreteLaplace(epsilon: .one))
        let total = try StatisticsEngine.computeRelease(of: records, spec: spec).total.number!
        // ε = 1 on one number: |noise| > 30 has probability below 2·e^−30.
        #expect(abs(total - 1000) <= 35)
    }
}
