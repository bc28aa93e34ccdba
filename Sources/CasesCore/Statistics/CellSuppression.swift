/// The published form of a one- or two-way table of counts, with every suppressed number
/// protected against recovery from the others.
struct SuppressedTable: Equatable, Sendable {
    var cells: [[PublishedCount]]
    /// Empty when row sums are not published (one-way tables, where they equal the cells).
    var rowSums: [PublishedCount]
    /// Empty when column sums are not published.
    var columnSums: [PublishedCount]
    var total: PublishedCount
}

/// Primary and complementary (secondary) cell suppression with an exact audit.
///
/// Primary: every number below k is shown as `<k`. Complementary: while some suppressed number
/// could be narrowed below its full range `0…k−1` by an adversary who solves the whole table
/// (`FeasibilityAudit`, rounding of every shown number included), a shown cell is withheld as
/// `x`: the smallest that restores the full range on its own, else the smallest in the same row
/// or column, and look again. Withholding more only widens what a reader can deduce, so this
/// ends; cells that turn out not to be needed are then given back, largest first, keeping every
/// suppressed number protected. Greedy, so not minimal, but the result is always audited.
struct CellSuppression {
    let rule: PublicationRule
    let publishRowSums: Bool
    let publishColumnSums: Bool

    /// The protected table for `values`, or nil when no choice of cells to withhold suffices
    /// (then the caller merges categories and tries again).
    ///
    /// `forced` marks cells that must be withheld whatever their value (the family count of a
    /// suppressed principal cell): a reader knows nothing about them, and they are protected
    /// like primary cells.
    func protect(_ values: [[Int]], forced: [[Bool]]? = nil) -> SuppressedTable? {
        let rows = values.count, columns = values.first?.count ?? 0
        var table = SuppressedTable(
            cells: values.enumerated().map { i, row in
                row.enumerated().map { j, v in (forced?[i][j] ?? false) ? .withheld : rule.publish(v) }
            },
            rowSums: publishRowSums ? values.map { rule.publish($0.reduce(0, +)) } : [],
            columnSums: publishColumnSums ? (0..<columns).map { j in rule.publish(values.reduce(0) { $0 + $1[j] }) } : [],
            total: rule.publish(values.joined().reduce(0, +)))
        var sensitive: [TableQuantity] = []
        for i in 0..<rows {
            for j in 0..<columns where table.cells[i][j] == .belowThreshold(k: rule.k) || (forced?[i][j] ?? false) {
                sensitive.append(.cell(i, j))
            }
        }
        for (i, c) in table.rowSums.enumerated() where c.number == nil { sensitive.append(.row(i)) }
        for (j, c) in table.columnSums.enumerated() where c.number == nil { sensitive.append(.column(j)) }
        if table.total.number == nil { sensitive.append(.total) }

        func allProtected(_ t: SuppressedTable) -> Bool {
            let known = knowledge(of: t, forced: forced)
            return sensitive.allSatisfy { isProtected($0, in: known) }
        }
        var complementary: [(Int, Int)] = []
        while let exposed = sensitive.first(where: { !isProtected($0, in: knowledge(of: table, forced: forced)) }) {
            let options = candidates(for: exposed, in: table, values: values)
            guard !options.isEmpty else { return nil }
            // The smallest cell that protects the exposed number on its own; failing that, the
            // smallest in its row or column, and look again (several may be needed together).
            var choice = options[0]
            for candidate in options {
                var trial = table
                trial.cells[candidate.0][candidate.1] = .withheld
                if isProtected(exposed, in: knowledge(of: trial, forced: forced)) {
                    choice = candidate
                    break
                }
            }
            table.cells[choice.0][choice.1] = .withheld
            complementary.append(choice)
        }
        // Give back what turned out not to be needed, largest first: the greedy pass can
        // withhold a cell that later choices made redundant.
        for cell in complementary.sorted(by: { values[$0.0][$0.1] > values[$1.0][$1.1] }) {
            var trial = table
            trial.cells[cell.0][cell.1] = rule.publish(values[cell.0][cell.1])
            if allProtected(trial) { table = trial }
        }
        return table
    }

    /// Whether a reader of the table can still believe the number is any of 0…k−1.
    func isProtected(_ q: TableQuantity, in knowledge: TableKnowledge) -> Bool {
        FeasibilityAudit.canTake(0, q, in: knowledge) && FeasibilityAudit.canTake(rule.k - 1, q, in: knowledge)
    }

    /// What a reader knows from a published table.
    func knowledge(of table: SuppressedTable, forced: [[Bool]]?) -> TableKnowledge {
        let open = 0...FeasibilityAudit.unbounded
        return TableKnowledge(
            cells: table.cells.enumerated().map { i, row in
                row.enumerated().map { j, c in (forced?[i][j] ?? false) ? open : rule.preimage(of: c) }
            },
            rowSums: publishRowSums ? table.rowSums.map(rule.preimage) : Array(repeating: open, count: table.cells.count),
            columnSums: publishColumnSums ? table.columnSums.map(rule.preimage) : Array(repeating: open, count: table.cells.first?.count ?? 0),
            total: rule.preimage(of: table.total))
    }

    /// Shown cells that could be withheld: those in the exposed number's row or column first,
    /// then the rest, smallest first so that as little as possible is lost.
    private func candidates(for q: TableQuantity, in table: SuppressedTable, values: [[Int]]) -> [(Int, Int)] {
        var near: [(Int, Int)] = [], far: [(Int, Int)] = []
        for i in table.cells.indices {
            for j in table.cells[i].indices where table.cells[i][j].number != nil {
                let close: Bool
                switch q {
                case .cell(let r, let c): close = r == i || c == j
                case .row(let r): close = r == i
                case .column(let c): close = c == j
                case .total: close = true
                }
                if close { near.append((i, j)) } else { far.append((i, j)) }
            }
        }
        let bySize = { (a: (Int, Int), b: (Int, Int)) in (values[a.0][a.1], a.0, a.1) < (values[b.0][b.1], b.0, b.1) }
        return near.sorted(by: bySize) + far.sorted(by: bySize)
    }
}
