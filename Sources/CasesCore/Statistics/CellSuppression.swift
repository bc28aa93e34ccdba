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

    /// The protected table for `values`.
    ///
    /// `forced` marks numbers that must be withheld whatever their value (the family count of a
    /// suppressed principal number): a reader knows nothing about them, and they are protected
    /// like primary cells. The layout never changes: when no shown cell is left to withhold,
    /// row and column sums and then the total are withheld instead (a table of nothing but
    /// `<k` and `x` hides every number, so this always ends).
    func protect(_ values: [[Int]], forced: Set<TableQuantity>) -> SuppressedTable {
        protect(values, forced: forced, withholdingSums: true)
            ?? SuppressedTable(
                cells: values.map { $0.map { _ in .withheld } }, rowSums: publishRowSums ? values.map { _ in .withheld } : [],
                columnSums: publishColumnSums ? (values.first ?? []).map { _ in .withheld } : [], total: .withheld)
    }

    /// The protection itself; nil when `withholdingSums` is false and withholding cells alone
    /// does not suffice (the behaviour before layouts were fixed, when such a table was merged).
    private func protect(_ values: [[Int]], forced: Set<TableQuantity>, withholdingSums: Bool) -> SuppressedTable? {
        let rows = values.count, columns = values.first?.count ?? 0
        func shown(_ q: TableQuantity, _ v: Int) -> PublishedCount { forced.contains(q) ? .withheld : rule.publish(v) }
        var table = SuppressedTable(
            cells: values.enumerated().map { i, row in row.enumerated().map { j, v in shown(.cell(i, j), v) } },
            rowSums: publishRowSums ? values.enumerated().map { shown(.row($0), $1.reduce(0, +)) } : [],
            columnSums: publishColumnSums ? (0..<columns).map { j in shown(.column(j), values.reduce(0) { $0 + $1[j] }) } : [],
            total: shown(.total, values.joined().reduce(0, +)))
        var sensitive: [TableQuantity] = []
        for i in 0..<rows {
            for j in 0..<columns where table.cells[i][j] == .belowThreshold(k: rule.k) || forced.contains(.cell(i, j)) {
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
        var complementary: [TableQuantity] = []
        while let exposed = sensitive.first(where: { !isProtected($0, in: knowledge(of: table, forced: forced)) }) {
            let options = candidates(for: exposed, in: table, values: values, withholdingSums: withholdingSums)
            guard !options.isEmpty else { return nil }
            // The smallest number that protects the exposed one on its own; failing that, the
            // smallest in its row or column, and look again (several may be needed together).
            var choice = options[0]
            for candidate in options {
                var trial = table
                trial[candidate] = .withheld
                if isProtected(exposed, in: knowledge(of: trial, forced: forced)) {
                    choice = candidate
                    break
                }
            }
            table[choice] = .withheld
            complementary.append(choice)
        }
        // Give back what turned out not to be needed, largest first: the greedy pass can
        // withhold a number that later choices made redundant.
        for q in complementary.sorted(by: { Self.value(of: $0, in: values) > Self.value(of: $1, in: values) }) {
            var trial = table
            trial[q] = rule.publish(Self.value(of: q, in: values))
            if allProtected(trial) { table = trial }
        }
        return table
    }

    /// The single-table audit as it was before layouts were fixed (cells only; nil when that
    /// does not suffice), with forced cells as a grid: the form the linked engine's tests compare.
    func protect(_ values: [[Int]], forced: [[Bool]]? = nil) -> SuppressedTable? {
        protect(values, forced: Self.quantities(forced), withholdingSums: false)
    }

    /// What a reader knows, with forced cells as a grid.
    func knowledge(of table: SuppressedTable, forced: [[Bool]]?) -> TableKnowledge {
        knowledge(of: table, forced: Self.quantities(forced))
    }

    private static func quantities(_ grid: [[Bool]]?) -> Set<TableQuantity> {
        var set: Set<TableQuantity> = []
        for (i, row) in (grid ?? []).enumerated() { for (j, f) in row.enumerated() where f { set.insert(.cell(i, j)) } }
        return set
    }

    /// The true value of a number of the table.
    static func value(of q: TableQuantity, in values: [[Int]]) -> Int {
        switch q {
        case .cell(let i, let j): return values[i][j]
        case .row(let i): return values[i].reduce(0, +)
        case .column(let j): return values.reduce(0) { $0 + $1[j] }
        case .total: return values.joined().reduce(0, +)
        }
    }

    /// Whether a reader of the table can still believe the number is any of 0…k−1.
    func isProtected(_ q: TableQuantity, in knowledge: TableKnowledge) -> Bool {
        FeasibilityAudit.canTake(0, q, in: knowledge) && FeasibilityAudit.canTake(rule.k - 1, q, in: knowledge)
    }

    /// What a reader knows from a published table.
    func knowledge(of table: SuppressedTable, forced: Set<TableQuantity>) -> TableKnowledge {
        let open = 0...FeasibilityAudit.unbounded
        func known(_ q: TableQuantity, _ c: PublishedCount) -> ClosedRange<Int> { forced.contains(q) ? open : rule.preimage(of: c) }
        return TableKnowledge(
            cells: table.cells.enumerated().map { i, row in row.enumerated().map { j, c in known(.cell(i, j), c) } },
            rowSums: publishRowSums ? table.rowSums.enumerated().map { known(.row($0), $1) } : Array(repeating: open, count: table.cells.count),
            columnSums: publishColumnSums
                ? table.columnSums.enumerated().map { known(.column($0), $1) }
                : Array(repeating: open, count: table.cells.first?.count ?? 0),
            total: known(.total, table.total))
    }

    /// Shown numbers that could be withheld: cells in the exposed number's row or column first,
    /// then the other cells, smallest first so that as little as possible is lost; only when no
    /// cell is left, the shown sums (rows and columns, then the total).
    private func candidates(for q: TableQuantity, in table: SuppressedTable, values: [[Int]], withholdingSums: Bool) -> [TableQuantity] {
        var near: [TableQuantity] = [], far: [TableQuantity] = []
        for i in table.cells.indices {
            for j in table.cells[i].indices where table.cells[i][j].number != nil {
                let close: Bool
                switch q {
                case .cell(let r, let c): close = r == i || c == j
                case .row(let r): close = r == i
                case .column(let c): close = c == j
                case .total: close = true
                }
                if close { near.append(.cell(i, j)) } else { far.append(.cell(i, j)) }
            }
        }
        func bySize(_ a: TableQuantity, _ b: TableQuantity) -> Bool { Self.value(of: a, in: values) < Self.value(of: b, in: values) }
        let cells = near.sorted(by: bySize) + far.sorted(by: bySize)
        if !cells.isEmpty || !withholdingSums { return cells }
        let sums =
            table.rowSums.indices.filter { table.rowSums[$0].number != nil }.map { TableQuantity.row($0) }
            + table.columnSums.indices.filter { table.columnSums[$0].number != nil }.map { TableQuantity.column($0) }
        return sums.sorted(by: bySize) + (table.total.number != nil ? [.total] : [])
    }
}

extension SuppressedTable: TableGrid {}
