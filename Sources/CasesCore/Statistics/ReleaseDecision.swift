/// What `ReleaseLedger.publish` did.
public struct ReleaseDecision: Hashable, Sendable {
    /// The entry of the release asked for.
    public let entry: ReleaseLedgerEntry
    /// Its position in the ledger, counted from 1.
    public let sequence: Int
    /// false when the same table was released before and is returned unchanged.
    public let isNew: Bool
    /// With `--revise`: the earlier tables of the year published again from the new frozen data.
    public let republished: [ReleaseLedgerEntry]

    /// Where the release sits in the ledger, printed with it.
    public var position: LedgerPosition { LedgerPosition(sequence: sequence, hash: entry.hash) }

    /// The release itself (a decision is only ever made about a release entry).
    public var release: Release { entry.release! }
}

/// A request for a table, with everything the coordinator said about it.
public struct ReleaseRequest: Hashable, Sendable {
    public var spec: TableSpec
    /// Publish anew although the table was released before, re-freezing the period first.
    public var revision: Bool
    /// Allow a period that has not ended yet; the release says so.
    public var provisional: Bool
    /// The day the request is made: which periods have ended.
    public var today: ISODate

    public init(spec: TableSpec, revision: Bool = false, provisional: Bool = false, today: ISODate = .today()) {
        self.spec = spec
        self.revision = revision
        self.provisional = provisional
        self.today = today
    }
}

/// A release's place in the ledger: its sequence number and the chain hash up to it.
///
/// Printed with every release, so that anyone holding an older release can see a ledger that
/// was reset or rewritten: its numbers and hashes would not continue the ones they hold.
public struct LedgerPosition: Hashable, Sendable {
    public let sequence: Int
    /// Lower-case hex BLAKE2b-256 of the chain up to and including the release.
    public let hash: String

    public init(sequence: Int, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }
}
