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
            discussion: """
                Exit 0 when everything holds, 65 at the first break. With --verbose, also lists \
                every event of the chain, oldest first: when, which case, what, and which keyslot \
                made it (its label, as `history` shows it; a removed caseworker's slot is marked \
                "removed slot"). Events about the vault itself show `vault` as their case: a \
                passphrase kept with --accept-weak-passphrase, naming its keyslot. With --json, `by_slot` always counts the events each keyslot \
                made, and --verbose adds the whole list as `log`.

                Examples:
                  cases audit verify
                  cases audit verify --verbose
                  cases audit verify --json --verbose
                """
        )

        @OptionGroup var global: GlobalOptions
        @Flag(name: .shortAndLong, help: "List every event with the keyslot that made it.") var verbose = false

        func run() throws {
            let caseload = try Session(options: global).caseload()
            var log: [(seq: Int64, event: CaseEvent)] = []
            let report = try caseload.verifyAudit(visit: verbose ? { log.append(($0, $1)) } : nil)
            let actors = try caseload.vault.eventActors()
            func actor(_ id: String) -> EventActor { EventActor(id: id, in: actors) }
            if global.json {
                var doc: [String: Any] = ["ok": report.ok, "events": report.events, "cases": report.cases, "first_break": report.firstBreak ?? NSNull()]
                doc["by_slot"] = report.eventsByActor.sorted { $0.key < $1.key }.map { id, count -> [String: Any] in
                    let a = actor(id)
                    return ["actor": id, "actor_label": a.label ?? id, "actor_removed": a.removed, "events": count]
                }
                if verbose {
                    doc["log"] = log.map { seq, e -> [String: Any] in
                        let a = actor(e.actor)
                        var o: [String: Any] = ["seq": seq, "at": e.at, "case": e.kind.isVaultWide ? "vault" : e.caseId.description,
                                                "kind": e.kind.rawValue, "actor": e.actor, "actor_label": a.label ?? e.actor, "actor_removed": a.removed]
                        if e.kind.isVaultWide, let slot = e.reason { o["keyslot"] = slot }
                        return o
                    }
                }
                Output.json(doc)
            } else {
                if verbose {
                    Table.print(header: ["SEQ", "AT", "CASE", "WHAT", "BY"], rows: log.map { seq, e in
                        e.kind.isVaultWide
                            ? [String(seq), e.at, "vault", "\(e.kind.rawValue) (\(actor(e.reason ?? "").display))", actor(e.actor).display]
                            : [String(seq), e.at, e.caseId.description, e.kind.rawValue, actor(e.actor).display]
                    })
                    Output.line("")
                    for (id, count) in report.eventsByActor.sorted(by: { $0.key < $1.key }) {
                        Output.line("\(actor(id).display): \(count) event\(count == 1 ? "" : "s")")
                    }
                }
                if report.ok {
                    Output.line("Audit chain holds: \(report.events) events, \(report.cases) cases, every record matches its events.")
                }
            }
            if let broken = report.firstBreak { throw AuditError.broken(broken) }
        }
    }
}
