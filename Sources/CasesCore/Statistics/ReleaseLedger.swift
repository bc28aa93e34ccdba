import CasesCrypto

/// The hash-chained list of every release, the quarters they froze and the settings in force.
///
/// Asking again for a table that was released returns the stored release. Every other table of
/// the same year is counted from the year's frozen quarters, never from today's caseload, and is
/// protected together with everything already published from them (`LinkedProtection`), so no
/// two releases can be combined to expose a person. A year is published with one mechanism only,
/// the one of its first release. Noisy releases spend from a budget per person (`PrivacyLoss`).
public struct ReleaseLedger: Hashable, Sendable {
    public static let defaultBudget = ExactRational.one

    public private(set) var entries: [ReleaseLedgerEntry]
    /// The most ε any one person may lose over every release.
    public let budgetPerPeriod: ExactRational

    /// A ledger over entries read back from the vault, oldest first. Call `verifyChain()` before trusting it.
    public init(entries: [ReleaseLedgerEntry] = [], budgetPerPeriod: ExactRational = ReleaseLedger.defaultBudget) {
        self.entries = entries
        self.budgetPerPeriod = budgetPerPeriod
    }

    /// The settings in force: the latest recorded, else the standard ones.
    public var settings: StatisticsSettings {
        entries.last { $0.settings != nil }?.settings ?? .standard
    }

    /// Every release entry, oldest first.
    public var releases: [ReleaseLedgerEntry] { entries.filter { $0.release != nil } }

    /// The latest release made under exactly this spec, if any.
    public func existingRelease(for spec: TableSpec) -> ReleaseLedgerEntry? {
        let key = spec.canonicalForm
        return entries.last { $0.canonicalSpec == key }
    }

    /// The position (from 1) of the entry with this id.
    public func sequence(of entry: ReleaseLedgerEntry) -> Int? {
        entries.firstIndex { $0.id == entry.id }.map { $0 + 1 }
    }

    /// ε spent so far, as the most any one person has lost (see `PrivacyLoss`).
    public func spent(for period: Period) throws -> ExactRational {
        try PrivacyLoss.worstCase(releases.compactMap(\.release?.spec))
    }

