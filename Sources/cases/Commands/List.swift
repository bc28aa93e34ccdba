import ArgumentParser
import CasesCore
import Foundation

extension Stage: ExpressibleByArgument {}
extension Segment: ExpressibleByArgument {}
extension Outcome: ExpressibleByArgument {}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List cases, newest activity first.",
        discussion: """
            Example:
              cases list --stage arrival --destination GE
              cases list --overdue
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only cases at this stage: intake, risk_assessment, destination, arrival, closed.")
    var stage: Stage?

    @Option(help: ArgumentHelp("Only cases going to this country (ISO code or English name).", valueName: "country"))
    var destination: String?

    @Option(help: "Only this segment: journalist, human_rights_defender, opposition_activist, lawyer, other.")
    var segment: Segment?

    @Flag(help: "Only cases that need attention now (reviews due, travel passed, no check-in, idle intake).")
    var overdue = false

    func validate() throws {
        if let d = destination, Country.code(for: d) == nil {
            throw ValidationError("--destination: \"\(d)\" is not a country; use an ISO code such as GE or an English name.")
        }
    }

    func run() throws {
        let caseload = try Session(options: global).caseload()
        let filter = CaseFilter(stage: stage, destination: destination.flatMap(Country.code(for:)), segment: segment, overdue: overdue)
        let (cases, damaged) = try caseload.list(filter)
        let today = caseload.today()
        if global.json {
            Output.json([
                "cases": cases.map { c -> [String: Any] in
                    var row: [String: Any] = [
                        "id": c.id.description, "stage": c.stage.rawValue,
                        "segment": c.segment?.rawValue ?? NSNull(),
                        "destination": c.destination ?? NSNull(),
                        "name": c.fullName ?? NSNull(),
                        "last_activity_at": c.lastActivityAt, "opened_on": c.openedOn.text,
                        "outcome": c.outcome?.rawValue ?? NSNull(),
                    ]
                    if overdue { row["due"] = c.overdueReasons(today: today) }
                    return row
                }
            ])
        } else {
            let rows = cases.map { c in
                [
                    c.id.description, c.stage.rawValue, c.segment?.rawValue ?? "-", c.destination ?? "-",
                    String(c.lastActivityAt.prefix(10)), c.fullName ?? "-",
                ]
                    + (overdue ? [c.overdueReasons(today: today).joined(separator: "; ")] : [])
            }
            if rows.isEmpty {
                Terminal.message("No cases match.")
            } else {
                Table.print(header: ["ID", "STAGE", "SEGMENT", "DEST", "ACTIVITY", "NAME"] + (overdue ? ["WHY"] : []), rows: rows)
            }
        }
        if !damaged.isEmpty {
            throw ListDamage(ids: damaged)
        }
    }
}

struct ListDamage: CasesError {
    let ids: [String]
    var kind: FailureKind { .integrity }
    var description: String {
        "\(ids.count) case(s) failed their integrity check and are not listed: \(ids.joined(separator: ", ")). Their records were altered or damaged; restore them from a backup."
    }
}

/// Plain aligned columns; no library here does this without pulling in a whole TUI.
enum Table {
    static func print(header: [String], rows: [[String]]) {
        var widths = header.map(\.count)
        for r in rows { for (i, v) in r.enumerated() { widths[i] = max(widths[i], v.count) } }
        // Written into one buffer and flushed in large pieces: a listing can be 100,000 lines.
        var out = [UInt8]()
        out.reserveCapacity(1 << 16)
        func add(_ r: [String]) {
            for (i, v) in r.enumerated() {
                out += v.utf8
                if i < r.count - 1 {
                    out += repeatElement(UInt8(ascii: " "), count: widths[i] - v.count + 2)
                }
            }
            out.append(UInt8(ascii: "\n"))
            if out.count >= 1 << 16 { Output.raw(out); out.removeAll(keepingCapacity: true) }
        }
        add(header)
        for r in rows { add(r) }
        Output.raw(out)
    }
}
