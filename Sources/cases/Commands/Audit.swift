import ArgumentParser
import CasesCore
import Foundation

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the vault's tamper-evident event log.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the event chain and every case record; name the first break.",
            discussion: "Exit 0 when everything holds, 65 at the first break.\n\nExample:\n  cases audit verify"
        )

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let report = try Session(options: global).caseload().verifyAudit()
            if global.json {
                Output.json(["ok": report.ok, "events": report.events, "cases": report.cases, "first_break": report.firstBreak ?? NSNull()])
            } else if report.ok {
                Output.line("Audit chain holds: \(report.events) events, \(report.cases) cases, every record matches its events.")
            }
            if let broken = report.firstBreak { throw AuditError.broken(broken) }
        }
    }
}
