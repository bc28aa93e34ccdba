import CGLPK

/// The integer program a hostile analyst solves over a frozen period's published tables: one
/// nonnegative integer variable per class of atoms that no published number tells apart, and
/// one row per distinct published sum, bounded by everything its readers were shown.
///
/// Owns a GLPK problem. GLPK is not thread-safe per problem object, so a program is made, used
/// and released on one thread (`LinkedAudit` makes one per call and never shares it).
final class LinkedProgram {
    enum Direction { case minimize, maximize }

    /// The result of one optimisation over integer points.
    enum Outcome {
        case infeasible
        case unbounded
        /// The optimum and an integer point that attains it (column values, 0-based).
        case optimum(Int, [Int])
        /// The optimum of the LP relaxation, at a point that is not integral, and that point
        /// rounded to the nearest integers (which may or may not agree with what is published).
        case relaxed(Double, rounded: [Int])
    }

    /// First global cell index of each table: tables in order, then their cells.
    let offsets: [Int]
    /// Each cell's terms over the reduced columns (1-based, as GLPK numbers them).
    let cellTerms: [[(column: Int32, coefficient: Double)]]
    let columnCount: Int
    /// The row of each cell, 0 for a cell over no atom (always 0, so nothing to publish).
    private let cellRow: [Int32]
    private let rowCells: [[Int]]
    private var cellBounds: [ClosedRange<Int>]
    /// What each row is bounded to now, kept beside GLPK's copy so that a point is checked
    /// without a solve.
    private var rowLimits: [ClosedRange<Int>]
    /// Family rows as 0-based columns: family ≤ maximum × principals.
    private let familyPairs: [(family: Int, principals: Int, maximum: Int)]
    /// Milliseconds one branch and bound may take before its best point so far is used.
    static let branchTimeLimit = 2_000
    private let problem: OpaquePointer
    private var objectiveColumns: [Int32] = []
    private var boundsChanged = false

