import ArgumentParser
import CasesCore
import Foundation

struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a note to a case, from $EDITOR, a prompt, or stdin.",
        discussion: """
            With $EDITOR set on a terminal the note is written in a private file in /dev/shm \
            (memory, not disk) that is removed afterwards.

            Examples:
              cases note 7QKM-2XAPV
              cases note 7QKM-2XAPV --input - < note.txt
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id.") var id: String
    @Option(help: ArgumentHelp("A file holding the note's text, or - for stdin.", valueName: "file"))
    var input: String?

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let caseload = try Session(options: global).caseload()
        _ = try caseload.show(caseID) // an unknown id fails before anyone types a note
        let text: String
        if let data = try Session.readInput(input, what: "note") {
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = try Prompts.noteText()
        }
        let c = try caseload.note(caseID, text: text)
        if global.json { Output.json(["id": c.id.description, "notes": c.notes.count]) } else { Output.line("Note added to \(c.id).") }
    }
}
