import Testing

@testable import CasesCore

/// The linked check takes shortcuts (integer points kept and checked again instead of solved
/// for, rounded relaxations, one solve for many cells): on random linked tables it must reach
/// the same verdicts as asking the exact interval of every protected cell, one by one.
@Suite struct LinkedProtectionCheckTests {
    static let rule = PublicationRule(k: 10, base: 5)
    static let familyMaximum = 3

    /// Two quarters × three destinations of principals, a family atom beside each.
    struct Instance {
        var tables: [LinkedTable]
        let atomCount = 12
        var links: [FamilyLink] {
            (0..<6).map { FamilyLink(principals: $0, family: 6 + $0, maximumPerPrincipal: LinkedProtectionCheckTests.familyMaximum) }
        }

        init(seed: UInt64) {
            var g = CaseloadGenerator(seed: seed)
            let principals = (0..<6).map { _ in g.below(3) == 0 ? g.below(25) : g.below(8) }
            let family = principals.map { p in (0...p).reduce(0) { sum, _ in sum + g.below(LinkedProtectionCheckTests.familyMaximum) } }
            func atom(_ q: Int, _ d: Int) -> Int { q * 3 + d }
            // Year by destination, each quarter by destination, quarter × destination: cells,
            // then sums; some with family numbers; a few shown numbers withheld.
            var groups: [[[Int]]] = [(0..<3).map { d in [atom(0, d), atom(1, d)] } + [Array(0..<6)]]
            for q in 0..<2 { groups.append((0..<3).map { [atom(q, $0)] } + [(0..<3).map { atom(q, $0) }]) }
            groups.append(
                (0..<6).map { [$0] } + (0..<2).map { q in (0..<3).map { atom(q, $0) } }
                    + (0..<3).map { d in [atom(0, d), atom(1, d)] } + [Array(0..<6)])
            tables = groups.enumerated().map { t, cells in
                let withFamily = g.below(2) == 0
                var linked: [LinkedCell] = []
                for atoms in cells {
                    var shown = LinkedProtectionCheckTests.rule.publish(atoms.reduce(0) { $0 + principals[$1] })
                    if shown.number != nil && g.below(5) == 0 { shown = .withheld }
                    linked.append(LinkedCell(atoms: atoms, shown: shown))
                    if withFamily {
                        let hidden = shown.number == nil
                        let f = LinkedProtectionCheckTests.rule.publish(atoms.reduce(0) { $0 + family[$1] })
                        linked.append(LinkedCell(atoms: atoms.map { 6 + $0 }, shown: hidden ? .withheld : f, forced: hidden))
                    }
                }
                return LinkedTable(releaseID: "t\(t)", rule: LinkedProtectionCheckTests.rule, cells: linked)
            }
        }

        /// The slow exact path: every protected cell's interval, each table audited as the last.
        func narrowCells() throws -> [(table: Int, cell: Int)] {
            var narrow: [(Int, Int)] = []
            for t in tables.indices {
                var others = tables
                others.remove(at: t)
                let intervals = try LinkedAudit(atomCount: atomCount, published: others, familyLinks: links).intervals(adding: tables[t])
                for (i, cell) in tables[t].cells.enumerated() where cell.isProtected {
                    guard let interval = intervals[i] else { continue }
                    if interval.lowerBound > 0 || interval.upperBound < tables[t].rule.k - 1 { narrow.append((t, i)) }
                }
            }
            return narrow
        }
    }

    @Test func firstExposedCellIsTheFirstThatExactIntervalsFindNarrow() throws {
        var compared = 0
        for seed in UInt64(1)...60 {
            let instance = Instance(seed: seed)
            let program = try LinkedProgram(atomCount: instance.atomCount, tables: instance.tables, familyLinks: instance.links)
            var check = LinkedProtectionCheck(program: program, tables: instance.tables)
            let fast = try check.firstExposed()
            let slow = try instance.narrowCells().first.map { program.offsets[$0.table] + $0.cell }
            #expect(fast == slow, "seed \(seed): the check finds \(String(describing: fast)), exact intervals \(String(describing: slow))")
            if slow != nil { compared += 1 }
        }
        #expect(compared > 5)
    }

    /// `protect` tries cells, withholds, and shows cells again, keeping and re-checking points
    /// throughout: each table published in turn must leave every table safe by the exact
    /// intervals, and no cell it withheld could have been shown.
    @Test func tablesProtectedInTurnAreSafeAndMinimalByExactIntervals() throws {
        var withheldSomething = 0
        for seed in UInt64(100)...140 {
            let drafts = Instance(seed: seed).tables
            var published = Instance(seed: seed)
            published.tables = []
            for new in drafts {
                let protected: LinkedTable
                do {
                    protected = try LinkedAudit(atomCount: published.atomCount, published: published.tables, familyLinks: published.links).protect(
                        new)
                } catch StatisticsError.linkedConflict {
                    continue
                }
                var after = published
                after.tables.append(protected)
                let narrow = try after.narrowCells()
                #expect(narrow.isEmpty, "seed \(seed): narrow after protecting \(new.releaseID): \(narrow.prefix(3))")
                for i in protected.cells.indices where protected.cells[i].shown == .withheld && new.cells[i].shown != .withheld {
                    withheldSomething += 1
                    var trial = published
                    var shownAgain = protected
                    shownAgain.cells[i] = new.cells[i]
                    trial.tables.append(shownAgain)
                    #expect(try !trial.narrowCells().isEmpty, "seed \(seed): \(new.releaseID) cell \(i) was withheld, but showing it exposes nothing")
                }
                published = after
            }
        }
        #expect(withheldSomething > 10)
    }
}
