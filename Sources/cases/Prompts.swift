import CasesCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Guided questions on a terminal, for caseworkers who do not write JSON. Each answer is
/// checked at once, so a typo is caught at its question rather than at the end.
enum Prompts {
    struct EndOfInput: CasesError {
        var kind: FailureKind { .invalidInput }
        var description: String { "Input ended before the questions were answered; nothing was stored." }
    }

    static func text(_ q: String, required: Bool = false) throws -> String? {
        while true {
            guard let a = try Terminal.ask(q + (required ? ": " : " (Enter to skip): ")) else { throw EndOfInput() }
            let t = a.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty { return t }
            if !required { return nil }
            Terminal.message("  This one is needed.")
        }
    }

    static func choice<V: Vocabulary>(_ q: String, _ type: V.Type, required: Bool = false) throws -> V? {
        while true {
            guard let t = try text("\(q) [\(V.allowedList)]", required: required) else { return nil }
            if let v = V(forgiving: t) { return v }
            Terminal.message("  Please answer one of: \(V.allowedList).")
        }
    }

    static func date(_ q: String, required: Bool = false) throws -> ISODate? {
        while true {
            guard let t = try text("\(q) (yyyy-mm-dd)", required: required) else { return nil }
            if let d = ISODate(t) { return d }
            Terminal.message("  Write the date as yyyy-mm-dd, for example 2021-06-01.")
        }
    }

    static func number(_ q: String, _ range: ClosedRange<Int>, required: Bool = false) throws -> Int? {
        while true {
            guard let t = try text("\(q) (\(range.lowerBound)–\(range.upperBound))", required: required) else { return nil }
            if let n = Int(t), range.contains(n) { return n }
            Terminal.message("  A whole number from \(range.lowerBound) to \(range.upperBound), please.")
        }
    }

    static func country(_ q: String, required: Bool = false) throws -> CountryCode? {
        while true {
            guard let t = try text("\(q) (ISO code or English name)", required: required) else { return nil }
            if let c = CountryCode(t) { return c }
            Terminal.message("  Not a country I know; try the ISO code, such as GE.")
        }
    }

    static func openDocument() throws -> OpenDocument {
        Terminal.message("New case. Answers stay on this computer, sealed in the vault.")
        var p = Principal()
        p.fullName = try text("Full name", required: true)
        p.birthYear = try number("Birth year", 1900...ISODate.today().year)
        p.citizenship = try country("Citizenship")
        p.currentCountry = try country("Country they are in now")
        p.segment = try choice("Segment", Segment.self)
        p.reason = try choice("Reason for leaving", LeavingReason.self)
        var contact = Contact()
        contact.signal = try text("Signal number or username")
        contact.email = try text("E-mail")
        contact.intermediary = try text("Trusted intermediary")
        p.contact = contact
        if let given = try date("Consent to keep their data given on") {
            p.consent = Consent(givenOn: given, channel: try text("Consent given by what channel", required: true))
        }
        let notes = try text("A first note")
        return OpenDocument(principal: p, family: [], notes: notes, caseworker: nil, openedOn: nil, history: nil)
    }

    static func assessment() throws -> RiskAssessment {
        var a = RiskAssessment()
        a.level = try choice("Overall risk level", RiskLevel.self, required: true)
        a.likelihood = try number("Likelihood", 1...5, required: true)
        a.impact = try number("Impact", 1...5, required: true)
        a.urgency = try text("Urgency")
        a.reviewOn = try date("Review again on")
        return a
    }

    static func advanceDocument(for c: CaseFile, to target: Stage?) throws -> AdvanceDocument {
        if let t = target, t < c.stage || c.stage == .closed {
            return AdvanceDocument(reason: try text("Why does the case go back to \(t.rawValue)", required: true))
        }
        var doc = AdvanceDocument()
        let missing = c.missing(forGate: c.stage)
        if !missing.isEmpty {
            Terminal.message("Still missing for \(c.stage.rawValue): \(missing.joined(separator: ", ")). Add them with --input {\"principal\": {…}}.")
        }
        switch c.stage.next {
        case .riskAssessment?: doc.assessment = try assessment()
        case .destination?:
            doc.destination = DestinationPlan(
                country: try country("Destination country", required: true),
                route: try choice("Legal route", LegalRoute.self, required: true),
                travelOn: try date("Planned travel date"), funding: try text("Funding"))
        case .arrival?:
            doc.arrival = Arrival(
                arrivedOn: try date("Arrived on", required: true), country: try country("Country", required: true),
                city: try text("City", required: true), legalStatus: try text("Legal status on arrival"), checkins: nil)
        default: break
        }
        return doc
    }

    /// The note's text from $EDITOR (in /dev/shm, never on disk: ``EditorDraft``) or a
    /// one-line prompt.
    static func noteText() throws -> String {
        if let editor = ProcessInfo.processInfo.environment["EDITOR"], !editor.isEmpty, FileManager.default.fileExists(atPath: EditorDraft.folder),
            let text = try EditorDraft.edit()
        {
            return text
        }
        guard let t = try text("Note", required: true) else { throw EndOfInput() }
        return t
    }
}
