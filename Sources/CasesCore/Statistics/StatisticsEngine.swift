/// Turns decrypted case records and a table spec into a release, without storage or I/O.
///
/// Use `ReleaseLedger.publish` rather than this directly: the ledger is what stops two releases
/// of the same table from being subtracted from each other.
public enum StatisticsEngine {
    /// In noisy releases, the most family members one principal contributes: caps how much one
    /// case can move a family count, and so how much noise hides it.
    public static let familyContributionCap = 5

    /// A new release of `records` under `spec`; `budgetLeft` is only recorded in the metadata.
    public static func computeRelease(of records: [StatisticsRecord], spec: TableSpec, budgetLeft: ExactRational? = nil) throws -> Release {
        let counted = CountTable.records(records, in: spec)
        let rule = PublicationRule(k: spec.k, base: spec.roundingBase)
        var draft: Release
        switch spec.mechanism {
        case .threshold: draft = thresholdRelease(counted, spec: spec, rule: rule)
        case .discreteLaplace(let epsilon): draft = try noisyRelease(counted, spec: spec, rule: rule, epsilon: epsilon)
        }
        draft.budgetLeft = budgetLeft
        draft.headline = Headline.sentence(for: draft)
        return draft
    }

    // MARK: - Threshold

    private static func thresholdRelease(_ records: [StatisticsRecord], spec: TableSpec, rule: PublicationRule) -> Release {
        let dims = spec.dimensions
        var rows = CountTable.thresholdAxis(dims.first, records: records, spec: spec)
        var columns = CountTable.thresholdAxis(dims.count > 1 ? dims[1] : nil, records: records, spec: spec)
        let suppression = CellSuppression(rule: rule, publishRowSums: dims.count == 2, publishColumnSums: dims.count == 2)
        while true {
            let table = CountTable(records: records, rows: rows, columns: columns, basis: spec.basis)
            if let principals = suppression.protect(table.principals) {
                var family: SuppressedTable?
                if spec.includeFamily {
                    let forced = principals.cells.map { $0.map { $0.number == nil } }
                    family = suppression.protect(table.family, forced: forced)
                }
                return assemble(table, spec: spec, principals: principals, family: family,
                                familyTotal: spec.includeFamily ? rule.publish(table.family.joined().reduce(0, +)) : nil)
            }
            // No cells to withhold would do: coarsen the axis with more categories and retry.
            let rowsFirst = rows.groups.count >= columns.groups.count
            func size(_ axis: CategoryAxis) -> (CategoryAxis.Group) -> Int {
                { group in records.filter { r in axis.dimension.map { group.members.contains(CountTable.category(of: r, $0, basis: spec.basis)) } ?? true }.count }
            }
            if rowsFirst, rows.groups.count > 1 {
                rows.mergeSmallest(counting: size(rows), k: spec.k)
            } else if columns.groups.count > 1 {
                columns.mergeSmallest(counting: size(columns), k: spec.k)
            } else {
                // A 1 × 1 table is always safe; this cannot be reached.
                preconditionFailure("a single cell failed the audit")
            }
        }
    }

    // MARK: - Discrete Laplace

    /// Noise on every published number, each drawn independently.
    ///
    /// One principal moves one cell, one row sum, one column sum and the total by 1 (and the
    /// same four family numbers by at most `familyContributionCap`). ε is split evenly over
    /// these classes, each scaled to its sensitivity, so the whole release is ε-differentially
    /// private; suppression and rounding afterwards are post-processing and cost nothing.
    private static func noisyRelease(_ records: [StatisticsRecord], spec: TableSpec, rule: PublicationRule, epsilon: ExactRational) throws -> Release {
        let dims = spec.dimensions
        let rows = CountTable.fixedAxis(dims.first, spec: spec)
        let columns = CountTable.fixedAxis(dims.count > 1 ? dims[1] : nil, spec: spec)
        let cap = familyContributionCap
        let table = CountTable(records: records, rows: rows, columns: columns, basis: spec.basis, familyCap: cap)
        let classes = [1, 2, 4][dims.count] * (spec.includeFamily ? 2 : 1)
        // ε/classes has a small denominator; overflow is impossible for the ε a spec accepts.
        let perPrincipal = try epsilon.divided(by: classes)
        let perFamily = try perPrincipal.divided(by: cap)
        func noisy(_ grid: [[Int]], _ e: ExactRational) -> SuppressedTable {
            func publish(_ v: Int) -> PublishedCount { rule.publish(max(0, v + DiscreteLaplace.sample(epsilon: e))) }
            let columnCount = grid.first?.count ?? 0
            return SuppressedTable(
                cells: dims.isEmpty ? [[.withheld]] : grid.map { $0.map(publish) },
                rowSums: dims.count == 2 ? grid.map { publish($0.reduce(0, +)) } : [],
                columnSums: dims.count == 2 ? (0..<columnCount).map { j in publish(grid.reduce(0) { $0 + $1[j] }) } : [],
                total: publish(grid.joined().reduce(0, +)))
        }
        let principals = noisy(table.principals, perPrincipal)
        let family = spec.includeFamily ? noisy(table.family, perFamily) : nil
        return assemble(table, spec: spec, principals: principals, family: family, familyTotal: family?.total)
    }

    // MARK: - Assembly

    private static func assemble(_ table: CountTable, spec: TableSpec, principals: SuppressedTable, family: SuppressedTable?,
                                 familyTotal: PublishedCount?) -> Release {
        let dims = spec.dimensions
        var cells: [ReleaseCell] = []
        if !dims.isEmpty {
            for (i, row) in table.rows.groups.enumerated() {
                for (j, column) in table.columns.groups.enumerated() {
                    let categories = dims.count == 2 ? [row.label, column.label] : [row.label]
                    cells.append(ReleaseCell(categories: categories, count: principals.cells[i][j], family: family?.cells[i][j]))
                }
            }
        }
        var margins: [ReleaseMargin] = []
        if dims.count == 2 {
            for (i, row) in table.rows.groups.enumerated() {
                margins.append(ReleaseMargin(dimension: dims[0], category: row.label, count: principals.rowSums[i], family: family?.rowSums[i]))
            }
            for (j, column) in table.columns.groups.enumerated() {
                margins.append(ReleaseMargin(dimension: dims[1], category: column.label, count: principals.columnSums[j], family: family?.columnSums[j]))
            }
        }
        return Release(id: Release.newID(), spec: spec, budgetLeft: nil, headline: "", cells: cells, margins: margins,
                       total: principals.total, familyTotal: familyTotal)
    }
}
