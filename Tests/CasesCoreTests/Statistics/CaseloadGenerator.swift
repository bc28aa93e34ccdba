@testable import CasesCore

/// Seeded test data (SplitMix64): reproducible caseloads, not privacy noise.
struct CaseloadGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Picks with weights decaying geometrically, so a few categories are big and many are tiny.
    mutating func skewed<T>(_ options: [T]) -> T {
        var i = 0
        while i < options.count - 1 && below(100) < 45 { i += 1 }
        return options[i]
    }

    static let destinations = ["GE", "LT", "UA", "AM", "TR", "KZ", "RS", "DE", "MN", "BR"]

    mutating func record(year: Int = 2021) -> StatisticsRecord {
        let month = 1 + below(12)
        let arrived = CalendarDate(year: year, month: month, day: 1 + below(28))!
        let intake = CalendarDate(year: year - below(2), month: 1 + below(12), day: 1 + below(28))!
        return StatisticsRecord(
            intakeOn: intake, arrivedOn: arrived, segment: skewed(Segment.allCases),
            reason: skewed(LeavingReason.allCases),
            destination: below(30) == 0 ? nil : skewed(CaseloadGenerator.destinations),
            outcome: below(4) == 0 ? nil : skewed(Outcome.allCases), familyMembers: skewed([0, 1, 2, 3, 4, 7]))
    }

    mutating func caseload(count: Int, year: Int = 2021) -> [StatisticsRecord] {
        (0..<count).map { _ in record(year: year) }
    }

    /// `count` identical principals: the same segment, reason and destination.
    static func cell(_ count: Int, segment: Segment = .journalist, destination: String = "GE", family: Int = 0) -> [StatisticsRecord] {
        (0..<count).map { i in
            StatisticsRecord(
                intakeOn: CalendarDate(year: 2021, month: 1, day: 1 + i % 28)!,
                arrivedOn: CalendarDate(year: 2021, month: 1 + i % 12, day: 1 + i % 28)!,
                segment: segment, reason: .politicalPressure, destination: destination, outcome: .settled, familyMembers: family)
        }
    }
}
