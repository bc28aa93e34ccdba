import ArgumentParser
import CasesCore
import Foundation

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a case's events, oldest first: who, when, what, why.",
        discussion: """
            BY names the keyslot that made each change: its label (or id), with "removed slot" \
            once that caseworker's slot has been removed.

            Example:
              cases history 7QKM-2XAPV
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id.") var id: String

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let caseload = try Session(options: global).caseload()
        let events = try caseload.history(caseID)
        let actors = try caseload.vault.eventActors()
        if global.json {
            Output.json([
                "events": events.map { seq, e -> [String: Any] in
                    let actor = EventActor(id: e.actor, in: actors)
                    var o: [String: Any] = [
                        "seq": seq, "at": e.at, "kind": e.kind.rawValue, "actor": e.actor,
                        "actor_label": actor.label ?? e.actor, "actor_removed": actor.removed,
                    ]
                    if let on = e.on { o["on"] = on.text }
                    if let f = e.from { o["from"] = f.rawValue }
                    if let t = e.to { o["to"] = t.rawValue }
                    if let out = e.outcome { o["outcome"] = out.rawValue }
                    if let r = e.reason { o["reason"] = r }
                    return o
                }
            ])
        } else {
            Table.print(
                header: ["SEQ", "AT", "BY", "WHAT"],
                rows: events.map { seq, e in
                    var what = e.kind.rawValue
                    if let f = e.from, let t = e.to { what += " \(f.rawValue) → \(t.rawValue)" }
                    if let o = e.outcome { what += " (\(o.rawValue))" }
                    if let on = e.on { what += " on \(on)" }
                    if let r = e.reason { what += ": \(r)" }
                    return [String(seq), e.at, EventActor(id: e.actor, in: actors).display, what]
                })
        }
    }
}
