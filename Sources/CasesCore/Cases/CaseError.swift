/// What can go wrong with one case, in a caseworker's words.
public enum CaseError: CasesError, Equatable {
    case malformedID(String)
    case notFound(CaseID)
    case conflict(CaseID)
    case integrity(CaseID)
    case cannotMove(from: Stage, to: Stage, why: String)
    case notArrived(CaseID)

    public var kind: FailureKind {
        switch self {
        case .malformedID, .notFound: .notFound
        case .conflict: .conflict
        case .integrity: .integrity
        case .cannotMove, .notArrived: .invalidInput
        }
    }

    public var description: String {
        switch self {
        case .malformedID(let text):
            "\(text.count > 20 ? "That" : "\"\(text)\"") is not a case id: ids have 9 characters like 7QKM-2XAPV and the last one checks the others; look for a typo."
        case .notFound(let id): "No case \(id) in this vault; `cases list` shows the cases there are."
        case .conflict(let id):
            "Case \(id) was changed by someone else since you read it; nothing was stored. Run the command again to work on the current version."
        case .integrity(let id):
            "Case \(id) failed its integrity check: its record was altered or damaged. Other cases are unaffected; restore this case from a backup."
        case .cannotMove(let from, let to, let why): "Cannot move from \(from.rawValue) to \(to.rawValue): \(why); nothing was stored."
        case .notArrived(let id):
            "Case \(id) is not at arrival: check-ins follow an arrival; before that, record contacts with `cases note`. Nothing was stored."
        }
    }
}

/// A break in the audit chain or in a case's projection.
public enum AuditError: CasesError, Equatable {
    case projection(Int64)
    case broken(String)

    public var kind: FailureKind { .integrity }
    public var description: String {
        switch self {
        case .projection(let seq): "Integrity check failed: event \(seq) does not fit the case it belongs to; the log was altered."
        case .broken(let what): "Integrity check failed: \(what)."
        }
    }
}
