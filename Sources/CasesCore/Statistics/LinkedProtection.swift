/// Puts a new threshold table and every table already published from the same frozen year into
/// one `LinkedAudit`, and applies what it decides.
///
/// The audit's unknowns ("atoms", `AtomSpace`) are the numbers of frozen principals, and of
/// their family members, per combination of the categories that some table of the same basis
/// breaks down by. Every published number is the sum of the atoms inside it.
enum LinkedProtection {
    /// `draft` with whatever more cells the audit withholds; throws `linkedConflict` naming the
    /// earlier release that no withholding in `draft` can keep safe.
    static func protect(_ draft: Release, against earlier: [Release], frozen: FrozenPeriod) throws -> Release {
        let earlier = earlier.filter { $0.spec.basis == draft.spec.basis }
        // The single-table audit already made `draft` safe on its own (the fast path).
        guard !earlier.isEmpty else { return draft }
        let atoms = AtomSpace(tables: earlier.map(\.spec) + [draft.spec], destinations: frozen.destinations)
        let audit = LinkedAudit(
            atomCount: atoms.totalCount, published: earlier.map { atoms.table(for: $0) },
            familyLinks: atoms.familyLinks(maximumPerPrincipal: frozen.largestFamily))
        var release = draft
        // A principal number newly withheld takes its family number with it, which the audit
        // must see in turn: repeat until nothing changes.
        while true {
            let protected = try audit.protect(atoms.table(for: release))
            let next = atoms.applying(protected, to: release)
            if next == release { return release }
            release = next
        }
    }
}
