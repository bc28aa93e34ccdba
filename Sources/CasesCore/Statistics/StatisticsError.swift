/// Everything that can stop a statistical release, each said in a coordinator's words.
public enum StatisticsError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidPeriod(String)
    case invalidEpsilon(String)
    case invalidSpec(String)
    case budgetExhausted(period: String, spent: String, requested: String, budget: String)
    case releaseExists(period: String, existingSpec: String)
    case chainBroken(index: Int)
    case arithmeticOverflow
    case damagedCases(count: Int)
    case floorLowered(String, requested: Int, floor: Int)
    case periodNotEnded(String)
    case mechanismFixed(year: Int, chosen: String, requested: String)
    /// Even with every shown number withheld, the table would narrow a small number of the
    /// release named (nil: of the table itself) below k.
    case linkedConflict(releaseID: String?)
    case linkedAuditFailed(String)

    public var description: String {
        switch self {
        case .invalidPeriod(let text):
            return "The period \"\(text)\" is not a year like 2021 or a quarter like 2021-Q2."
        case .invalidEpsilon(let text):
            return "The privacy budget ε \"\(text)\" must be a decimal number greater than 0 and at most 10, with at most 6 decimals, such as 0.5."
        case .invalidSpec(let why):
            return "This table cannot be released: \(why)"
        case .budgetExhausted(let period, let spent, let requested, let budget):
            return
                "The privacy budget for people counted in \(period) is used up: someone could already have lost \(spent) of \(budget) over every noisy release, and this one adds \(requested); publish a stored release instead."
        case .releaseExists(let period, let existingSpec):
            return
                "A release of this table for \(period) already exists with other settings (\(existingSpec)); reuse it, or ask explicitly for a revision (`cases stats --revise`)."
        case .chainBroken(let index):
            return "The release ledger has been altered: entry \(index + 1) does not match the chain; restore the vault from a backup."
        case .arithmeticOverflow:
            return "The privacy budget arithmetic overflowed; use ε values with fewer decimals."
        case .damagedCases(let count):
            return
                "\(count) case(s) failed their integrity check, so a table now would leave them out and be published wrong for good; nothing was released. `cases list` names them; restore them from a backup first."
        case .floorLowered(let what, let requested, let floor):
            return "A \(what) of \(requested) is below the floor of \(floor): releases may ask for a larger one, never a smaller one."
        case .periodNotEnded(let period):
            return
                "\(period) has not ended yet, so its figures would still change; wait until it has, or add --provisional to publish figures marked as provisional."
        case .mechanismFixed(let year, let chosen, _):
            return chosen == "dp"
                ? "\(year) was first published with differential privacy (--dp), so every release of \(year) must use it too; a table without noise beside noisy ones would undo their protection."
                : "\(year) was first published without noise, so every release of \(year) must be too; noise added now would not protect what is already public."
        case .linkedConflict(let id):
            let whose = id.map { "a number below the threshold in release \($0)" } ?? "one of its own numbers below the threshold"
            return
                "This table cannot be released: together with what is already published for the period, it would let a reader narrow \(whose), even with every other number withheld. Publish a coarser table, or revise the period on purpose (`cases stats --revise`)."
        case .linkedAuditFailed(let why):
            return "The check of this table against the period's earlier releases failed (\(why)); nothing was released."
        }
    }
}

extension StatisticsError: CasesError {
    public var kind: FailureKind {
        switch self {
        case .invalidPeriod, .invalidEpsilon, .invalidSpec, .arithmeticOverflow, .floorLowered, .periodNotEnded, .mechanismFixed: .invalidInput
        case .budgetExhausted: .budget
        case .releaseExists, .linkedConflict: .invalidInput
        case .linkedAuditFailed: .integrity
        case .chainBroken, .damagedCases: .integrity
        }
    }
}
