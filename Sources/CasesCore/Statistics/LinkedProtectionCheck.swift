/// Whether every protected cell of a set of linked tables can still be anything from 0 to k−1:
/// the width rule of `CellSuppression.isProtected`, decided by exact integer optimisation.
///
/// Each solve yields an integer point that agrees with everything published; any protected
/// cell that is 0 (or k−1) there has its lower (or upper) end proven at once. Withholding a
/// cell only widens what a reader knows, so points stay valid until a cell is shown again; the
/// caller takes a `checkpoint` before a trial and rolls back to it after showing the cell again.
/// Points are kept: a point found while a cell was withheld often still holds once it is shown,
/// and checking that costs one pass over the matrix, far less than the solve that found it.
struct LinkedProtectionCheck {
    /// Witnesses and points as they were, to return to after a trial that is undone.
    struct Checkpoint {
        fileprivate let witnesses: Witnesses
        fileprivate let points: [[Int]]
    }

    struct Witnesses {
        var low: [Bool]
        var high: [Bool]

        init(count: Int) {
            low = Array(repeating: false, count: count)
            high = low
        }
    }

    let program: LinkedProgram
    /// Global indices of the protected cells, tables in release order.
    let sensitive: [Int]
    /// The value each must be able to reach: k−1 of its table.
    private let need: [Int]
    /// Whether a reader sees an upper end for it (a `<k` cell) rather than none (forced `x`).
    private let bounded: [Bool]
    private let position: [Int: Int]
    private var witnesses: Witnesses
    /// Integer points that agreed with everything published when they were found, each the
    /// first witness of some end.
    private var points: [[Int]] = []

    init(program: LinkedProgram, tables: [LinkedTable]) {
        self.program = program
        var sensitive: [Int] = [], need: [Int] = [], bounded: [Bool] = []
        for (t, table) in tables.enumerated() {
            for (i, cell) in table.cells.enumerated() where cell.isProtected {
                sensitive.append(program.offsets[t] + i)
                need.append(table.rule.k - 1)
                bounded.append(!cell.forced)
            }
        }
        self.sensitive = sensitive
        self.need = need
        self.bounded = bounded
        position = Dictionary(uniqueKeysWithValues: sensitive.enumerated().map { ($0.element, $0.offset) })
        witnesses = Witnesses(count: sensitive.count)
    }

    var checkpoint: Checkpoint { Checkpoint(witnesses: witnesses, points: points) }

    /// Back to `checkpoint` after bounds that were loosened since are as they were then: its
    /// witnesses hold again, and so does every point found since that the bounds admit.
    mutating func rollBack(to checkpoint: Checkpoint) {
        let found = points.filter(program.admits)
        witnesses = checkpoint.witnesses
        points = checkpoint.points
        var known = Set(points)
        for point in found where known.insert(point).inserted { record(point) }
    }

    /// After bounds were tightened: only the points they still admit stay, with what they prove.
    mutating func revalidate() {
        let kept = points.filter(program.admits)
        witnesses = Witnesses(count: sensitive.count)
        points = []
        for point in kept { record(point) }
    }

    /// The first protected cell a reader can narrow, or nil when all are safe.
    mutating func firstExposed() throws -> Int? {
        try searchWitnesses()
        for s in sensitive.indices where try !isProtected(at: s) { return sensitive[s] }
        return nil
    }

    /// Whether the protected cell with global index `g` is still at least k wide.
    mutating func isProtected(_ g: Int) throws -> Bool {
        guard let s = position[g] else { return true }
        return try isProtected(at: s)
    }

    private mutating func isProtected(at s: Int) throws -> Bool {
        let g = sensitive[s]
        // The LP relaxation first: it can only be wider than the integer truth, so an end it
        // cannot reach is out of reach, and an integral optimum is exact. Only a fractional one
        // needs an integer point, searched with the cell held at the end in question; a search
        // that runs out of time counts as exposed, so more is withheld.
        if !witnesses.low[s] {
            switch try program.optimize(cells: [g], .minimize, exact: false) {
            case .optimum(let lo, let point)?:
                record(point)
                if lo > 0 { return false }
            case .relaxed(let lo, let rounded)?:
                if lo > 1e-7 { return false }
                // The relaxation's point, rounded, often still agrees with everything published.
                if program.admits(rounded), program.value(ofCell: g, at: rounded) <= 0 {
                    record(rounded)
                } else {
                    guard case .found(let point) = try program.findPoint(cell: g, in: 0...0) else { return false }
                    record(point)
                }
            default: throw contradiction
            }
            witnesses.low[s] = true
        }
        if !witnesses.high[s] {
            switch try program.optimize(cells: [g], .maximize, exact: false) {
            case .optimum(let hi, let point)?:
                record(point)
                if hi < need[s] { return false }
            case .unbounded?: break
            case .relaxed(let hi, let rounded)?:
                if hi < Double(need[s]) - 1e-7 { return false }
                if program.admits(rounded), program.value(ofCell: g, at: rounded) >= need[s] {
                    record(rounded)
                } else {
                    let target = bounded[s] ? need[s]...need[s] : need[s]...FeasibilityAudit.unbounded
                    guard case .found(let point) = try program.findPoint(cell: g, in: target) else { return false }
                    record(point)
                }
            default: throw contradiction
            }
            witnesses.high[s] = true
        }
        return true
    }

    /// Cheap solves over every cell still lacking a witness: often a single integer point shows
    /// most small cells at 0, or at k−1, at once. Repeated over the cells still lacking one while
    /// each round proves something new.
    private mutating func searchWitnesses() throws {
        for direction in [LinkedProgram.Direction.minimize, .maximize] {
            for _ in 0..<8 {
                let open = sensitive.indices.filter { direction == .minimize ? !witnesses.low[$0] : !witnesses.high[$0] && bounded[$0] }
                guard open.count > 1 else { break }
                let before = witnesses
                switch try? program.optimize(cells: open.map { sensitive[$0] }, direction, exact: false) {
                case .optimum(_, let point)?: record(point)
                case .relaxed(_, let rounded)?: if program.admits(rounded) { record(rounded) }
                default: break
                }
                if witnesses.low == before.low && witnesses.high == before.high { break }
            }
        }
    }

    private mutating func record(_ point: [Int]) {
        var proves = false
        for s in sensitive.indices where !(witnesses.low[s] && witnesses.high[s]) {
            let v = program.value(ofCell: sensitive[s], at: point)
            if v <= 0 && !witnesses.low[s] {
                witnesses.low[s] = true
                proves = true
            }
            if v >= need[s] && !witnesses.high[s] {
                witnesses.high[s] = true
                proves = true
            }
        }
        if proves { points.append(point) }
    }

    private var contradiction: StatisticsError { .linkedAuditFailed("the published tables contradict each other") }
}