    init(atomCount: Int, tables: [LinkedTable], familyLinks: [FamilyLink]) throws {
        var offsets: [Int] = []
        var cells: [(LinkedCell, LinkedTable)] = []
        for table in tables {
            offsets.append(cells.count)
            cells += table.cells.map { ($0, table) }
        }
        self.offsets = offsets

        // The coarsest common refinement: atoms in exactly the same published sums (with the
        // same coefficients, and the same family link) can only ever be read together, so they
        // become one variable. This is what keeps a period of 100,000 cases small.
        var signatures = Array(repeating: [Int](), count: atomCount)
        var cellCoefficients: [[Int: Int]] = []
        for (g, (cell, _)) in cells.enumerated() {
            var merged: [Int: Int] = [:]
            for term in cell.terms where term.coefficient != 0 {
                guard (0..<atomCount).contains(term.atom) else {
                    throw StatisticsError.linkedAuditFailed("a published cell names an atom outside the period")
                }
                merged[term.atom, default: 0] += term.coefficient
            }
            for (atom, c) in merged.sorted(by: { $0.key < $1.key }) where c != 0 { signatures[atom] += [g, c] }
            cellCoefficients.append(merged)
        }
        var linked = Set<Int>()
        var refined = signatures
        // A family atom that no published cell counts can always be 0: its link says nothing.
        let familyLinks = familyLinks.filter { !(0..<atomCount).contains($0.family) || !signatures[$0.family].isEmpty }
        for link in familyLinks {
            guard (0..<atomCount).contains(link.principals), (0..<atomCount).contains(link.family), link.principals != link.family,
                link.maximumPerPrincipal >= 0, linked.insert(link.principals).inserted, linked.insert(link.family).inserted
            else {
                throw StatisticsError.linkedAuditFailed("a family link names an atom twice or outside the period")
            }
            refined[link.principals] += [-1, link.maximumPerPrincipal] + signatures[link.family]
            refined[link.family] += [-2, link.maximumPerPrincipal] + signatures[link.principals]
        }
        var classOf = [Int32](repeating: 0, count: atomCount)
        var classes: [[Int]: Int32] = [:]
        for atom in 0..<atomCount {
            if let c = classes[refined[atom]] {
                classOf[atom] = c
            } else {
                let c = Int32(classes.count + 1)
                classes[refined[atom]] = c
                classOf[atom] = c
            }
        }
        columnCount = classes.count

        // Every atom of a class is in the same cells with the same coefficient, so a cell's
        // terms over classes are read off any one atom per class.
        var terms: [[(column: Int32, coefficient: Double)]] = []
        for merged in cellCoefficients {
            var seen: [Int32: Int] = [:]
            for (atom, c) in merged where c != 0 { seen[classOf[atom]] = c }
            terms.append(seen.sorted { $0.key < $1.key }.map { (column: $0.key, coefficient: Double($0.value)) })
        }
        cellTerms = terms

        // Rows: a sum published in several tables (totals, shared margins) is one row bounded by
        // the intersection of what each table showed.
        var rowOf: [[Double]: Int32] = [:]
        var rowCells: [[Int]] = [[]]
        var cellRow = [Int32](repeating: 0, count: cells.count)
        for (g, t) in terms.enumerated() where !t.isEmpty {
            let key = t.flatMap { [Double($0.column), $0.coefficient] }
            if let r = rowOf[key] {
                cellRow[g] = r
                rowCells[Int(r)].append(g)
            } else {
                let r = Int32(rowCells.count)
                rowOf[key] = r
                rowCells.append([g])
                cellRow[g] = r
            }
        }
        self.cellRow = cellRow
        self.rowCells = rowCells
        rowLimits = Array(repeating: 0...FeasibilityAudit.unbounded, count: rowCells.count)
        familyPairs = familyLinks.map { (Int(classOf[$0.family]) - 1, Int(classOf[$0.principals]) - 1, $0.maximumPerPrincipal) }
        cellBounds = cells.map { $0.0.preimage(in: $0.1) }
        for (g, t) in terms.enumerated() where t.isEmpty && !cellBounds[g].contains(0) {
            throw StatisticsError.linkedAuditFailed("a cell over no case is published as more than zero")
        }

        glp_term_out(GLP_OFF)
        guard let p = glp_create_prob() else { throw StatisticsError.linkedAuditFailed("the solver could not start") }
        problem = p
        let rowCount = rowCells.count - 1
        let familyRows = familyLinks.count
        if columnCount > 0 { glp_add_cols(p, Int32(columnCount)) }
        if rowCount + familyRows > 0 { glp_add_rows(p, Int32(rowCount + familyRows)) }

        // Column upper bounds from published sums that only add: tight bounds keep branching
        // short. The last table's cells may be withheld later, so they do not count.
        let fixedCells = offsets.last ?? 0
        var upper = [Double](repeating: .infinity, count: columnCount + 1)
        var ia: [Int32] = [0], ja: [Int32] = [0], ar: [Double] = [0]
        for r in 1...max(1, rowCount) where r <= rowCount {
            let bounds = try rowBounds(Int32(r))
            let t = terms[rowCells[r][0]]
            let fixedUpper = rowCells[r].filter { $0 < fixedCells }.map { cellBounds[$0].upperBound }.min() ?? FeasibilityAudit.unbounded
            if fixedUpper < FeasibilityAudit.unbounded, t.allSatisfy({ $0.coefficient > 0 }) {
                for term in t { upper[Int(term.column)] = min(upper[Int(term.column)], (Double(fixedUpper) / term.coefficient).rounded(.down)) }
            }
            for term in t {
                ia.append(Int32(r))
                ja.append(term.column)
                ar.append(term.coefficient)
            }
            setRowBounds(Int32(r), bounds)
        }
        // Family members lie between 0 and the public maximum per principal of their atom.
        var seenLinks = Set<[Int32]>()
        var r = Int32(rowCount)
        for link in familyLinks {
            let (pc, fc) = (classOf[link.principals], classOf[link.family])
            r += 1
            if seenLinks.insert([pc, fc]).inserted {
                ia += [r, r]
                ja += [fc, pc]
                ar += [1, -Double(link.maximumPerPrincipal)]
            }
            glp_set_row_bnds(p, r, GLP_UP, 0, 0)
        }
        for c in 1...max(1, columnCount) where c <= columnCount {
            glp_set_col_kind(p, Int32(c), GLP_IV)
            if upper[c].isFinite {
                glp_set_col_bnds(p, Int32(c), upper[c] > 0 ? GLP_DB : GLP_FX, 0, max(0, upper[c]))
            } else {
                glp_set_col_bnds(p, Int32(c), GLP_LO, 0, 0)
            }
        }
        if ia.count > 1 { glp_load_matrix(p, Int32(ia.count - 1), &ia, &ja, &ar) }
    }

    deinit { glp_delete_prob(problem) }

    /// Changes what readers were shown of cell `g` of the last table (withholding it, or showing
    /// it again).
    func setBounds(ofCell g: Int, to range: ClosedRange<Int>) throws {
        cellBounds[g] = range
        let r = cellRow[g]
        guard r > 0 else { return }
        setRowBounds(r, try rowBounds(r))
        boundsChanged = true
    }

