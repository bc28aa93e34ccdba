import ArgumentParser
import CasesCore
import Foundation

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the whole case.",
        discussion: "Example:\n  cases show 7QKM-2XAPV"
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The case id, as `cases open` printed it (hyphen optional).") var id: String

    func run() throws {
        let caseID = try Caseload.parseID(id)
        let c = try Session(options: global).caseload().show(caseID)
        if global.json {
            Output.json(["case": CaseJSON.object(c)])
        } else {
            CaseText.print(c)
        }
    }
}

/// The `show` JSON shape of docs/cli.md: absent stage data is an explicit null.
enum CaseJSON {
    static func object(_ c: CaseFile) -> [String: Any] {
        var o = (Output.object(c) as? [String: Any]) ?? [:]
        for key in ["destination", "arrival", "outcome", "caseworker"] where o[key] == nil { o[key] = NSNull() }
        o["id"] = c.id.description
        return o
    }
}

/// The human-readable case sheet.
enum CaseText {
    static func print(_ c: CaseFile) {
        let p = c.principal
        var lines: [String] = []
        lines.append("Case \(c.id)   stage: \(c.stage.rawValue)\(c.outcome.map { " (\($0.rawValue))" } ?? "")   opened \(c.openedOn)")
        lines.append("")
        lines.append(
            "Principal   \(p.fullName ?? "-")\(p.birthYear.map { ", born \($0)" } ?? "")\(p.citizenship.map { ", \($0.code) citizen" } ?? "")")
        if let a = p.aliases, !a.isEmpty { lines.append("Aliases     \(a.joined(separator: ", "))") }
        lines.append("Segment     \(p.segment?.rawValue ?? "-")    Reason: \(p.reason?.rawValue ?? "-")")
        if let cc = p.currentCountry { lines.append("Now in      \(Country.name(of: cc.code))\(p.currentCity.map { ", \($0)" } ?? "")") }
        if let ct = p.contact {
            let channels: [(String, String?)] = [("signal", ct.signal), ("email", ct.email), ("phone", ct.phone), ("via", ct.intermediary)]
            let parts = channels.compactMap { pair in pair.1.map { "\(pair.0) \($0)" } }
            lines.append("Contact     \(parts.joined(separator: "; "))")
        }
        lines.append("Consent     \(p.consent?.givenOn?.text ?? "not recorded")\(p.consent?.channel.map { " by \($0)" } ?? "")")
        for f in c.family {
            lines.append(
                "Family      \(f.relation ?? "member"): \(f.fullName ?? "-")\(f.birthYear.map { ", born \($0)" } ?? "")\(f.needs.map { "; needs: \($0)" } ?? "")"
            )
        }
        for a in c.assessments {
            lines.append(
                "Risk v\(a.version ?? 0)     \(a.level?.rawValue ?? "-") (likelihood \(a.likelihood ?? 0) × impact \(a.impact ?? 0))\(a.assessedOn.map { " on \($0)" } ?? "")\(a.reviewOn.map { ", review \($0)" } ?? "")"
            )
        }
        if let d = c.destination {
            lines.append(
                "Destination \(d.country.map { Country.name(of: $0.code) } ?? "-") by \(d.route?.rawValue ?? "-")\(d.travelOn.map { ", travel \($0)" } ?? "")"
            )
        }
        if let a = c.arrival {
            lines.append(
                "Arrival     \(a.arrivedOn?.text ?? "-") in \(a.city ?? "-"), \(a.country.map { Country.name(of: $0.code) } ?? "-")\(a.legalStatus.map { " (\($0))" } ?? "")"
            )
            for ci in a.checkins ?? [] as [CheckIn] { lines.append("Check-in    \(ci.on)\(ci.note.map { ": \($0)" } ?? "")") }
        }
        for n in c.notes { lines.append("Note        \(n.at.prefix(10)): \(n.text)") }
        let missing = c.stage.next == nil ? [] : c.missing(forGate: c.stage)
        if !missing.isEmpty { lines.append(""); lines.append("To advance, still needed: \(missing.joined(separator: ", "))") }
        for l in lines { Output.line(l) }
    }
}
