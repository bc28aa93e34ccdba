/// One term of a published cell: `coefficient` times the count held in one atom.
///
/// Atoms are the finest cells of a frozen period (principals per combination of the dimensions
/// in use, and family members per such combination); a published cell is a weighted sum of
/// them, so that "people" can be principals plus family members.
public struct LinkedTerm: Hashable, Sendable {
    public var atom: Int
    public var coefficient: Int

    public init(atom: Int, coefficient: Int = 1) {
        self.atom = atom
        self.coefficient = coefficient
    }
}

/// One published number of a table, as a sum over atoms, with what a reader was shown.
public struct LinkedCell: Hashable, Sendable {
    public var terms: [LinkedTerm]
    /// `35`, `<10` or `x`: what the release printed.
    public var shown: PublishedCount
    /// Withheld whatever its value (the family count of a suppressed principal cell): a reader
    /// knows only that it is at least 0, and it is protected like a `<k` cell. An `x` that is
    /// not forced was a shown count, so a reader knows it is at least k.
    public var forced: Bool

    public init(terms: [LinkedTerm], shown: PublishedCount, forced: Bool = false) {
        self.terms = terms
        self.shown = shown
        self.forced = forced
    }

    /// A cell that adds up `atoms`, each once.
    public init(atoms: [Int], shown: PublishedCount, forced: Bool = false) {
        self.init(terms: atoms.map { LinkedTerm(atom: $0) }, shown: shown, forced: forced)
    }

    /// Whether the cell hides a small number that must stay at least k wide: `<k`, or forced.
    public var isProtected: Bool {
        if case .belowThreshold = shown { return true }
        return forced
    }

    /// Every true value a reader of this cell alone can believe, in `table`.
    public func preimage(in table: LinkedTable) -> ClosedRange<Int> {
        if forced || (shown == .withheld && table.withheldMayBeSmall) { return 0...FeasibilityAudit.unbounded }
        return table.rule.preimage(of: shown)
    }
}

/// Every number of one release of a frozen period, with the rule it was published under.
public struct LinkedTable: Hashable, Sendable {
    /// The release this table belongs to, named when a new table conflicts with it.
    public var releaseID: String
    public var rule: PublicationRule
    /// Cells and margins alike, in the release's fixed order: the suppression rule breaks ties
    /// by this order, never by a true count.
    public var cells: [LinkedCell]
    /// Whether the release's layout may withhold a count below k as `x`, so that a reader
    /// learns only that an `x` is at least 0. When false (today's single-table releases), only
    /// shown counts are ever withheld and a reader can tell that every `x` is at least k.
    public var withheldMayBeSmall: Bool

    public init(releaseID: String, rule: PublicationRule, cells: [LinkedCell], withheldMayBeSmall: Bool = false) {
        self.releaseID = releaseID
        self.rule = rule
        self.cells = cells
        self.withheldMayBeSmall = withheldMayBeSmall
    }
}

/// What a reader knows about the family members counted with principals: they are between
/// 0 and `maximumPerPrincipal` times the principals of the same atom.
///
/// Without it, a family count above zero could stand for an empty principal cell.
public struct FamilyLink: Hashable, Sendable {
    public var principals: Int
    public var family: Int
    public var maximumPerPrincipal: Int

    public init(principals: Int, family: Int, maximumPerPrincipal: Int) {
        self.principals = principals
        self.family = family
        self.maximumPerPrincipal = maximumPerPrincipal
    }
}
