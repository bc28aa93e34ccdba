import Testing

@testable import CasesCore

@Suite struct LinkedAuditTests {
    static let rule = PublicationRule(k: 10, base: 5)

    // MARK: - Agreement with the single-table audit

    @Test func agreesWithTheSingleTableAuditOnRandomTables() throws {
        for seed in UInt64(1)...160 {
            var g = CaseloadGenerator(seed: seed)
            let rows = 1 + g.below(5), columns = g.below(3) == 0 ? 1 : 2 + g.below(4)
            let twoWay = columns > 1
            let values = (0..<rows).map { _ in (0..<columns).map { _ in g.below(3) == 0 ? g.below(10) : g.below(40) } }
            let forced: [[Bool]]? = g.below(3) == 0 ? values.map { $0.map { _ in g.below(4) == 0 } } : nil
            let suppression = CellSuppression(rule: Self.rule, publishRowSums: twoWay, publishColumnSums: twoWay)
            guard let table = suppression.protect(values, forced: forced) else { continue }
            let knowledge = suppression.knowledge(of: table, forced: forced)
            let (linked, quantities) = Self.linkedTable(table, forced: forced, twoWay: twoWay)
            let intervals = try LinkedAudit(atomCount: rows * columns, published: []).intervals(adding: linked)
            for (index, quantity) in quantities.enumerated() where linked.cells[index].isProtected {
                let single = FeasibilityAudit.feasibleRange(of: quantity, in: knowledge)
                #expect(
                    intervals[index] == single,
                    "seed \(seed): \(quantity) linked \(String(describing: intervals[index])) single \(String(describing: single))")
            }
            #expect(intervals.count == linked.cells.filter(\.isProtected).count, "seed \(seed)")
        }
    }

    @Test func protectedSingleTableNeedsNothingMoreWithheld() throws {
        for seed in UInt64(200)...240 {
            var g = CaseloadGenerator(seed: seed)
            let rows = 2 + g.below(4), columns = 2 + g.below(4)
            let values = (0..<rows).map { _ in (0..<columns).map { _ in g.below(2) == 0 ? g.below(10) : g.below(60) } }
            let suppression = CellSuppression(rule: Self.rule, publishRowSums: true, publishColumnSums: true)
            guard let table = suppression.protect(values) else { continue }
            let (linked, _) = Self.linkedTable(table, forced: nil, twoWay: true)
            #expect(try LinkedAudit(atomCount: rows * columns, published: []).protect(linked) == linked, "seed \(seed)")
        }
    }

    // MARK: - Attacks from the published findings

    /// A year's quarter × destination table, then a Q1 table that merged Montenegro and
    /// Mongolia into `other` = 15: each of the two `<10` cells of the year table had to be
    /// at least 4.
    @Test func mergedOtherInAQuarterTableNarrowsTheYearsSmallCellsUnlessProtected() throws {
        let destinations = ["GE", "LT", "ME", "MN"]
        let truth = [[40, 20, 7, 6], [35, 25, 12, 11], [38, 22, 11, 13], [42, 18, 10, 12]]
        let suppression = CellSuppression(rule: Self.rule, publishRowSums: true, publishColumnSums: true)
        let year = try #require(suppression.protect(truth))
        let (yearTable, _) = Self.linkedTable(year, forced: nil, twoWay: true, releaseID: "year-quarter-destination")
        func atom(_ q: Int, _ d: String) -> Int { q * destinations.count + destinations.firstIndex(of: d)! }
        let q1 = LinkedTable(
            releaseID: "q1-destination", rule: Self.rule,
            cells: [
                LinkedCell(atoms: [atom(0, "GE")], shown: Self.rule.publish(40)),
                LinkedCell(atoms: [atom(0, "LT")], shown: Self.rule.publish(20)),
                LinkedCell(atoms: [atom(0, "ME"), atom(0, "MN")], shown: Self.rule.publish(13)),
                LinkedCell(atoms: (0..<4).map { atom(0, destinations[$0]) }, shown: Self.rule.publish(73)),
            ])
        let me = 2, mn = 3 // Q1 Montenegro and Q1 Mongolia in the year table
        let exposed = try LinkedAudit(atomCount: 16, published: [q1]).intervals(adding: yearTable)
        #expect(exposed[me] == 4...9)
        #expect(exposed[mn] == 4...9)

        // Where every `x` is known to be at least 10, withholding `other` still says ME + MN ≥ 10:
        // the Q1 table is refused, naming the year's release.
        #expect(throws: StatisticsError.linkedConflict(releaseID: "year-quarter-destination")) {
            try LinkedAudit(atomCount: 16, published: [yearTable]).protect(q1)
        }
        // Where an `x` may hide a small count, withholding is enough.
        var open = q1
        open.withheldMayBeSmall = true
        let protected = try LinkedAudit(atomCount: 16, published: [yearTable]).protect(open)
        #expect(protected.cells[2].shown == .withheld)
        #expect(protected.cells.map(\.shown).filter { $0 == .withheld }.count == 1)
        try Self.expectEveryProtectedCellFullWidth([yearTable, protected], atomCount: 16)
    }

    /// Year 35, minus Q3 shown as 10, minus two `<10` quarters: Q1 threats_violence × LT had
    /// to be at least 3.
    @Test func yearMinusQuartersNarrowsAQuarterUnlessProtected() throws {
        // Atoms: quarter × (LT, GE), all threats_violence.
        let lt = [7, 8, 11, 9], ge = [50, 60, 55, 45]
        func atom(_ q: Int, _ d: Int) -> Int { q * 2 + d }
        let year = LinkedTable(
            releaseID: "year-destination", rule: Self.rule,
            cells: [
                LinkedCell(atoms: (0..<4).map { atom($0, 0) }, shown: Self.rule.publish(lt.reduce(0, +))),
                LinkedCell(atoms: (0..<4).map { atom($0, 1) }, shown: Self.rule.publish(ge.reduce(0, +))),
                LinkedCell(atoms: Array(0..<8), shown: Self.rule.publish(lt.reduce(0, +) + ge.reduce(0, +))),
            ])
        // Each quarter protected on its own: a `<10` cell and its partner withheld.
        func quarter(_ q: Int) -> LinkedTable {
            let suppression = CellSuppression(rule: Self.rule, publishRowSums: false, publishColumnSums: false)
            let t = suppression.protect([[lt[q]], [ge[q]]])!
            return LinkedTable(
                releaseID: "q\(q + 1)-destination", rule: Self.rule,
                cells: [
                    LinkedCell(atoms: [atom(q, 0)], shown: t.cells[0][0]),
                    LinkedCell(atoms: [atom(q, 1)], shown: t.cells[1][0]),
                    LinkedCell(atoms: [atom(q, 0), atom(q, 1)], shown: t.total),
                ])
        }
        #expect(year.cells[0].shown == .value(35))
        #expect(quarter(2).cells[0].shown == .value(10))
        let earlier = [year, quarter(0), quarter(1), quarter(3)]
        let exposed = try LinkedAudit(atomCount: 8, published: [year, quarter(1), quarter(2), quarter(3)]).intervals(adding: quarter(0))
        #expect(exposed[0] == 3...9)

        let protected = try LinkedAudit(atomCount: 8, published: earlier).protect(quarter(2))
        #expect(protected.cells[0].shown == .withheld)
        try Self.expectEveryProtectedCellFullWidth(earlier + [protected], atomCount: 8)
    }

    /// Principals by reason (criminal_prosecution 20) and by destination (LT 10); one newcomer
    /// arrives; the same tables "with family" on today's data give 25 and 15. The newcomers since
    /// the first release are a small population the reader must not place: modelled as `<10`
    /// cells, the engine sees that the pair pins the newcomer to criminal_prosecution and LT.
    @Test func differencingPairAcrossANewcomerIsCaught() throws {
        // Atoms: (old, new) × (criminal_prosecution, other reason) × (LT, other destination).
        func atom(new: Int, reason: Int, destination: Int) -> Int { new * 4 + reason * 2 + destination }
        let old = [[7, 15], [5, 10]], newcomer = [[1, 0], [0, 0]] // [reason][destination]
        func cell(_ news: [Int], reason: Int? = nil, destination: Int? = nil) -> (atoms: [Int], count: Int) {
            var atoms: [Int] = [], count = 0
            for n in news {
                for r in 0..<2 where reason.map({ $0 == r }) ?? true {
                    for d in 0..<2 where destination.map({ $0 == d }) ?? true {
                        atoms.append(atom(new: n, reason: r, destination: d))
                        count += (n == 0 ? old : newcomer)[r][d]
                    }
                }
            }
            return (atoms, count)
        }
        func table(_ id: String, _ news: [Int], byReason: Bool) -> LinkedTable {
            let parts = (0..<2).map { byReason ? cell(news, reason: $0) : cell(news, destination: $0) } + [cell(news)]
            return LinkedTable(releaseID: id, rule: Self.rule, cells: parts.map { LinkedCell(atoms: $0.atoms, shown: Self.rule.publish($0.count)) })
        }
        let byReason = table("reason", [0], byReason: true), byDestination = table("destination", [0], byReason: false)
        let laterReason = table("reason-family", [0, 1], byReason: true)
        let laterDestination = table("destination-family", [0, 1], byReason: false)
        #expect(byReason.cells[0].shown == .value(20) && laterReason.cells[0].shown == .value(25))
        #expect(byDestination.cells[0].shown == .value(10) && laterDestination.cells[0].shown == .value(15))
        // Fewer than 10 arrived since: by reason, by destination and in all.
        let newcomers = LinkedTable(
            releaseID: "newcomers", rule: Self.rule,
            cells: [
                cell([1], reason: 0), cell([1], reason: 1), cell([1], destination: 0), cell([1], destination: 1), cell([1]),
            ].map { LinkedCell(atoms: $0.atoms, shown: .belowThreshold(k: 10)) })
        let published = [byReason, byDestination, laterReason, laterDestination]
        let exposed = try LinkedAudit(atomCount: 8, published: published).intervals(adding: newcomers)
        #expect(exposed[0] == 1...9) // the newcomer's reason
        #expect(exposed[2] == 1...7) // and destination
        #expect(exposed[4] == 1...9) // and that someone came

        // Even its total tells that someone came: no withholding helps, and the table is refused.
        #expect(throws: StatisticsError.linkedConflict(releaseID: "newcomers")) {
            try LinkedAudit(atomCount: 8, published: [newcomers, byReason, byDestination]).protect(laterReason)
        }
        // Computed on the frozen period instead, the same table adds nothing and passes as it is.
        let frozen = table("reason-family", [0], byReason: true)
        #expect(try LinkedAudit(atomCount: 8, published: [newcomers, byReason, byDestination]).protect(frozen) == frozen)
    }

    // MARK: - Helpers

    /// A two-way (or one-way) suppressed table as linked cells over one atom per inner cell:
    /// inner cells row by row, then row sums, column sums and the total.
    static func linkedTable(_ t: SuppressedTable, forced: [[Bool]]?, twoWay: Bool, releaseID: String = "r")
        -> (LinkedTable, [TableQuantity])
    {
        let rows = t.cells.count, columns = t.cells.first?.count ?? 0
        var cells: [LinkedCell] = [], quantities: [TableQuantity] = []
        for i in 0..<rows {
            for j in 0..<columns {
                cells.append(LinkedCell(atoms: [i * columns + j], shown: t.cells[i][j], forced: forced?[i][j] ?? false))
                quantities.append(.cell(i, j))
            }
        }
        if twoWay {
            for i in 0..<rows {
                cells.append(LinkedCell(atoms: (0..<columns).map { i * columns + $0 }, shown: t.rowSums[i]))
                quantities.append(.row(i))
            }
            for j in 0..<columns {
                cells.append(LinkedCell(atoms: (0..<rows).map { $0 * columns + j }, shown: t.columnSums[j]))
                quantities.append(.column(j))
            }
        }
        cells.append(LinkedCell(atoms: Array(0..<(rows * columns)), shown: t.total))
        quantities.append(.total)
        return (LinkedTable(releaseID: releaseID, rule: rule, cells: cells), quantities)
    }

    /// Every protected cell of every table can still be anything from 0 to k−1, given all the
    /// others: each table is audited as the one added last.
    static func expectEveryProtectedCellFullWidth(_ tables: [LinkedTable], atomCount: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (t, table) in tables.enumerated() {
            var others = tables
            others.remove(at: t)
            let intervals = try LinkedAudit(atomCount: atomCount, published: others).intervals(adding: table)
            for (i, interval) in intervals {
                #expect(
                    interval.lowerBound == 0 && interval.upperBound >= table.rule.k - 1,
                    "\(table.releaseID) cell \(i): \(interval)", sourceLocation: sourceLocation)
            }
        }
    }
}