    /// Whether some integer point agrees with everything published and puts cell `g` in
    /// `range`: a point, `.none` when there is surely none, `.unknown` when branch and bound ran
    /// out of time (the caller assumes the worst).
    enum Search { case found([Int]), none, unknown }

    func findPoint(cell g: Int, in range: ClosedRange<Int>) throws -> Search {
        let r = cellRow[g]
        guard r > 0 else { return range.contains(0) ? .found(Array(repeating: 0, count: columnCount)) : .none }
        let saved = cellBounds[g]
        let lo = max(saved.lowerBound, range.lowerBound), hi = min(saved.upperBound, range.upperBound)
        guard lo <= hi else { return .none }
        cellBounds[g] = lo...hi
        defer {
            cellBounds[g] = saved
            if let b = try? rowBounds(r) { setRowBounds(r, b) }
            boundsChanged = true
        }
        guard let b = try? rowBounds(r) else { return .none }
        setRowBounds(r, b)
        for c in objectiveColumns { glp_set_obj_coef(problem, c, 0) }
        objectiveColumns = []
        // Any integer point ends the search, as the objective is zero. The basis is put back
        // afterwards, so the next relaxation starts from the last optimum, not from scratch.
        let basis = savedBasis()
        defer { restore(basis) }
        var iocp = LinkedProgram.branchParameters(presolve: true)
        let code = glp_intopt(problem, &iocp)
        if code == GLP_ENOPFS || code == GLP_ENODFS { return .none }
        guard code == 0 || code == GLP_ETMLIM else {
            throw StatisticsError.linkedAuditFailed("the integer program did not solve (GLPK code \(code))")
        }
        switch glp_mip_status(problem) {
        case GLP_OPT, GLP_FEAS:
            return .found((0..<columnCount).map { Int(glp_mip_col_val(problem, Int32($0 + 1)).rounded()) })
        case GLP_NOFEAS: return .none
        default: return .unknown
        }
    }

    /// Whether an integer point agrees with everything published as the bounds stand now: a
    /// point found before a cell was shown again may still hold, and checking it costs one pass
    /// over the matrix instead of a solve.
    func admits(_ point: [Int]) -> Bool {
        guard point.count == columnCount, point.allSatisfy({ $0 >= 0 }) else { return false }
        for r in 1..<rowCells.count {
            let v = cellTerms[rowCells[r][0]].reduce(0) { $0 + Int($1.coefficient) * point[Int($1.column) - 1] }
            if !rowLimits[r].contains(v) { return false }
        }
        return familyPairs.allSatisfy { point[$0.family] <= $0.maximum * point[$0.principals] }
    }

    /// The value of cell `g` at an integer point.
    func value(ofCell g: Int, at point: [Int]) -> Int {
        cellTerms[g].reduce(0) { $0 + Int($1.coefficient) * point[Int($1.column) - 1] }
    }

