import ArgumentParser
import CasesCore
import Foundation

struct Due: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What needs a caseworker now, and why: no one forgotten.",
        discussion: """
            Lists open cases whose risk review date has passed, whose planned travel date passed \
            without arrival, that arrived but had no check-in for --checkin-days, or whose intake \
            saw no activity for --idle-days. Exit 0 whether or not anything is due.

            Run it every morning, for example from cron (`crontab -e`):
              0 8 * * 1-5  cases due --passphrase-file ~/.config/cases/pass | mail -s "cases due" me@example.org
            or simply first thing after unlocking:
              cases due
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Days after arrival or the last check-in before a check-in is due.") var checkinDays = 14
    @Option(help: "Days without activity before an intake counts as idle.") var idleDays = 14

    func run() throws {
        let (due, damaged) = try Session(options: global).caseload().due(checkinDays: checkinDays, idleDays: idleDays)
        if global.json {
            Output.json([
                "due": due.map { c, why in
                    ["id": c.id.description, "stage": c.stage.rawValue, "why": why, "name": c.fullName ?? NSNull()] as [String: Any]
                }
            ])
        } else if due.isEmpty {
            Output.line("Nothing is due.")
        } else {
            Table.print(
                header: ["ID", "STAGE", "NAME", "WHY"],
                rows: due.map { c, why in
                    [c.id.description, c.stage.rawValue, c.fullName ?? "-", why.joined(separator: "; ")]
                })
        }
        if !damaged.isEmpty { throw ListDamage(ids: damaged) }
    }
}

struct Checkin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkin",
        abstract: "Record a follow-up contact with a person (resets the check-in clock of `cases due`).",
        discussion: """
            The optional note comes from --input (a file or - for stdin), never from the command line.

            Examples:
              cases checkin 7QKM-2XAPV
              echo "Found a flat; children in school." | cases checkin 7QKM-2XAPV --input -
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id.") var id: String
    @Option(help: "The day of the contact, yyyy-mm-dd (default today).") var on: String?
    @Option(help: ArgumentHelp("A file holding a short note about the contact, or - for stdin.", valueName: "file"))
    var input: String?

    func validate() throws {
        if let on, ISODate(on) == nil { throw ValidationError("--on must be a date written yyyy-mm-dd.") }
    }

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let caseload = try Session(options: global).caseload()
        var note: String?
        if let input, let data = try Session.readInput(input, what: "note") {
            note = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let c = try caseload.checkIn(caseID, CheckIn(on: on.flatMap { ISODate($0) } ?? caseload.today(), note: note))
        if global.json {
            Output.json(["id": c.id.description, "checkins": c.arrival?.checkins?.count ?? 0])
        } else {
            Output.line("Check-in recorded for \(c.id).")
        }
    }
}