    /// ε still available to any person.
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
                let computed = try? entry.computedHash(), constantTimeEqual(entry.hash.utf8, computed.utf8),
                entry.isConsistent
            else {
                throw StatisticsError.chainBroken(index: index)
            }
            previous = entry.hash
        }
    }

    // MARK: - Settings

    /// Records new settings: floors may only rise.
    public mutating func changeSettings(kFloor: Int? = nil, roundingFloor: Int? = nil, destinations: [String]? = nil) throws -> StatisticsSettings {
        let next = try settings.changed(kFloor: kFloor, roundingFloor: roundingFloor, destinations: destinations)
        guard next != settings else { return next }
        entries.append(try ReleaseLedgerEntry(settings: next, previousHash: entries.last?.hash ?? ReleaseLedgerEntry.genesisHash))
        return next
    }

    // MARK: - Publishing

    /// Releases a table, or returns the stored release of the same table.
    public mutating func publish(
        _ records: [StatisticsRecord], spec: TableSpec, revision: Bool = false,
        provisional: Bool = false, today: ISODate = .today()
    ) throws -> ReleaseDecision {
        try publish(ReleaseRequest(spec: spec, revision: revision, provisional: provisional, today: today)) { records }
    }

    /// As ``publish(_:spec:revision:provisional:today:)``, reading the caseload only when a
    /// quarter must be frozen: every other table is counted from the frozen quarters.
    ///
    /// - Throws: `floorLowered` below the floors; `periodNotEnded` for a period still running
    ///   without `provisional`; `mechanismFixed` for a mechanism other than the year's first;
    ///   `releaseExists` for the same table with other settings without `revision`;
    ///   `linkedConflict` when no suppression of the new table keeps an earlier one safe;
    ///   `budgetExhausted` when ε would take someone past the budget.
    public mutating func publish(_ request: ReleaseRequest, records: () throws -> [StatisticsRecord]) throws -> ReleaseDecision {
        let spec = request.spec
        try settings.check(spec)
        guard request.provisional || spec.period.hasEnded(by: request.today) else {
            throw StatisticsError.periodNotEnded(spec.period.description)
        }
        if !request.revision {
            if let stored = existingRelease(for: spec) {
                return ReleaseDecision(entry: stored, sequence: sequence(of: stored) ?? 0, isNew: false, republished: [])
            }
            if let other = entries.last(where: { $0.release?.spec.tableKey == spec.tableKey }), let existing = other.canonicalSpec {
                throw StatisticsError.releaseExists(period: spec.period.description, existingSpec: existing)
            }
        }
        let year = spec.period.year
        if let first = releases.first(where: { $0.period?.year == year }), let chosen = first.mechanism, chosen != spec.mechanism.name {
            throw StatisticsError.mechanismFixed(year: year, chosen: chosen, requested: spec.mechanism.name)
        }
        var left: ExactRational?
        if spec.mechanism.epsilon != nil {
            let before = try PrivacyLoss.worstCase(releases.compactMap(\.release?.spec))
            let after = try PrivacyLoss.worstCase(releases.compactMap(\.release?.spec) + [spec])
            guard after <= budgetPerPeriod else {
                throw StatisticsError.budgetExhausted(
                    period: String(year), spent: before.description,
                    requested: try after.subtracting(before).description, budget: budgetPerPeriod.description)
            }
            left = try budgetPerPeriod.subtracting(after)
        }

        // Freeze what this table needs and is not frozen yet; a revision re-freezes exactly the
        // period it names (one quarter, or the whole year).
        var frozen = frozenQuarters(ofYear: year)
        let destinations = frozen.values.first?.destinations ?? settings.destinations
        var newlyFrozen: [FrozenQuarter] = []
        let needed = spec.period.quarter.map { [$0] } ?? [1, 2, 3, 4]
        let refreeze = request.revision ? needed : needed.filter { frozen[$0] == nil }
        if !refreeze.isEmpty {
            let live = try records()
            for q in refreeze {
                let quarter = FrozenQuarter(year: year, quarter: q, destinations: destinations, records: live)
                frozen[q] = quarter
                newlyFrozen.append(quarter)
            }
        }
        let period = FrozenPeriod(year: year, quarters: frozen, destinations: destinations)

        // A threshold revision publishes every table of the year again from the new frozen data,
        // protected together, so the year's current set of tables is consistent.
        var republished: [ReleaseLedgerEntry] = []
        let startsEpoch = request.revision && !newlyFrozen.isEmpty
        if startsEpoch && spec.mechanism == .threshold {
            // The latest settings of each table; the one asked for comes last, as asked.
            var seen: Set<String> = [spec.tableKey]
            let earlier = currentReleases(ofYear: year).compactMap(\.release?.spec).reversed()
                .filter { seen.insert($0.tableKey).inserted }.reversed()
            for (n, old) in earlier.enumerated() {
                let again = try linkedRelease(old, period: period, provisional: request.provisional, epochStartsNow: n == 0)
                entries.append(
                    try ReleaseLedgerEntry(
                        release: again, isRevision: true, frozen: n == 0 ? newlyFrozen : [],
                        previousHash: entries.last?.hash ?? ReleaseLedgerEntry.genesisHash))
                republished.append(entries[entries.count - 1])
            }
        }
        var release =
            spec.mechanism == .threshold
            ? try linkedRelease(spec, period: period, provisional: request.provisional, epochStartsNow: startsEpoch && republished.isEmpty)
            : try StatisticsEngine.computeRelease(of: period.records(spec.basis), spec: spec, destinations: destinations)
        release.budgetLeft = left
        if request.provisional && !spec.period.hasEnded(by: request.today) { release.provisional = true }
        release.headline = Headline.sentence(for: release)
        let entry = try ReleaseLedgerEntry(
            release: release, isRevision: request.revision, frozen: republished.isEmpty ? newlyFrozen : [],
            previousHash: entries.last?.hash ?? ReleaseLedgerEntry.genesisHash)
        entries.append(entry)
        return ReleaseDecision(entry: entry, sequence: entries.count, isNew: true, republished: republished)
    }

    // MARK: - Periods

    /// The latest frozen version of each quarter of `year`.
    func frozenQuarters(ofYear year: Int) -> [Int: FrozenQuarter] {
        var quarters: [Int: FrozenQuarter] = [:]
        for entry in entries {
            for q in entry.frozen ?? [] where q.year == year { quarters[q.quarter] = q }
        }
        return quarters
    }

    /// The releases of `year` counted from its current frozen data: everything since the last
    /// revision that re-froze it (earlier ones counted other data and are superseded).
    func currentReleases(ofYear year: Int) -> [ReleaseLedgerEntry] {
        func freezes(_ e: ReleaseLedgerEntry) -> Bool { e.frozen?.contains { $0.year == year } ?? false }
        // Releases before the year's first freeze (from vaults older than freezing) counted
        // the caseload of their day, not these quarters: they cannot be linked to them.
        guard let start = entries.lastIndex(where: { $0.isRevision == true && freezes($0) }) ?? entries.firstIndex(where: freezes) else {
            return []
        }
        return entries[start...].filter { $0.release != nil && $0.period?.year == year }
    }

    /// A threshold release of `spec` from the frozen `period`, protected together with every
    /// current release of its year.
    private func linkedRelease(_ spec: TableSpec, period: FrozenPeriod, provisional: Bool, epochStartsNow: Bool) throws -> Release {
        let draft = try StatisticsEngine.computeRelease(of: period.records(spec.basis), spec: spec, destinations: period.destinations)
        let earlier =
            epochStartsNow
            ? []
            : currentReleases(ofYear: spec.period.year).compactMap(\.release)
                .filter { $0.spec.mechanism == .threshold }
        var release = try LinkedProtection.protect(draft, against: earlier, frozen: period)
        release.headline = Headline.sentence(for: release)
        return release
    }
}
