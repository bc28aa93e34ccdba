// `cases-bench linked --cases N`: a linked audit of a new table against 30 tables already
// published from one period of N cases, with the single-table audit of the same table as the
// anchor. The goal (issue 16): at most 2 s for 100,000 cases.
import CasesCore
import Foundation

enum LinkedBenchmark {
    /// quarter, segment, reason, destination, outcome: the finest cells of the period.
    static let sizes = [4, 5, 6, 13, 6]
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

        // 30 published: every one- and two-way year table, each without and with family.
        var specs: [[Int]] = (0..<5).map { [$0] }
        for a in 0..<5 { for b in (a + 1)..<5 { specs.append([a, b]) } }
        var published: [LinkedTable] = []
        let setup = try seconds {
            for withFamily in [false, true] {
                for dims in specs {
                    let table = build(dims, quarter: nil, withFamily: withFamily, principals: principals, family: family, id: "\(dims)\(withFamily ? "+family" : "")")
                    published.append(try LinkedAudit(atomCount: 2 * principalAtoms, published: published, familyLinks: links).protect(table))
                }
            }
        }
        // The new table: Q1 by reason × destination.
        let new = build([2, 3], quarter: 0, withFamily: false, principals: principals, family: family, id: "Q1 reason×destination")
        let audit = LinkedAudit(atomCount: 2 * principalAtoms, published: published, familyLinks: links)
        var protected = new
        let linked = try seconds { protected = try audit.protect(new) }
        let alone = try seconds { _ = try LinkedAudit(atomCount: 2 * principalAtoms, published: [], familyLinks: links).protect(new) }
        let small = published.reduce(0) { $0 + $1.cells.filter(\.isProtected).count }
        let withheld = published.reduce(0) { $0 + $1.cells.filter { $0.shown == .withheld && !$0.forced }.count }
        let added = zip(new.cells, protected.cells).filter { $0.shown != $1.shown }.count
        print("linked audit: \(cases) cases, \(principalAtoms) principal atoms, 30 tables published (set up in \(format(setup)); \(small) small cells, \(withheld) withheld)")
        print("linked audit of a new table against 30 published   \(format(linked))   goal ≤ 2 s   (\(added) more cells withheld)")
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
                cells.append(LinkedCell(atoms: atoms.map { principals.count + $0 }, shown: small ? .withheld : rule.publish(atoms.reduce(0) { $0 + family[$1] }), forced: small))
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
