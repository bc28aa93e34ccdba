import CasesCrypto

/// What `ReleaseLedger.publish` did.
public enum ReleaseDecision: Hashable, Sendable {
    /// The same table was released before: here it is again, unchanged, and nothing was spent.
    case stored(ReleaseLedgerEntry)
    /// A new release; the caller must persist this entry (it is already in the ledger value).
    case new(ReleaseLedgerEntry)

    public var entry: ReleaseLedgerEntry {
        switch self {
        case .stored(let e), .new(let e): return e
        }
    }

    public var isNew: Bool {
        if case .new = self { return true }
        return false
    }
}

/// The hash-chained list of every release, and the privacy budget it has spent.
///
/// Asking again for a table that was released returns the stored release, so two exports of
/// the same table can never be subtracted to expose one new case. Noisy releases spend ε from
/// the budget of their calendar year (a quarter spends from its year, which is conservative:
/// the four quarters hold different people but the year holds them all). A case can fall in
/// one year by intake and another by arrival, so its total privacy loss is at most the sum of
/// those two years' budgets.
public struct ReleaseLedger: Hashable, Sendable {
    public static let defaultBudget = ExactRational.one

    public private(set) var entries: [ReleaseLedgerEntry]
    public let budgetPerPeriod: ExactRational

    /// A ledger over entries read back from the vault, oldest first. Call `verifyChain()` before trusting it.
    public init(entries: [ReleaseLedgerEntry] = [], budgetPerPeriod: ExactRational = ReleaseLedger.defaultBudget) {
        self.entries = entries
        self.budgetPerPeriod = budgetPerPeriod
    }

    /// The latest release made under exactly this spec, if any.
    public func existingRelease(for spec: TableSpec) -> ReleaseLedgerEntry? {
        let key = spec.canonicalForm
        return entries.last { $0.canonicalSpec == key }
    }

    /// ε spent so far from the budget that `period` draws on.
    public func spent(for period: Period) throws -> ExactRational {
        try entries.filter { $0.period.budgetYear == period.budgetYear }
            .compactMap(\.epsilon)
            .reduce(ExactRational.zero) { try $0.adding($1) }
    }

    /// ε still available to `period`.
    public func budgetLeft(for period: Period) throws -> ExactRational {
        let left = try budgetPerPeriod.subtracting(spent(for: period))
        return left < .zero ? .zero : left
    }

    /// Checks every link of the chain; throws `chainBroken` naming the first bad entry.
    public func verifyChain() throws {
        var previous = ReleaseLedgerEntry.genesisHash
        for (index, entry) in entries.enumerated() {
            // Unkeyed links, compared like every MAC all the same: one rule, no exceptions to audit.
            guard constantTimeEqual(entry.previousHash.utf8, previous.utf8),
                  let computed = try? entry.computedHash(), constantTimeEqual(entry.hash.utf8, computed.utf8), entry.id == entry.release.id,
                  entry.canonicalSpec == entry.release.spec.canonicalForm, entry.epsilon == entry.release.epsilon else {
                throw StatisticsError.chainBroken(index: index)
            }
            previous = entry.hash
        }
    }

    /// Releases a table, or returns the stored release of the same table.
    ///
    /// - Parameter revision: the coordinator's explicit request for a new release although one
    ///   exists (say, after data were corrected); a noisy revision spends ε again.
    /// - Throws: `budgetExhausted` when the period's budget cannot cover ε; `releaseExists` when
    ///   the same table was released with other settings and `revision` is false.
    public mutating func publish(_ records: [StatisticsRecord], spec: TableSpec, revision: Bool = false) throws -> ReleaseDecision {
        try publish(spec: spec, revision: revision) { records }
    }

    /// As ``publish(_:spec:revision:)``, reading the records only when a new table is computed:
    /// returning a stored release does not decrypt the caseload.
    public mutating func publish(spec: TableSpec, revision: Bool = false, records: () throws -> [StatisticsRecord]) throws -> ReleaseDecision {
        if !revision {
            if let stored = existingRelease(for: spec) { return .stored(stored) }
            if let other = entries.last(where: { $0.release.spec.tableKey == spec.tableKey }) {
                throw StatisticsError.releaseExists(period: spec.period.description, existingSpec: other.canonicalSpec)
            }
        }
        var left: ExactRational?
        if let cost = spec.mechanism.epsilon {
            let spent = try spent(for: spec.period)
            let after = try spent.adding(cost)
            guard after <= budgetPerPeriod else {
                throw StatisticsError.budgetExhausted(period: String(spec.period.budgetYear), spent: spent.description,
                                                      requested: cost.description, budget: budgetPerPeriod.description)
            }
            left = try budgetPerPeriod.subtracting(after)
        }
        let release = try StatisticsEngine.computeRelease(of: try records(), spec: spec, budgetLeft: left)
        let entry = try ReleaseLedgerEntry(release: release, isRevision: revision, previousHash: entries.last?.hash ?? ReleaseLedgerEntry.genesisHash)
        entries.append(entry)
        return .new(entry)
    }
}
