import CasesCrypto

/// What the audit's chain pass learnt, for the replay pass and the report.
struct ChainWalk {
    var expectedSeq: Int64 = 1
    /// The numbers of each case's events.
    var trails: [CaseID: CaseTrail] = [:]
    var byActor: [String: Int] = [:]
    var vaultEvents: [NumberedVaultEvent] = []
    /// The number of each row of the log, in order: the last event each holds.
    var rowEnds: [Int64] = []
    /// Cases replayed so far.
    var seen = 0
    /// The cases the chain pass found whole in one row of the log, each with its first event's
    /// number and the digest of the case and summary its events give.
    var replayed: [CaseID: (first: Int64, digest: CaseDigest)] = [:]

    /// The number of the row holding event `seq`: the first row numbered `seq` or after.
    func rowEnd(holding seq: Int64) -> Int64? {
        var (low, high) = (0, rowEnds.count)
        while low < high {
            let mid = (low + high) / 2
            if rowEnds[mid] < seq { low = mid + 1 } else { high = mid }
        }
        return low < rowEnds.count ? rowEnds[low] : nil
    }

    /// The digest to check case `id` against, when the chain pass replayed it whole and no
    /// other row of the log holds any of its events.
    func wholeDigest(of id: CaseID) -> CaseDigest? {
        guard let (first, digest) = replayed[id], let trail = trails[id], let end = rowEnd(holding: first),
            trail.isExactly(first...end)
        else { return nil }
        return digest
    }

    /// The run of events by one keyslot not yet added to ``byActor``: an import's events are
    /// all by one, and comparing a name costs less than hashing it.
    private var actorRun: (actor: String, count: Int)?

    /// Counts `times` events by `actor`; nil adds the run counted so far to ``byActor``.
    mutating func countActor(_ actor: String?, times: Int = 1) {
        if let actor, actorRun?.actor == actor {
            actorRun?.count += times
            return
        }
        if let run = actorRun { byActor[run.actor, default: 0] += run.count }
        actorRun = actor.map { ($0, times) }
    }

    func broken(_ why: String) -> AuditReport {
        var walk = self
        walk.countActor(nil)
        return AuditReport(
            events: Int(expectedSeq - 1), cases: trails.count, firstBreak: why, eventsByActor: walk.byActor,
            vaultEvents: vaultEvents)
    }
}

/// The numbers of one case's events, oldest first: a first run of consecutive numbers (all of
/// them, for a case imported and not changed since, so most cases need no list), then the rest.
struct CaseTrail {
    private var first: ClosedRange<Int64>
    private var rest: [Int64] = []

    init(_ run: ClosedRange<Int64>) { first = run }

    mutating func append(_ run: ClosedRange<Int64>) {
        if rest.isEmpty, run.lowerBound == first.upperBound + 1 {
            first = first.lowerBound...run.upperBound
        } else {
            rest += run
        }
    }

    var seqs: [Int64] { Array(first) + rest }

    func isExactly(_ run: ClosedRange<Int64>) -> Bool { rest.isEmpty && first == run }
}

/// A ``UniversalHash`` of a case's encoded snapshot and summary, so the chain pass can replay a
/// case whole while its row is open, and the replay pass, which reads the case's row in the
/// table's own order, can check the sealed record against it without the events at hand.
///
/// Equal digests stand for equal bytes, but for a chance of at most 8⌈L/16⌉·2⁻¹⁰⁶ per case of L bytes (the hash's key
/// is drawn for each audit and never leaves the process). The snapshot's length comes first,
/// so no byte can move from one record to the other.
struct CaseDigest: Sendable {
    private var value: SIMD2<UInt64>

    init(snapshot: UnsafeRawBufferPointer, summary: UnsafeRawBufferPointer, hash: UniversalHash) {
        var length = UInt64(snapshot.count).bigEndian
        value = withUnsafeBytes(of: &length) { hash.hash([$0, snapshot, summary]) }
    }

    func matches(_ other: CaseDigest) -> Bool {
        withUnsafeBytes(of: value) { a in withUnsafeBytes(of: other.value) { b in constantTimeEqual(a, b) } }
    }
}
