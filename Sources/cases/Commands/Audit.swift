import ArgumentParser
import CasesCore
import Foundation

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the vault's tamper-evident event log (verify), or accept a restored backup (accept-rollback).",
        discussion: """
            Besides the chain inside the vault, this laptop keeps a sealed record of the vault's \
            last state (in $CASES_STATE_DIR, else $XDG_STATE_HOME/cases): a vault put back to an \
            older copy, or with events, releases or cases deleted, is noticed at the next unlock. \
            Such a vault is not changed and publishes no statistics until `cases audit \
            accept-rollback` accepts it (after restoring a backup on purpose).
            """,
        subcommands: [Verify.self, AcceptRollback.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the event chain and every case record; name the first break.",
            discussion: """
                Exit 0 when everything holds; 65 at the first break, or when the vault is older \
                than this laptop's record of it (naming what went missing). With --verbose, also lists \
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
                var doc: [String: Any] = [
                    "ok": report.ok, "events": report.events, "cases": report.cases, "first_break": report.firstBreak ?? NSNull(),
                    "rollback": report.rollbackError?.description ?? NSNull(),
                ]
                doc["vault_events"] = report.vaultEvents.map { v -> [String: Any] in
                    [
                        "seq": v.seq, "at": v.event.at, "kind": v.event.kind.rawValue, "actor": v.event.actor,
                        "actor_label": actor(v.event.actor).label ?? v.event.actor, "detail": v.event.detail ?? NSNull(),
                    ]
                }
                doc["by_slot"] = report.eventsByActor.sorted { $0.key < $1.key }.map { id, count -> [String: Any] in
                    let a = actor(id)
                    return ["actor": id, "actor_label": a.label ?? id, "actor_removed": a.removed, "events": count]
                }
                if verbose {
                    doc["log"] = log.map { seq, e -> [String: Any] in
                        let a = actor(e.actor)
                        var o: [String: Any] = [
                            "seq": seq, "at": e.at, "case": e.kind.isVaultWide ? "vault" : e.caseId.description,
                            "kind": e.kind.rawValue, "actor": e.actor, "actor_label": a.label ?? e.actor, "actor_removed": a.removed,
                        ]
                        if e.kind.isVaultWide, let slot = e.reason { o["keyslot"] = slot }
                        return o
                    }
                }
                Output.json(doc)
            } else {
                if verbose {
                    Table.print(
                        header: ["SEQ", "AT", "CASE", "WHAT", "BY"],
                        rows: log.map { seq, e in
                            e.kind.isVaultWide
                                ? [String(seq), e.at, "vault", "\(e.kind.rawValue) (\(actor(e.reason ?? "").display))", actor(e.actor).display]
                                : [String(seq), e.at, e.caseId.description, e.kind.rawValue, actor(e.actor).display]
                        })
                    Output.line("")
                    for (id, count) in report.eventsByActor.sorted(by: { $0.key < $1.key }) {
                        Output.line("\(actor(id).display): \(count) event\(count == 1 ? "" : "s")")
                    }
                }
                for v in report.vaultEvents where v.event.kind == .rollbackAccepted {
                    Output.line(
                        "Event \(v.seq), \(v.event.at): \(actor(v.event.actor).display) accepted an older vault (\(v.event.detail ?? "no detail")).")
                }
                if report.ok {
                    Output.line("Audit chain holds: \(report.events) events, \(report.cases) cases, every record matches its events.")
                }
            }
            if let broken = report.firstBreak { throw AuditError.broken(broken) }
            if let rolledBack = report.rollbackError { throw rolledBack }
        }
    }

    struct AcceptRollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "accept-rollback",
            abstract: "Accept a vault that is older than this laptop's record of it (a restored backup).",
            discussion: """
                After restoring a backup, the vault lacks what was done since the backup was made, \
                and cases refuses to change it or publish statistics from it. This command says \
                what is missing, asks, records your acceptance in the vault's audit log (shown by \
                `cases audit verify`), and makes the vault as it is now this laptop's record. It \
                also accepts a record that was altered or damaged.

                Releases published after the backup was made are still out in the world, but the \
                ledger no longer counts their privacy budget: do not publish the same periods again \
                with --dp unless you know what they spent.

                Exit 0 when accepted or when there was nothing to accept.

                Examples:
                  cases audit accept-rollback --vault ~/restored/vault.cases
                  cases audit accept-rollback --yes
                """
        )

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func run() throws {
            let session = Session(options: global)
            let caseload = try session.caseload()
            guard let refusal = caseload.vault.anchorStatus.refusal else { return nothingToAccept() }
            if !yes {
                try Confirmation.byFileName(
                    session.vaultPath, question: "\(refusal.finding). Accept the vault as it is now?",
                    action: "Accepting an older vault", refused: "nothing was accepted")
            }
            guard let accepted = try caseload.acceptRollback() else { return nothingToAccept() }
            if global.json {
                Output.json(["accepted": accepted.description])
            } else {
                Output.line("Accepted the vault as it is now (\(accepted)); recorded in its audit log.")
            }
        }

        private func nothingToAccept() {
            if global.json {
                Output.json(["accepted": NSNull()])
            } else {
                Output.line("The vault holds everything this laptop recorded; nothing to accept.")
            }
        }
    }
}
