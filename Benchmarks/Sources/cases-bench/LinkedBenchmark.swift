// `cases-bench linked --cases N`: a linked audit of a new table against 30 tables already
// published from one period of N cases, with the single-table audit of the same table as the
// anchor. The goal (issue 16): at most 2 s for 100,000 cases.
import CasesCore
import Foundation

enum LinkedBenchmark {
    /// quarter, segment, reason, destination: the finest cells of the period.
    static let sizes = [4, 5, 6, 13]
    static let familyMaximum = 20
    static let rule = PublicationRule(k: 10, base: 5)

    static func run(cases: Int, seed: UInt64 = 42) throws {
        let principalAtoms = sizes.reduce(1, *)
        var principals = [Int](repeating: 0, count: principalAtoms)
        var family = principals
        var random = SplitMix(seed: seed)
        for _ in 0..<cases {
            // Skewed like a real caseload: a few big categories, many small ones.
            let coordinates = sizes.enumerated().map { d, n in d == 0 ? random.below(n) : random.skewed(n) }
            let atom = index(coordinates)
            principals[atom] += 1
            family[atom] += random.skewed(5)
        }
        let links = (0..<principalAtoms).map { FamilyLink(principals: $0, family: principalAtoms + $0, maximumPerPrincipal: familyMaximum) }

        // 30 published, the battery of the issue: the year and each quarter by destination, by
        // segment and by reason × destination, each without and with family.
        let breakdowns = [[3], [1], [2, 3]]
        var published: [LinkedTable] = []
        var refused = 0
        let setup = try seconds {
            for withFamily in [false, true] {
                for quarter in [nil, 0, 1, 2, 3] as [Int?] {
                    for dims in breakdowns {
                        let id = "\(quarter.map { "Q\($0 + 1)" } ?? "year") \(dims)\(withFamily ? " family" : "")"
                        let table = build(dims, quarter: quarter, withFamily: withFamily, principals: principals, family: family, id: id)
                        // A table the audit refuses is not published, as `cases stats` would do.
                        // Each step is printed as it ends, so a run stopped by a time bound still
                        // shows how the cost grows with the tables already published.
                        let step = try seconds {
                            do {
                                published.append(
                                    try LinkedAudit(atomCount: 2 * principalAtoms, published: published, familyLinks: links).protect(table))
                            } catch StatisticsError.linkedConflict {
                                refused += 1
                            }
                        }
                        FileHandle.standardOutput.write(
                            Data("  published \(published.count), refused \(refused): \(id) audited in \(format(step))\n".utf8))
                    }
                }
            }
        }
        // The new table: the year by segment × destination.
        let new = build([1, 3], quarter: nil, withFamily: false, principals: principals, family: family, id: "year segment×destination")
        let audit = LinkedAudit(atomCount: 2 * principalAtoms, published: published, familyLinks: links)
        var protected = new
        var verdict = "more cells withheld"
        let linked = try seconds {
            do { protected = try audit.protect(new) } catch StatisticsError.linkedConflict { verdict = "refused" }
        }
        let alone = try seconds { _ = try LinkedAudit(atomCount: 2 * principalAtoms, published: [], familyLinks: links).protect(new) }
        let small = published.reduce(0) { $0 + $1.cells.filter(\.isProtected).count }
        let withheld = published.reduce(0) { $0 + $1.cells.filter { $0.shown == .withheld && !$0.forced }.count }
        let added = zip(new.cells, protected.cells).filter { $0.shown != $1.shown }.count
        print(
            "linked audit: \(cases) cases, \(principalAtoms) principal atoms, \(published.count) tables published and \(refused) refused (set up in \(format(setup)); \(small) small cells, \(withheld) withheld)"
        )
        print(
            "linked audit of a new table against \(published.count) published   \(format(linked))   goal ≤ 2 s, ratio \(String(format: "%.2f", linked / 2))   (\(verdict == "refused" ? verdict : "\(added) \(verdict)"))"
        )
        print("anchor: the same table audited alone               \(format(alone))   ratio \(String(format: "%.1f", linked / max(alone, 1e-6)))")
    }

    static func index(_ coordinates: [Int]) -> Int {
        zip(coordinates, sizes).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// A one- or two-way table over `dims`: cells, then row sums, column sums and the total;
    /// with family, the family count of each follows it, withheld whenever its principals are.
    static func build(_ dims: [Int], quarter: Int?, withFamily: Bool, principals: [Int], family: [Int], id: String) -> LinkedTable {
        let all = (0..<principals.count).filter { atom in quarter.map { coordinate(atom, 0) == $0 } ?? true }
        func group(_ fixed: [(Int, Int)]) -> [Int] { all.filter { a in fixed.allSatisfy { coordinate(a, $0.0) == $0.1 } } }
        var groups: [[Int]] = []
        if dims.count == 1 {
            groups = (0..<sizes[dims[0]]).map { group([(dims[0], $0)]) }
        } else {
            for i in 0..<sizes[dims[0]] { for j in 0..<sizes[dims[1]] { groups.append(group([(dims[0], i), (dims[1], j)])) } }
            groups += (0..<sizes[dims[0]]).map { group([(dims[0], $0)]) }
            groups += (0..<sizes[dims[1]]).map { group([(dims[1], $0)]) }
        }
        groups.append(all)
        var cells: [LinkedCell] = []
        for atoms in groups {
            let count = atoms.reduce(0) { $0 + principals[$1] }
            let shown = rule.publish(count)
            cells.append(LinkedCell(atoms: atoms, shown: shown))
            if withFamily {
                let small = shown.number == nil
                cells.append(
                    LinkedCell(
                        atoms: atoms.map { principals.count + $0 }, shown: small ? .withheld : rule.publish(atoms.reduce(0) { $0 + family[$1] }),
                        forced: small))
            }
        }
        return LinkedTable(releaseID: id, rule: rule, cells: cells)
    }

    static func coordinate(_ atom: Int, _ d: Int) -> Int {
        var a = atom
        for e in stride(from: sizes.count - 1, to: d, by: -1) { a /= sizes[e] }
        return a % sizes[d]
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
    }

    static func format(_ s: Double) -> String { s < 1 ? String(format: "%.0f ms", s * 1000) : String(format: "%.2f s", s) }
}

/// Seeded test data (SplitMix64), not privacy noise.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// Geometric weights: category i is chosen about 0.45^i as often as the first.
    mutating func skewed(_ n: Int) -> Int {
        var i = 0
        while i < n - 1 && below(100) < 45 { i += 1 }
        return i
    }
}
