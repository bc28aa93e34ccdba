/// The most privacy any one person can lose over a set of noisy releases.
///
/// Differential privacy promises something about each person, so ε is added up per person,
/// over every release that could count them, whoever they are (a person who might exist counts:
/// the bound must not depend on the data). A person has one intake date and at most one arrival
/// date, so they are counted by intake in one year and by arrival in one year (perhaps another):
/// they lose what was spent on their intake year plus what was spent on their arrival year. In
/// one year and basis, a year table counts everyone and a quarter table only that quarter's
/// people, so the year's tables add up and only the dearest quarter counts. The worst case is
/// the dearest intake year plus the dearest arrival year.
enum PrivacyLoss {
    static func worstCase(_ specs: [TableSpec]) throws -> ExactRational {
        var total = ExactRational.zero
        for basis in CountingBasis.allCases {
            var worst = ExactRational.zero
            let noisy = specs.filter { $0.basis == basis && $0.mechanism.epsilon != nil }
            for year in Set(noisy.map(\.period.year)) {
                let inYear = noisy.filter { $0.period.year == year }
                var spent = try sum(inYear.filter { $0.period.quarter == nil })
                var dearestQuarter = ExactRational.zero
                for q in 1...4 { dearestQuarter = max(dearestQuarter, try sum(inYear.filter { $0.period.quarter == q })) }
                spent = try spent.adding(dearestQuarter)
                worst = max(worst, spent)
            }
            total = try total.adding(worst)
        }
        return total
    }

    private static func sum(_ specs: [TableSpec]) throws -> ExactRational {
        try specs.compactMap(\.mechanism.epsilon).reduce(ExactRational.zero) { try $0.adding($1) }
    }
}
