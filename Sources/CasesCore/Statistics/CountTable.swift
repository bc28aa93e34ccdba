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

    /// Merges group `a` into group `b` under a label fit for the dimension.
    mutating func merge(_ a: Int, into b: Int) {
        let members = groups[b].members + groups[a].members
        let label: String
        if dimension == .quarter {
            label = members.sorted().joined(separator: "+")
        } else if groups.count == 2 {
            label = CategoryAxis.allLabel
        } else {
            label = CategoryAxis.otherLabel
        }
        groups[b] = Group(label: label, members: members)
        groups.remove(at: a)
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

    /// The public, data-independent categories of a dimension, in display order.
    static func fixedCategories(_ dimension: TableDimension, period: Period) -> [String] {
        switch dimension {
        case .year: return [String(period.year)]
        case .quarter: return period.quarter.map { ["Q\($0)"] } ?? ["Q1", "Q2", "Q3", "Q4"]
        case .segment: return Segment.allCases.map(\.rawValue)
        case .reason: return LeavingReason.allCases.map(\.rawValue)
        case .outcome: return Outcome.allCases.map(\.rawValue) + ["open"]
        case .destination: return CountryNames.countriesInPlay + [CategoryAxis.otherLabel, "unknown"]
        }
    }

    /// The axis for threshold releases: every category with fewer than k principals over the
    /// whole period goes into `other` (quarters merge with a neighbour instead).
    static func thresholdAxis(_ dimension: TableDimension?, records: [StatisticsRecord], spec: TableSpec) -> CategoryAxis {
        guard let dimension else { return .single() }
        var counts: [String: Int] = [:]
        for r in records { counts[category(of: r, dimension, basis: spec.basis), default: 0] += 1 }
        var raws = fixedCategories(dimension, period: spec.period)
        if dimension == .destination {
            // Countries in order of size; nobody's destination is hidden in a fixed list.
            raws = counts.keys.filter { $0 != "unknown" }.sorted { (counts[$0]!, $1) > (counts[$1]!, $0) }
            if counts["unknown"] != nil { raws.append("unknown") }
            // No cases at all: one empty category, so the table still has a cell to show `<k` in.
            if raws.isEmpty { raws = [CategoryAxis.otherLabel] }
        }
        var axis = CategoryAxis(dimension: dimension, groups: raws.map { .init(label: $0, members: [$0]) })
        func size(_ g: CategoryAxis.Group) -> Int { g.members.reduce(0) { $0 + counts[$1, default: 0] } }
        if dimension == .quarter {
            while axis.groups.count > 1, axis.groups.contains(where: { size($0) < spec.k }) {
                axis.mergeSmallest(counting: size, k: spec.k)
            }
            return axis
        }
        // `other` itself may stay below k: it is then shown as `<k` and protected like any cell.
        while axis.groups.count > 1,
              let victim = axis.groups.indices.first(where: { axis.groups[$0].label != CategoryAxis.otherLabel && size(axis.groups[$0]) < spec.k }) {
            axis.moveIntoOther(victim)
        }
        // An `other` that nobody is in is left out: a row of `<k` that is really zero would pin
        // its neighbours in every column and force far coarser tables. Known trade-off: readers
        // learn that the merged categories were empty in the period.
        if axis.groups.count > 1, let o = axis.groups.firstIndex(where: { $0.label == CategoryAxis.otherLabel }), size(axis.groups[o]) == 0 {
            axis.groups.remove(at: o)
        }
        return axis
    }

    /// The axis for noisy releases: the fixed public list, so that which categories appear
    /// reveals nothing about the data; destinations outside the list count as `other`.
    static func fixedAxis(_ dimension: TableDimension?, spec: TableSpec) -> CategoryAxis {
        guard let dimension else { return .single() }
        var groups = fixedCategories(dimension, period: spec.period).map { CategoryAxis.Group(label: $0, members: [$0]) }
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

extension CategoryAxis {
    /// One step of merging: small categories go into `other`; if only `other` is small, the
    /// smallest remaining category joins it. Quarters merge with a neighbour instead.
    mutating func mergeSmallest(counting size: (Group) -> Int, k: Int) {
        guard groups.count > 1 else { return }
        if dimension == .quarter {
            let smallest = groups.indices.min { (size(groups[$0]), $0) < (size(groups[$1]), $1) }!
            let neighbours = [smallest - 1, smallest + 1].filter { groups.indices.contains($0) }
            let partner = neighbours.min { (size(groups[$0]), $0) < (size(groups[$1]), $1) }!
            merge(smallest, into: partner)
            return
        }
        let otherIndex = groups.firstIndex { $0.label == CategoryAxis.otherLabel }
        let candidates = groups.indices.filter { $0 != otherIndex }
        let small = candidates.filter { size(groups[$0]) < k }
        let victim = (small.isEmpty ? candidates : small).min { (size(groups[$0]), $0) < (size(groups[$1]), $1) }!
        moveIntoOther(victim)
    }

    /// Moves one group into `other` (started at the end of the axis if there is none yet).
    mutating func moveIntoOther(_ victim: Int) {
        if let otherIndex = groups.firstIndex(where: { $0.label == CategoryAxis.otherLabel }) {
            merge(victim, into: otherIndex)
        } else {
            let g = groups.remove(at: victim)
            groups.append(Group(label: groups.isEmpty ? CategoryAxis.allLabel : CategoryAxis.otherLabel, members: g.members))
        }
        // `other` stays last.
        if let o = groups.firstIndex(where: { $0.label == CategoryAxis.otherLabel }), o != groups.count - 1 {
            groups.append(groups.remove(at: o))
        }
    }
}
