import ArgumentParser
import CasesCore
import Foundation

struct Close: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Close a case with an outcome.",
        discussion: """
            Outcomes: settled (only after arrival), withdrawn, referred, lost_contact, declined.

            Example:
              cases close 7QKM-2XAPV --outcome settled
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id.") var id: String
    @Option(help: "settled, withdrawn, referred, lost_contact or declined.") var outcome: Outcome

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let c = try Session(options: global).caseload().close(caseID, outcome: outcome)
        if global.json {
            Output.json(["id": c.id.description, "stage": c.stage.rawValue, "outcome": outcome.rawValue])
        } else {
            Output.line("\(c.id) closed: \(outcome.rawValue).")
        }
    }
}
