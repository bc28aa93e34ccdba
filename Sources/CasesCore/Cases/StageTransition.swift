/// One move of a case between stages: the rule `advance`, `close` and an imported history all
/// follow, so a move refused in one is refused in the others with the same sentence.
///
/// A case goes forward one stage at a time up to arrival, closes from any stage with an outcome
/// (settled only after arrival), and goes back (or is reopened) to any earlier stage with a
/// reason.
enum StageTransition: Equatable {
    case forward(from: Stage, to: Stage)
    case back(to: Stage)
    case close(Outcome)

    /// The move from `from` to `to`, or why it cannot be made.
    ///
    /// - Parameters:
    ///   - to: the stage asked for; nil for the next one (`cases advance` without `--to`).
    ///   - outcome: the outcome when `to` is closed; nil asks for the next stage forward instead.
    ///   - reason: why the case goes back; required for a move back.
    ///   - reasonField: the name of the reason's field in a caseworker's input.
    /// - Throws: ``CaseError/cannotMove(from:to:why:)`` for a move no caseworker could make;
    ///   ``InputError/missing(_:)`` for a move back without a reason.
    static func check(
        from: Stage, to: Stage?, outcome: Outcome? = nil, reason: String? = nil,
        reasonField: @autoclosure () -> String = "reason"
    ) throws -> StageTransition {
        if to == .closed, let outcome {
            if from == .closed { throw CaseError.cannotMove(from: from, to: .closed, why: "the case is already closed") }
            if outcome == .settled && from != .arrival {
                throw CaseError.cannotMove(
                    from: from, to: .closed, why: "a case is settled only after arrival; use another outcome or advance it first")
            }
            return .close(outcome)
        }
        if let to, to < from || (from == .closed && to != .closed) {
            if reason?.isBlank() ?? true {
                throw InputError.missing(["\(reasonField()) (why the case goes back to \(to.rawValue))"])
            }
            return .back(to: to)
        }
        guard let next = from.next else {
            throw CaseError.cannotMove(
                from: from, to: to ?? from,
                why: from == .closed
                    ? "the case is closed; name an earlier stage with --to to reopen it"
                    : "arrival is the last stage; close the case with `cases close`")
        }
        if let to, to != next {
            throw CaseError.cannotMove(
                from: from, to: to,
                why: to == from ? "the case is already there" : "cases move one stage at a time; the next stage is \(next.rawValue)")
        }
        return .forward(from: from, to: next)
    }

    /// The stage the case is at after the move.
    var stage: Stage {
        switch self {
        case .forward(_, let to), .back(let to): to
        case .close: .closed
        }
    }

    /// Checks that `after`, the case once moved, meets what the move needs: going forward, the
    /// gate of the stage it leaves and of the stage it reaches.
    func checkGates(after: CaseFile) throws {
        guard case .forward(let from, let to) = self else { return }
        for stage in [from, to] {
            let missing = after.missing(forGate: stage)
            if !missing.isEmpty { throw InputError.gateNotMet(stage: stage, missing: missing) }
        }
    }
}
