/// The finest cells of a frozen year that a set of tables of one counting basis can tell
/// apart, numbered for `LinkedAudit`: one principal atom per combination of the categories in
/// use, and, when some table counts family members, a family atom beside each (its number plus
/// `count`).
///
/// Tables of the other basis are left out: intake and arrival count overlapping people, but no
/// published number adds one basis to the other, so they share no unknowns and cannot narrow
/// each other's cells.
struct AtomSpace {
    /// The dimensions some table breaks down by, in a fixed order; `quarter` whenever a table
    /// covers a single quarter or breaks down by quarter.
    let dimensions: [TableDimension]
    let categories: [TableDimension: [String: Int]]
    let strides: [Int]
    /// Principal atoms; family atoms follow.
    let count: Int
    /// Whether family atoms exist (some table counts family members).
    let hasFamily: Bool
    /// Every atom, family ones included.
    var totalCount: Int { hasFamily ? 2 * count : count }

    init(tables: [TableSpec], destinations: [String]) {
        var used = Set(tables.flatMap(\.dimensions)).subtracting([.year])
        if tables.contains(where: { $0.period.quarter != nil }) { used.insert(.quarter) }
        dimensions = TableDimension.allCases.filter(used.contains)
        let period = Period(wholeYear: tables.first?.period.year ?? 2000)
        var categories: [TableDimension: [String: Int]] = [:]
        var strides: [Int] = []
        var size = 1
        for d in dimensions {
            // Intake's list is arrival's plus `unknown`: one numbering serves both bases.
            let list = CountTable.fixedCategories(d, period: period, basis: .intake, destinations: destinations)
            categories[d] = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1, $0) })
            strides.append(size)
            size *= list.count
        }
        self.categories = categories
        self.strides = strides
        count = size
        hasFamily = tables.contains(where: \.includeFamily)
    }

    /// The principal atoms whose categories match `fixed` (dimension → category).
    func atoms(matching fixed: [TableDimension: String]) -> [Int] {
        var result = [0]
        for (n, d) in dimensions.enumerated() {
            let options: [Int]
            if let label = fixed[d], let index = categories[d]?[label] {
                options = [index]
            } else {
                options = Array(0..<(categories[d]?.count ?? 1))
            }
            result = result.flatMap { base in options.map { base + $0 * strides[n] } }
        }
        return result
    }

    /// Every published number of `release`, principals first, as sums of atoms.
    func table(for release: Release) -> LinkedTable {
        let spec = release.spec
        var scope: [TableDimension: String] = [:]
        if let q = spec.period.quarter { scope[.quarter] = "Q\(q)" }
        func cell(_ fixed: [TableDimension: String], _ shown: PublishedCount, family: Bool, forced: Bool) -> LinkedCell {
            let principals = atoms(matching: scope.merging(fixed) { a, _ in a })
            return LinkedCell(atoms: family ? principals.map { $0 + count } : principals, shown: shown, forced: forced)
        }
        var principals: [LinkedCell] = [], family: [LinkedCell] = []
        func add(_ fixed: [TableDimension: String], _ count: PublishedCount, _ f: PublishedCount?) {
            principals.append(cell(fixed, count, family: false, forced: false))
            if let f { family.append(cell(fixed, f, family: true, forced: count.number == nil && f == .withheld)) }
        }
        for c in release.cells { add(Dictionary(uniqueKeysWithValues: zip(spec.dimensions, c.categories)), c.count, c.family) }
        for m in release.margins { add([m.dimension: m.category], m.count, m.family) }
        add([:], release.total, release.familyTotal)
        return LinkedTable(releaseID: release.id, rule: PublicationRule(k: spec.k, base: spec.roundingBase), cells: principals + family)
    }

    /// `release` with every number the audit withheld in `protected` withheld, and the family
    /// number beside each principal number that is not shown withheld too.
    func applying(_ protected: LinkedTable, to release: Release) -> Release {
        var out = release
        let numbers = release.cells.count + release.margins.count + 1
        func update(_ n: Int, _ count: PublishedCount, _ family: PublishedCount?) -> (PublishedCount, PublishedCount?) {
            let shown = protected.cells[n].shown == .withheld ? .withheld : count
            guard let family else { return (shown, nil) }
            let hidden = shown.number == nil || protected.cells[numbers + n].shown == .withheld
            return (shown, hidden ? .withheld : family)
        }
        for i in out.cells.indices { (out.cells[i].count, out.cells[i].family) = update(i, release.cells[i].count, release.cells[i].family) }
        for i in out.margins.indices {
            (out.margins[i].count, out.margins[i].family) = update(release.cells.count + i, release.margins[i].count, release.margins[i].family)
        }
        (out.total, out.familyTotal) = update(numbers - 1, release.total, release.familyTotal)
        return out
    }

    /// Family atoms hold at most `maximumPerPrincipal` members per principal of their atom.
    func familyLinks(maximumPerPrincipal: Int) -> [FamilyLink] {
        guard hasFamily else { return [] }
        return (0..<count).map { FamilyLink(principals: $0, family: $0 + count, maximumPerPrincipal: maximumPerPrincipal) }
    }
}