    /// The optimum of a sum of cells over every integer point that agrees with what is
    /// published: exact, unless branch and bound runs out of time, when it is the best point
    /// found (never beyond the true optimum) or nil if none was. With `exact` false, an LP
    /// optimum that is not integral is returned as it is (`relaxed`).
    func optimize(cells: [Int], _ direction: Direction, exact: Bool = true) throws -> Outcome? {
        var objective: [Int32: Double] = [:]
        for g in cells { for t in cellTerms[g] { objective[t.column, default: 0] += t.coefficient } }
        if objective.isEmpty { return .optimum(0, Array(repeating: 0, count: columnCount)) }
        for c in objectiveColumns { glp_set_obj_coef(problem, c, 0) }
        for (c, v) in objective { glp_set_obj_coef(problem, c, v) }
        objectiveColumns = Array(objective.keys)
        glp_set_obj_dir(problem, direction == .minimize ? GLP_MIN : GLP_MAX)

        var smcp = glp_smcp()
        glp_init_smcp(&smcp)
        smcp.msg_lev = GLP_MSG_OFF
        // A changed objective keeps the last basis primal feasible; changed bounds keep it dual
        // feasible: either way the solve starts where the last one ended.
        smcp.meth = boundsChanged ? GLP_DUALP : GLP_PRIMAL
        boundsChanged = false
        var code = glp_simplex(problem, &smcp)
        if code == GLP_EBADB || code == GLP_ESING || code == GLP_ECOND {
            glp_adv_basis(problem, 0)
            smcp.meth = GLP_PRIMAL
            code = glp_simplex(problem, &smcp)
        }
        guard code == 0 else { throw StatisticsError.linkedAuditFailed("the linear program did not solve (GLPK code \(code))") }
        switch glp_get_status(problem) {
        case GLP_OPT: break
        case GLP_NOFEAS: return .infeasible
        case GLP_UNBND: return .unbounded
        default: throw StatisticsError.linkedAuditFailed("the linear program did not reach an optimum")
        }
        var point = [Int](repeating: 0, count: columnCount)
        var integral = true
        for c in 0..<columnCount {
            let x = glp_get_col_prim(problem, Int32(c + 1))
            let n = x.rounded()
            if abs(x - n) > 1e-7 { integral = false }
            point[c] = Int(n)
        }
        // An integral LP optimum is the integer optimum; otherwise branch and bound.
        if integral { return .optimum(Int(glp_get_obj_val(problem).rounded()), point) }
        guard exact else { return .relaxed(glp_get_obj_val(problem), rounded: point) }
        var iocp = LinkedProgram.branchParameters(presolve: false)
        // Branch and bound leaves the problem on the basis of its last node; the next solve
        // starts from this optimum instead.
        let basis = savedBasis()
        defer { restore(basis) }
        let mip = glp_intopt(problem, &iocp)
        guard mip == 0 || mip == GLP_ETMLIM else { throw StatisticsError.linkedAuditFailed("the integer program did not solve (GLPK code \(mip))") }
        switch glp_mip_status(problem) {
        case GLP_OPT, GLP_FEAS:
            // Out of time with a point in hand: its value is a bound a reader can surely reach,
            // narrower than (or equal to) the truth, so a cell judged safe on it is safe.
            for c in 0..<columnCount { point[c] = Int(glp_mip_col_val(problem, Int32(c + 1)).rounded()) }
            return .optimum(Int(glp_mip_obj_val(problem).rounded()), point)
        case GLP_NOFEAS: return .infeasible
        default:
            // Out of time with no point: the caller must assume the worst.
            if mip == GLP_ETMLIM { return nil }
            throw StatisticsError.linkedAuditFailed("the integer program did not reach an optimum")
        }
    }

    private func savedBasis() -> (rows: [Int32], columns: [Int32]) {
        (
            (0..<glp_get_num_rows(problem)).map { glp_get_row_stat(problem, $0 + 1) },
            (0..<Int32(columnCount)).map { glp_get_col_stat(problem, $0 + 1) }
        )
    }

    private func restore(_ basis: (rows: [Int32], columns: [Int32])) {
        for (r, status) in basis.rows.enumerated() { glp_set_row_stat(problem, Int32(r + 1), status) }
        for (c, status) in basis.columns.enumerated() { glp_set_col_stat(problem, Int32(c + 1), status) }
    }

    /// Silent branch and bound. Depth first with the feasibility pump reaches an integer point
    /// fast, and the default branching rule (Driebeck-Tomlin) costs a tableau row per
    /// fractional column on problems this size.
    private static func branchParameters(presolve: Bool) -> glp_iocp {
        var iocp = glp_iocp()
        glp_init_iocp(&iocp)
        iocp.msg_lev = GLP_MSG_OFF
        iocp.presolve = presolve ? GLP_ON : GLP_OFF
        iocp.br_tech = GLP_BR_MFV
        iocp.bt_tech = GLP_BT_DFS
        iocp.fp_heur = GLP_ON
        iocp.tm_lim = Int32(branchTimeLimit)
        return iocp
    }

    // MARK: - Rows

    private func rowBounds(_ r: Int32) throws -> ClosedRange<Int> {
        var lo = 0, hi = FeasibilityAudit.unbounded
        for g in rowCells[Int(r)] {
            lo = max(lo, cellBounds[g].lowerBound)
            hi = min(hi, cellBounds[g].upperBound)
        }
        guard lo <= hi else { throw StatisticsError.linkedAuditFailed("two published tables disagree about the same number") }
        return lo...hi
    }

    private func setRowBounds(_ r: Int32, _ b: ClosedRange<Int>) {
        rowLimits[Int(r)] = b
        if b.upperBound >= FeasibilityAudit.unbounded {
            glp_set_row_bnds(problem, r, GLP_LO, Double(b.lowerBound), 0)
        } else if b.lowerBound == b.upperBound {
            glp_set_row_bnds(problem, r, GLP_FX, Double(b.lowerBound), Double(b.upperBound))
        } else {
            glp_set_row_bnds(problem, r, GLP_DB, Double(b.lowerBound), Double(b.upperBound))
        }
    }
}
