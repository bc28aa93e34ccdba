import Testing

@testable import CasesCore

/// The vault's statistics settings: floors that only rise, a fixed list of destinations.
@Suite struct StatisticsSettingsTests {
    @Test func floorsOnlyRise() throws {
        let raised = try StatisticsSettings.standard.changed(kFloor: 15, roundingFloor: 10, destinations: nil)
        #expect(raised.kFloor == 15 && raised.roundingFloor == 10)
        #expect(throws: StatisticsError.floorLowered("k", requested: 12, floor: 15)) {
            try raised.changed(kFloor: 12, roundingFloor: nil, destinations: nil)
        }
        #expect(throws: StatisticsError.self) { try raised.changed(kFloor: nil, roundingFloor: 5, destinations: nil) }
        #expect(throws: StatisticsError.self) { try StatisticsSettings.standard.changed(kFloor: nil, roundingFloor: 11, destinations: nil) }
        #expect(throws: StatisticsError.floorLowered("k", requested: 12, floor: 15)) {
            try raised.check(TableSpec(period: Period(year: 2021), k: 12, roundingBase: 10))
        }
    }

    @Test func noSpecGoesBelowTheBuiltInFloors() {
        #expect(throws: StatisticsError.floorLowered("k", requested: 5, floor: 10)) { try TableSpec(period: Period(year: 2021), k: 5) }
        #expect(throws: StatisticsError.floorLowered("rounding base", requested: 1, floor: 5)) {
            try TableSpec(period: Period(year: 2021), roundingBase: 1)
        }
        #expect(StatisticsError.floorLowered("k", requested: 5, floor: 10).kind == .invalidInput)
    }

    @Test func destinationListsAreDistinctCountryCodes() throws {
        let s = try StatisticsSettings.standard.changed(kFloor: nil, roundingFloor: nil, destinations: ["ge", "LT", "me"])
        #expect(s.destinations == ["GE", "LT", "ME"])
        for bad in [[], ["GE", "GE"], ["Georgia"], ["G1"]] {
            #expect(throws: StatisticsError.self) { try StatisticsSettings.standard.changed(kFloor: nil, roundingFloor: nil, destinations: bad) }
        }
    }

    @Test func settingsAreEntriesOfTheChainedLedger() throws {
        var ledger = ReleaseLedger()
        _ = try ledger.changeSettings(kFloor: 20, destinations: ["GE", "AM"])
        #expect(ledger.settings.kFloor == 20 && ledger.settings.destinations == ["GE", "AM"])
        _ = try ledger.publish(CaseloadGenerator.cell(30), spec: try TableSpec(period: Period(year: 2021), dimensions: [.destination], k: 20))
        try ledger.verifyChain()
        let rows = try #require(ledger.releases.first?.release).cells.map { $0.categories[0] }
        #expect(rows == ["GE", "AM", "other"])
        // A period keeps the list it was frozen with.
        _ = try ledger.changeSettings(destinations: ["LT"])
        let q2 = try ledger.publish(
            CaseloadGenerator.cell(30), spec: try TableSpec(period: Period(year: 2021), dimensions: [.destination], k: 20, includeFamily: true))
        #expect(q2.release.cells.map { $0.categories[0] } == ["GE", "AM", "other"])
    }
}
