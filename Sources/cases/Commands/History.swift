import ArgumentParser
import CasesCore
import Foundation

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a case's events, oldest first: who, when, what, why.",
        discussion: "Example:\n  cases history 7QKM-2XAPV"
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id.") var id: String

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let caseload = try Session(options: global).caseload()
        let events = try caseload.history(caseID)
        let labels = Dictionary((try caseload.vault.keyslots()).map { ($0.id, $0.label ?? $0.id) }, uniquingKeysWith: { a, _ in a })
        if global.json {
            Output.json(["events": events.map { seq, e -> [String: Any] in
                var o: [String: Any] = ["seq": seq, "at": e.at, "kind": e.kind.rawValue, "actor": e.actor]
                if let l = labels[e.actor] { o["actor_label"] = l }
                if let on = e.on { o["on"] = on.text }
                if let f = e.from { o["from"] = f.rawValue }
                if let t = e.to { o["to"] = t.rawValue }
                if let out = e.outcome { o["outcome"] = out.rawValue }
                if let r = e.reason { o["reason"] = r }
                return o
            }])
        } else {
            Table.print(header: ["SEQ", "AT", "BY", "WHAT"], rows: events.map { seq, e in
                var what = e.kind.rawValue
                if let f = e.from, let t = e.to { what += " \(f.rawValue) → \(t.rawValue)" }
                if let o = e.outcome { what += " (\(o.rawValue))" }
                if let on = e.on { what += " on \(on)" }
                if let r = e.reason { what += ": \(r)" }
                return [String(seq), e.at, labels[e.actor] ?? e.actor, what]
            })
        }
    }
}
