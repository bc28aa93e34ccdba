// MARK: - Period

/// The stretch of time a release covers: a calendar year or one quarter of it.
public struct Period: Hashable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    /// 1 to 4, or nil for the whole year.
    public let quarter: Int?

    public init(year: Int, quarter: Int? = nil) throws {
        guard (1900...9999).contains(year), quarter.map({ (1...4).contains($0) }) ?? true else {
            throw StatisticsError.invalidPeriod(quarter.map { "\(year)-Q\($0)" } ?? String(year))
        }
        self.year = year
        self.quarter = quarter
    }

    /// `2021` or `2021-Q2` (a lower-case q is accepted).
    public init(parsing text: String) throws {
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, parts[0].count == 4, let y = Int(parts[0]) else {
            throw StatisticsError.invalidPeriod(text)
        }
        if parts.count == 2 {
            guard parts[1].count == 2, parts[1].first == "Q", let q = Int(parts[1].dropFirst()) else {
                throw StatisticsError.invalidPeriod(text)
            }
            try self.init(year: y, quarter: q)
        } else {
            try self.init(year: y)
        }
    }

    public var description: String { quarter.map { "\(year)-Q\($0)" } ?? String(year) }

    /// Whether a day falls inside the period.
    public func contains(_ date: CalendarDate) -> Bool {
        date.year == year && (quarter.map { $0 == date.quarter } ?? true)
    }

    /// The year whose privacy budget a release of this period spends: quarters draw on their year.
    public var budgetYear: Int { year }

    /// Whether the period's last day is before `today`.
    public func hasEnded(by today: CalendarDate) -> Bool {
        let lastMonth = quarter.map { $0 * 3 } ?? 12
        return (today.year, today.month) > (year, lastMonth)
    }

    /// The whole year of a year already checked.
    init(wholeYear year: Int) {
        self.year = year
        quarter = nil
    }

    /// The last year that has ended by `today`.
    public static func lastCompleteYear(by today: CalendarDate) throws -> Period {
        try Period(year: today.year - 1)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - Dimensions and mechanism

/// A way to break a count down: the fixed public list, and nothing else.
public enum TableDimension: String, Codable, CaseIterable, Sendable {
    case year, quarter, segment, reason, destination, outcome
}

/// Which date puts a case in a period.
public enum CountingBasis: String, Codable, CaseIterable, Sendable {
    /// The day the principal arrived in the destination country (the default: "people relocated").
    case arrival
    /// The day the case was opened ("people who asked for help").
    case intake
}

/// How a release protects the people it counts.
public enum Mechanism: Hashable, Codable, Sendable {
    /// Suppression below k, rounding and complementary suppression; spends no ε.
    case threshold
    /// Discrete Laplace noise with privacy loss ε, then suppression and rounding.
    case discreteLaplace(epsilon: ExactRational)

    /// `threshold` or `dp`, as in the JSON metadata.
    public var name: String {
        switch self {
        case .threshold: return "threshold"
        case .discreteLaplace: return "dp"
        }
    }

    /// The privacy loss charged to the period's budget.
    public var epsilon: ExactRational? {
        if case .discreteLaplace(let e) = self { return e }
        return nil
    }
}

// MARK: - Table spec

/// Everything that decides a release's numbers, apart from the cases themselves.
public struct TableSpec: Hashable, Codable, Sendable {
    public static let defaultK = StatisticsSettings.minimumK
    public static let minimumK = StatisticsSettings.minimumK
    public static let defaultRoundingBase = StatisticsSettings.minimumRoundingBase
    public static let maximumDimensions = 2
    public static let defaultEpsilon = ExactRational(1, 2)
    public static let maximumEpsilon = ExactRational(10)

    public let period: Period
    public let basis: CountingBasis
    public let dimensions: [TableDimension]
    public let k: Int
    public let roundingBase: Int
    public let includeFamily: Bool
    public let mechanism: Mechanism

    /// A checked spec.
    ///
    /// Tables have at most two dimensions: every suppressed cell of a two-way table with its
    /// margins can be audited exactly (a transportation problem), which a three-way table cannot.
    public init(
        period: Period, dimensions: [TableDimension] = [], basis: CountingBasis = .arrival,
        k: Int = TableSpec.defaultK, roundingBase: Int = TableSpec.defaultRoundingBase,
        includeFamily: Bool = false, mechanism: Mechanism = .threshold
    ) throws {
        guard dimensions.count <= TableSpec.maximumDimensions else {
            throw StatisticsError.invalidSpec("a table can be broken down by at most \(TableSpec.maximumDimensions) dimensions.")
        }
        guard Set(dimensions).count == dimensions.count else {
            throw StatisticsError.invalidSpec("a dimension is named twice.")
        }
        guard k >= StatisticsSettings.minimumK else {
            throw StatisticsError.floorLowered("k", requested: k, floor: StatisticsSettings.minimumK)
        }
        guard roundingBase >= StatisticsSettings.minimumRoundingBase else {
            throw StatisticsError.floorLowered("rounding base", requested: roundingBase, floor: StatisticsSettings.minimumRoundingBase)
        }
        guard k <= 1000 else {
            throw StatisticsError.invalidSpec("k must be at most 1000.")
        }
        guard roundingBase <= k else {
            throw StatisticsError.invalidSpec("the rounding base must not be above k (\(k)).")
        }
        if let e = mechanism.epsilon, e <= .zero || e > TableSpec.maximumEpsilon {
            throw StatisticsError.invalidEpsilon(e.description)
        }
        self.period = period
        self.dimensions = dimensions
        self.basis = basis
        self.k = k
        self.roundingBase = roundingBase
        self.includeFamily = includeFamily
        self.mechanism = mechanism
    }

    /// The ledger key: one line that names the table and every parameter, in a fixed order.
    ///
    /// Two requests with the same canonical form are the same release and get the same answer.
    public var canonicalForm: String {
        [
            tableKey, "k=\(k)", "round=\(roundingBase)", "mechanism=\(mechanism.name)",
            "epsilon=\(mechanism.epsilon.map { "\($0.numerator)/\($0.denominator)" } ?? "none")",
        ].joined(separator: ";")
    }

    /// The table without its protection parameters: releases with the same key describe the same
    /// people, so a second one with other settings could be subtracted from the first.
    public var tableKey: String {
        [
            "v1", "period=\(period)", "basis=\(basis.rawValue)",
            "by=\(dimensions.map(\.rawValue).joined(separator: ","))", "family=\(includeFamily ? 1 : 0)",
        ].joined(separator: ";")
    }
}
