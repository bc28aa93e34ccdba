/// A year as frozen so far: the quarters sealed in the ledger, and the destinations it names.
struct FrozenPeriod: Sendable {
    let year: Int
    let quarters: [Int: FrozenQuarter]
    let destinations: [String]

    /// The most family members any frozen principal has (at least 1): the audit assumes a
    /// reader knows it, which only makes the audit stricter.
    var largestFamily: Int {
        max(1, quarters.values.flatMap { $0.intake + $0.arrival }.map(\.key.family).max() ?? 0)
    }

    /// Every frozen principal of the year counted by `basis`.
    func records(_ basis: CountingBasis) -> [StatisticsRecord] {
        quarters.keys.sorted().flatMap { quarters[$0]!.records(basis) }
    }
}
