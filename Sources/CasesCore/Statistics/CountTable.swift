/// One axis of a table: the categories shown, each the union of one or more raw values.
struct CategoryAxis: Equatable, Sendable {
    struct Group: Equatable, Sendable {
        var label: String
        var members: [String]
    }

    /// nil for the single pseudo-category of a missing dimension.
    let dimension: TableDimension?
    var groups: [Group]

    static let allLabel = "all"
    static let otherLabel = "other"

    static func single() -> CategoryAxis { CategoryAxis(dimension: nil, groups: [Group(label: allLabel, members: [allLabel])]) }

    func index(of raw: String) -> Int? {
        groups.firstIndex { $0.members.contains(raw) }
    }
}

/// Counts of principals (and their family members) per cell of a one- or two-way table.
///
/// A one-way table is a grid with one column; a table with no dimension is 1 × 1.
struct CountTable: Equatable, Sendable {
    var rows: CategoryAxis
    var columns: CategoryAxis
    var principals: [[Int]]
    var family: [[Int]]

    /// The raw category of a record along a dimension.
    static func category(of record: StatisticsRecord, _ dimension: TableDimension, basis: CountingBasis) -> String {
        let date = basis == .arrival ? (record.arrivedOn ?? record.intakeOn) : record.intakeOn
        switch dimension {
        case .year: return String(date.year)
        case .quarter: return "Q\(date.quarter)"
        case .segment: return record.segment.rawValue
        case .reason: return record.reason.rawValue
        case .destination: return record.destination ?? "unknown"
        case .outcome: return record.outcome?.rawValue ?? "open"
        }
    }

    /// The records a spec counts: those whose arrival (or intake) falls in the period.
    static func records(_ records: [StatisticsRecord], in spec: TableSpec) -> [StatisticsRecord] {
        records.filter { record in
            switch spec.basis {
            case .arrival: return record.arrivedOn.map(spec.period.contains) ?? false
            case .intake: return spec.period.contains(record.intakeOn)
            }
        }
    }

    /// A case counted by intake whose destination is not decided yet.
    static let unknownLabel = "unknown"

    /// The public, data-independent categories of a dimension, in display order.
    static func fixedCategories(_ dimension: TableDimension, period: Period, basis: CountingBasis, destinations: [String]) -> [String] {
        switch dimension {
        case .year: return [String(period.year)]
        case .quarter: return period.quarter.map { ["Q\($0)"] } ?? ["Q1", "Q2", "Q3", "Q4"]
        case .segment: return Segment.allCases.map(\.rawValue)
        case .reason: return LeavingReason.allCases.map(\.rawValue)
        case .outcome: return Outcome.allCases.map(\.rawValue) + ["open"]
        case .destination: return destinations + [CategoryAxis.otherLabel] + (basis == .intake ? [unknownLabel] : [])
        }
    }

    /// The axis of every release: the fixed public list in its own order, whatever the data
    /// hold, so that which rows a table has, and in what order, reveals nothing; an empty
    /// category is shown as `<k` like any small one. Destinations outside the list count as
    /// `other`.
    static func fixedAxis(_ dimension: TableDimension?, spec: TableSpec, destinations: [String]) -> CategoryAxis {
        guard let dimension else { return .single() }
        var groups = fixedCategories(dimension, period: spec.period, basis: spec.basis, destinations: destinations)
            .map { CategoryAxis.Group(label: $0, members: [$0]) }
        if dimension == .destination, let other = groups.firstIndex(where: { $0.label == CategoryAxis.otherLabel }) {
            groups[other].members.append(wildcard)
        }
        return CategoryAxis(dimension: dimension, groups: groups)
    }

    /// Member that catches every raw value not listed elsewhere on the axis.
    static let wildcard = "*"

    /// Counts `records` (already limited to the period) into the cells of two axes.
    init(records: [StatisticsRecord], rows: CategoryAxis, columns: CategoryAxis, basis: CountingBasis, familyCap: Int? = nil) {
        self.rows = rows
        self.columns = columns
        principals = Array(repeating: Array(repeating: 0, count: columns.groups.count), count: rows.groups.count)
        family = principals
        func locate(_ axis: CategoryAxis, _ record: StatisticsRecord) -> Int {
            guard let d = axis.dimension else { return 0 }
            let raw = CountTable.category(of: record, d, basis: basis)
            return axis.index(of: raw) ?? axis.index(of: CountTable.wildcard) ?? 0
        }
        for r in records {
            let i = locate(rows, r), j = locate(columns, r)
            principals[i][j] += 1
            family[i][j] += familyCap.map { min($0, r.familyMembers) } ?? r.familyMembers
        }
    }
}
