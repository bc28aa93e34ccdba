import ArgumentParser
import CasesCore
import Foundation

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open a new case and print its id.",
        discussion: """
            The case comes from prompts on a terminal, or from a JSON document (--input FILE, \
            or - for stdin). Never put names on the command line: they would stay in your shell \
            history and be visible to other programs.

            Example:
              cases open --input case.json
              {"principal": {"full_name": "…", "segment": "journalist", "reason": "criminal_prosecution",
                             "contact": {"signal": "…"}, "consent": {"given_on": "2021-03-02", "channel": "signal"}},
               "family": [{"relation": "child", "full_name": "…", "birth_year": 2015}]}
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("A JSON document describing the case, or - for stdin.", valueName: "file"))
    var input: String?

    func run() throws {
        let session = Session(options: global)
        let document: OpenDocument
        if let data = try Session.readInput(input, what: "case") {
            document = try DocumentReader.decode(OpenDocument.self, from: data)
        } else {
            document = try Prompts.openDocument()
        }
        let caseload = try session.caseload()
        let id = try caseload.open(document)
        if global.json { Output.json(["id": id.description]) } else { Output.line(id.description) }
    }
}
