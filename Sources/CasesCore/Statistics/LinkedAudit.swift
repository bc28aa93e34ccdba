/// Protection of a new table together with every table already published from the same
/// frozen period.
///
/// A hostile analyst puts every published number into one integer program, rounding included,
/// and asks how small and how large each suppressed cell can be. `LinkedAudit` asks the same
/// question with GLPK's exact integer solver (`LinkedProgram`) and withholds more cells of the
/// new table until every suppressed cell of every table can still be anything from 0 to k−1:
/// the width rule of the single-table `FeasibilityAudit`, which stays the fast path for a
/// period's first table.
///
/// Suppression rule (deterministic, and blind to true values beyond what is published): while
/// some protected cell (the first in release order, then cell order) can be narrowed, withhold
/// one shown cell of the new table (or, where the layout lets an `x` hide a small count, a `<k`
/// cell, which then counts as the smallest), chosen in this order: inner cells before sums of other
/// cells; cells that share people with the exposed one, then those that lie with it in the
/// smallest sum of the new table; smallest shown number; first in the table's fixed order. The
/// first option that protects the exposed cell on its own is taken, else the first option, and
/// look again. Cells that turn out not to be needed are then shown again, largest shown first.
/// If only withholding every shown number would do, the table is refused.
public struct LinkedAudit: Sendable {
    public let atomCount: Int
    public let published: [LinkedTable]
    public let familyLinks: [FamilyLink]

    public init(atomCount: Int, published: [LinkedTable], familyLinks: [FamilyLink] = []) {
        self.atomCount = atomCount
        self.published = published
        self.familyLinks = familyLinks
    }

    /// The exact feasible interval of every protected cell of `table` (by index in
    /// `table.cells`), given everything published plus `table`.
    public func intervals(adding table: LinkedTable) throws -> [Int: ClosedRange<Int>] {
        let program = try LinkedProgram(atomCount: atomCount, tables: published + [table], familyLinks: familyLinks)
        let base = program.offsets[published.count]
        var result: [Int: ClosedRange<Int>] = [:]
        for (i, cell) in table.cells.enumerated() where cell.isProtected {
            guard case .optimum(let lo, _)? = try program.optimize(cells: [base + i], .minimize) else {
                throw StatisticsError.linkedAuditFailed("the published tables contradict each other, or the solver ran out of time")
            }
            switch try program.optimize(cells: [base + i], .maximize) {
            case .optimum(let hi, _)?: result[i] = lo...hi
            case .unbounded?: result[i] = lo...FeasibilityAudit.unbounded
            default: throw StatisticsError.linkedAuditFailed("the published tables contradict each other, or the solver ran out of time")
            }
        }
        return result
    }

    /// `table` with the fewest cells withheld, by the rule above, so that every protected cell
    /// of every table stays at least k wide; throws `linkedConflict` naming the earlier release
    /// when only withholding every shown number would do.
    public func protect(_ table: LinkedTable) throws -> LinkedTable {
        let tables = published + [table]
        let program = try LinkedProgram(atomCount: atomCount, tables: tables, familyLinks: familyLinks)
        var check = LinkedProtectionCheck(program: program, tables: tables)
        let base = program.offsets[published.count]
        var result = table
        var withheld: [Int] = []
        var lastExposed: Int?

        // A `<k` cell withheld stays protected: it becomes a forced `x`.
        func withhold(_ i: Int) throws {
            result.cells[i].forced = table.cells[i].isProtected
            result.cells[i].shown = .withheld
            try program.setBounds(ofCell: base + i, to: result.cells[i].preimage(in: result))
        }
        func show(_ i: Int) throws {
            result.cells[i] = table.cells[i]
            try program.setBounds(ofCell: base + i, to: result.cells[i].preimage(in: result))
        }

        while let exposed = try check.firstExposed() {
            lastExposed = exposed
            let options = candidates(for: exposed, in: result, program: program)
            guard !options.isEmpty else { throw try conflict(exposed, in: result, offsets: program.offsets) }
            var choice = options[0]
            for option in options {
                let saved = check.checkpoint
                try withhold(option)
                let enough = try check.isProtected(exposed)
                try show(option)
                check.rollBack(to: saved)
                if enough {
                    choice = option
                    break
                }
            }
            try withhold(choice)
            withheld.append(choice)
        }
        // Show again what later choices made unnecessary, largest shown number first.
        for i in withheld.sorted(by: { (table.cells[$0].shown.number ?? 0, $0) > (table.cells[$1].shown.number ?? 0, $1) }) {
            let saved = check.checkpoint
            try show(i)
            check.revalidate()
            if try check.firstExposed() != nil {
                try withhold(i)
                check.rollBack(to: saved)
            }
        }
        let shownBefore = table.cells.contains { $0.shown != .withheld }
        if shownBefore, !result.cells.contains(where: { $0.shown != .withheld }), let exposed = lastExposed {
            throw try conflict(exposed, in: result, offsets: program.offsets)
        }
        return result
    }

    // MARK: - The suppression rule

    /// Shown cells of the new table that could be withheld for `exposed`, best first.
    private func candidates(for exposed: Int, in table: LinkedTable, program: LinkedProgram) -> [Int] {
        let base = program.offsets[published.count]
        func columns(_ g: Int) -> Set<Int32> { Set(program.cellTerms[g].map(\.column)) }
        let target = columns(exposed)
        let cellColumns = table.cells.indices.map { columns(base + $0) }
        // A sum of other cells of the table (a margin or total) is withheld only as a last resort.
        func isSum(_ i: Int) -> Bool {
            cellColumns.indices.contains { j in j != i && !cellColumns[j].isEmpty && cellColumns[j].isStrictSubset(of: cellColumns[i]) }
        }
        func closeness(_ i: Int) -> Int {
            if !cellColumns[i].isDisjoint(with: target) { return 0 }
            let shared = cellColumns.filter { $0.isSuperset(of: target) && $0.isSuperset(of: cellColumns[i]) }.map(\.count).min()
            return shared ?? Int.max
        }
        // A `<k` cell can be withheld only where an `x` may hide a small count; it then counts
        // as the smallest shown number, since withholding it tells a reader the least.
        let withholdable = table.cells.indices.filter { i in
            let cell = table.cells[i]
            return cell.shown.number != nil || (table.withheldMayBeSmall && cell.shown == .belowThreshold(k: table.rule.k))
        }
        return
            withholdable
            .map { i in (isSum(i) ? 1 : 0, closeness(i), table.cells[i].shown.number ?? 0, i) }
            .sorted { ($0.0, $0.1, $0.2, $0.3) < ($1.0, $1.1, $1.2, $1.3) }
            .map(\.3)
    }

    /// The refusal for a cell no withholding protects: names its release if it is an earlier
    /// one, else the first earlier release that narrows it on its own.
    private func conflict(_ exposed: Int, in table: LinkedTable, offsets: [Int]) throws -> StatisticsError {
        let t = offsets.lastIndex { $0 <= exposed } ?? 0
        if t < published.count { return .linkedConflict(releaseID: published[t].releaseID) }
        let own = exposed - offsets[t]
        for earlier in published {
            let pair = try LinkedProgram(atomCount: atomCount, tables: [earlier, table], familyLinks: familyLinks)
            var check = LinkedProtectionCheck(program: pair, tables: [earlier, table])
            if try !check.isProtected(pair.offsets[1] + own) { return .linkedConflict(releaseID: earlier.releaseID) }
        }
        return .linkedConflict(releaseID: published.isEmpty ? nil : published.last?.releaseID)
    }
}
