/// What an imported case must satisfy beyond ``CaseValidator``: the past it brings must be one
/// a caseworker could have recorded with `cases advance` and `cases close`.
///
/// `open` accepts an incomplete intake (the caseworker fills it in later), and so does import
/// for a case that is still at intake. But a case whose history moves it forward must have met
/// each gate on the way, a settled case must have arrived, and nothing can have happened before
/// the principal was born.
struct ImportRules: Sendable {
    let caseload: Caseload
    /// The id of the scratch case the history is replayed on: never stored, so any valid id.
    static let scratchID = CaseID(parsing: "0000-00000")!
    /// When the replayed events are recorded: the import's start.
    let recordedAt: String
    let today: ISODate
    private let validator: CaseValidator

    init(caseload: Caseload) {
        self.caseload = caseload
        recordedAt = caseload.timestamp
        today = caseload.today()
        validator = CaseValidator(today: today)
    }

    /// Checks a row, and returns the case it makes (under ``scratchID``, numbered from 1; the
    /// importer gives it its id and numbers when it stores it), so it is built only once.
    func check(_ d: OpenDocument, duplicateKey: String?) throws -> Caseload.NewCase {
        try validator.validate(d)
        let steps = d.history ?? []
        if !steps.isEmpty && d.openedOn == nil {
            throw InputError.missing(["opened_on (needed when the case brings its history)"])
        }
        try checkBirth(d)
        return try caseload.makeNew(
            d, id: Self.scratchID, firstSeq: 1, at: recordedAt, today: today, duplicateKey: duplicateKey,
            checkStep: Self.checkGate)
    }

    /// Dates that cannot come before the principal's birth (CaseValidator checks the steps' own dates by year).
    func checkBirth(_ d: OpenDocument) throws {
        let p = d.principal
        guard p.birthDate != nil || p.birthYear != nil else { return }
        func before(_ date: ISODate?) -> Bool {
            guard let date else { return false }
            if let b = p.birthDate { return date < b }
            return date.year < p.birthYear!
        }
        func check(_ date: ISODate?, _ field: @autoclosure () -> String) throws {
            if before(date) { throw InputError.invalid(field: field(), expected: "on or after the principal's birth") }
        }
        try check(d.openedOn, "opened_on")
        try check(p.consent?.givenOn, "principal.consent.given_on")
        for (i, s) in (d.history ?? []).enumerated() {
            try check(s.on, "history[\(i)].on")
            try check(s.assessment?.assessedOn, "history[\(i)].assessment.assessed_on")
            try check(s.destination?.travelOn, "history[\(i)].destination.travel_on")
            try check(s.arrival?.arrivedOn, "history[\(i)].arrival.arrived_on")
        }
    }

    /// Each step of the past as `advance` and `close` would have checked it, given the stage
    /// the case was at and the case after it. ``CaseValidator`` has already checked the move itself.
    static func checkGate(_ step: HistoryStep, from: Stage, after next: CaseFile) throws {
        try StageTransition.check(from: from, to: step.stage, outcome: step.outcome, reason: step.reason).checkGates(after: next)
    }
}
