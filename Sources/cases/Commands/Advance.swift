import ArgumentParser
import CasesCore
import Foundation

struct Advance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move a case to its next stage once the gate holds, or back to an earlier one with a reason.",
        discussion: """
            The new stage's data comes from prompts or JSON (--input FILE or -):
              risk_assessment  {"assessment": {"level": "high", "likelihood": 4, "impact": 5, "review_on": "2021-04-01"}}
              destination      {"destination": {"country": "GE", "route": "visa_free", "travel_on": "2021-05-01"}}
              arrival          {"arrival": {"arrived_on": "2021-06-01", "country": "GE", "city": "Tbilisi"}}
              back (--to)      {"reason": "visa refused"}
            A "principal" object may add missing intake fields on the way (for example consent).

            Examples:
              cases advance 7QKM-2XAPV --input assessment.json
              echo '{"reason": "visa refused"}' | cases advance 7QKM-2XAPV --to destination --input -
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id.") var id: String
    @Option(help: "The stage to move to; default: the next one. An earlier stage moves the case back and needs a reason.")
    var to: Stage?
    @Option(help: ArgumentHelp("A JSON document with the stage data, or - for stdin.", valueName: "file"))
    var input: String?

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let caseload = try Session(options: global).caseload()
        let document: AdvanceDocument
        var expected: Int?
        if let data = try Session.readInput(input, what: "stage data") {
            document = try DocumentReader.decode(AdvanceDocument.self, from: data)
        } else {
            // Read first, ask, then write only if nobody changed the case meanwhile.
            let current = try caseload.show(caseID)
            expected = current.version
            document = try Prompts.advanceDocument(for: current, to: to)
        }
        let c = try caseload.advance(caseID, to: to, document: document, expectedVersion: expected)
        if global.json {
            Output.json(["id": c.id.description, "stage": c.stage.rawValue, "version": c.version])
        } else {
            Output.line("\(c.id) is now at \(c.stage.rawValue).")
        }
    }
}

struct Assess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a new risk assessment without changing the stage.",
        discussion: """
            Example:
              cases assess 7QKM-2XAPV --input - <<< '{"assessment": {"level": "critical", "likelihood": 5, "impact": 5}}'
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id.") var id: String
    @Option(help: ArgumentHelp("A JSON document {\"assessment\": {…}}, or - for stdin.", valueName: "file"))
    var input: String?

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let caseload = try Session(options: global).caseload()
        let doc: AdvanceDocument
        if let data = try Session.readInput(input, what: "assessment") {
            doc = try DocumentReader.decode(AdvanceDocument.self, from: data)
        } else {
            doc = AdvanceDocument(assessment: try Prompts.assessment())
        }
        guard let a = doc.assessment else { throw InputError.missing(["assessment"]) }
        let c = try caseload.assess(caseID, a)
        if global.json {
            Output.json(["id": c.id.description, "assessments": c.assessments.count])
        } else {
            Output.line("Recorded assessment v\(c.assessments.count) for \(c.id).")
        }
    }
}
