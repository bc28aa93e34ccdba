extension CaseFile {
    /// Room each sealed case keeps for what moving through the stages adds to it (assessments,
    /// the destination plan, the arrival, the outcome, the events' numbers), in bytes of its
    /// binary form; measured on generated cases that went straight to settled, whose stages
    /// added at most 191 bytes (`PlaintextLayoutTests`).
    static let stageAllowance = 256
    /// The same for the sealed summary (stage, countries, a few dates).
    static let summaryStageAllowance = 64

    /// The lengths the sealed case and its summary are padded from, at least: their lengths as
    /// the case would be at intake, plus the allowance.
    ///
    /// A bucket of the plain length alone told the stages apart: half of the cases at intake
    /// sealed into 256 bytes, and none past it. Measured from the case at intake, a case keeps
    /// its bucket from intake to closed unless its stages add more than the allowance (several
    /// assessments, many check-ins); notes, which are activity rather than stage, count in full.
    func sealedSizeFloor() -> (snapshot: Int, summary: Int) {
        let intake = atIntake
        var snapshot = intake.binaryEncoded()
        var summary = CaseSummary(intake).encoded()
        defer {
            snapshot.wipe()
            summary.wipe()
        }
        return (snapshot.count + Self.stageAllowance, summary.count + Self.summaryStageAllowance)
    }

    /// This case with everything its stages added taken out: the size of its opening.
    var atIntake: CaseFile {
        var c = self
        c.stage = .intake
        c.version = 1
        c.assessments = []
        c.destination = nil
        c.arrival = nil
        c.outcome = nil
        c.eventSeqs = Array(eventSeqs.prefix(1))
        return c
    }
}
