/// Turns decrypted case records and a table spec into a release, without storage or I/O.
///
/// Use `ReleaseLedger.publish` rather than this directly: the ledger is what stops two releases
/// of the same table from being subtracted from each other.
public enum StatisticsEngine {
    /// In noisy releases, the most family members one principal contributes: caps how much one
    /// case can move a family count, and so how much noise hides it.
    public static let familyContributionCap = 5

    /// A new release of `records` under `spec`; `budgetLeft` is only recorded in the metadata.
    ///
    /// `destinations` names the destination rows (everyone else is `other`): the frozen list of
    /// the period, so that every table of a period has the same layout.
    public static func computeRelease(
        of records: [StatisticsRecord], spec: TableSpec, budgetLeft: ExactRational? = nil,
        destinations: [String] = StatisticsSettings.defaultDestinations
    ) throws -> Release {
        let counted = CountTable.records(records, in: spec)
        let rule = PublicationRule(k: spec.k, base: spec.roundingBase)
        let dims = spec.dimensions
        let rows = CountTable.fixedAxis(dims.first, spec: spec, destinations: destinations)
        let columns = CountTable.fixedAxis(dims.count > 1 ? dims[1] : nil, spec: spec, destinations: destinations)
        var draft: Release
        switch spec.mechanism {
        case .threshold:
            draft = thresholdRelease(CountTable(records: counted, rows: rows, columns: columns, basis: spec.basis), spec: spec, rule: rule)
        case .discreteLaplace(let epsilon):
            let table = CountTable(records: counted, rows: rows, columns: columns, basis: spec.basis, familyCap: familyContributionCap)
            draft = try noisyRelease(table, spec: spec, rule: rule, epsilon: epsilon)
        }
        draft.budgetLeft = budgetLeft
        draft.headline = Headline.sentence(for: draft)
        return draft
    }

    // MARK: - Threshold

    /// Suppression on the fixed layout. Family numbers go through the same rule, and every
    /// family number whose principal number is not shown is withheld too: "fewer than 10
    /// people, plus 10 family members" would prove that someone left.
    private static func thresholdRelease(_ table: CountTable, spec: TableSpec, rule: PublicationRule) -> Release {
        let dims = spec.dimensions
        let suppression = CellSuppression(rule: rule, publishRowSums: dims.count == 2, publishColumnSums: dims.count == 2)
        let principals = suppression.protect(table.principals, forced: [])
        var family: SuppressedTable?
        if spec.includeFamily {
            family = suppression.protect(table.family, forced: hiddenNumbers(of: principals))
        }
        return assemble(table, spec: spec, principals: principals, family: family)
    }

    /// The numbers of a protected table that a reader is not shown.
    static func hiddenNumbers(of t: SuppressedTable) -> Set<TableQuantity> {
        var hidden: Set<TableQuantity> = []
        for (i, row) in t.cells.enumerated() { for (j, c) in row.enumerated() where c.number == nil { hidden.insert(.cell(i, j)) } }
        for (i, c) in t.rowSums.enumerated() where c.number == nil { hidden.insert(.row(i)) }
        for (j, c) in t.columnSums.enumerated() where c.number == nil { hidden.insert(.column(j)) }
        if t.total.number == nil { hidden.insert(.total) }
        return hidden
    }

    // MARK: - Discrete Laplace

    /// Noise on every published number, each drawn independently.
    ///
    /// One principal moves one cell, one row sum, one column sum and the total by 1 (and the
    /// same four family numbers by at most `familyContributionCap`). ε is split evenly over
    /// these classes, each scaled to its sensitivity, so the whole release is ε-differentially
    /// private; suppression and rounding afterwards are post-processing and cost nothing.
    private static func noisyRelease(_ table: CountTable, spec: TableSpec, rule: PublicationRule, epsilon: ExactRational) throws -> Release {
        let dims = spec.dimensions
        let cap = familyContributionCap
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
        var family = spec.includeFamily ? noisy(table.family, perFamily) : nil
        // As in threshold releases, no family number beside a principal number that is not shown.
        for q in hiddenNumbers(of: principals) { family?[q] = .withheld }
        return assemble(table, spec: spec, principals: principals, family: family)
    }

    // MARK: - Assembly

    private static func assemble(_ table: CountTable, spec: TableSpec, principals: SuppressedTable, family: SuppressedTable?) -> Release {
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
                margins.append(
                    ReleaseMargin(dimension: dims[1], category: column.label, count: principals.columnSums[j], family: family?.columnSums[j]))
            }
        }
        return Release(
            id: Release.newID(), spec: spec, budgetLeft: nil, headline: "", cells: cells, margins: margins,
            total: principals.total, familyTotal: family?.total)
    }
}
