import Foundation

/// The columns of an import spreadsheet, one row a case, and how a row becomes an
/// ``OpenDocument``.
///
/// Column names are read forgivingly ("Full name", "full-name" and "FULL_NAME" are one column;
/// a few common alternatives such as "name" are accepted) and strictly: an unknown or repeated
/// column refuses the whole file, because silently dropping a column would lose data the
/// caseworker meant to bring in. Values follow the same rules as JSON, so "Georgia" and "GE" are
/// one country, and a stage's data without its date is refused.
public struct CSVCaseLayout: Sendable {
    /// The most family members a row can carry (`family1_…` to `family6_…`).
    public static let maxFamily = 6

    static let principalColumns = [
        "full_name", "aliases", "birth_date", "birth_year", "citizenship", "current_country", "current_city", "languages",
        "segment", "reason", "signal", "email", "phone", "intermediary", "consent_given_on", "consent_channel",
        "caseworker", "notes",
    ]
    static let stageColumns = [
        "opened_on",
        "assessed_on", "level", "likelihood", "impact", "urgency", "review_on",
        "destination_on", "destination_country", "route", "travel_on", "funding",
        "arrived_on", "arrival_country", "arrival_city", "legal_status",
        "closed_on", "outcome", "closing_reason",
    ]
    static let familyFields = ["relation", "full_name", "birth_year", "needs"]
    /// Without these a row cannot be a case; `cases import --template csv` lists the rest.
    public static let requiredColumns = ["full_name", "segment", "reason"]

    /// Names people give these columns in their own spreadsheets.
    static let aliases: [String: String] = [
        "name": "full_name", "fullname": "full_name", "birthyear": "birth_year", "year_of_birth": "birth_year",
        "date_of_birth": "birth_date", "consent_date": "consent_given_on", "consent_on": "consent_given_on",
        "destination": "destination_country", "legal_route": "route", "risk_level": "level",
        "arrival_date": "arrived_on", "opened": "opened_on", "closed": "closed_on",
    ]

    /// Every column, in template order.
    public static var allColumns: [String] {
        principalColumns + stageColumns + (1...maxFamily).flatMap { i in familyFields.map { "family\(i)_\($0)" } }
    }

    /// The header row `cases import --template csv` prints.
    public static var template: String { allColumns.joined(separator: ",") }

    /// Column name → index in the row.
    let index: [String: Int]
    let width: Int

    /// Reads a header row; the error names columns by number or by their known name, never by
    /// what a cell holds (a header may be a data row by mistake).
    init(header: [String]) throws {
        var index: [String: Int] = [:]
        for (i, raw) in header.enumerated() {
            let folded = Self.fold(raw)
            if folded.isEmpty { continue }
            guard let name = Self.canonical(folded) else {
                throw InputError.notAllowed(
                    "Column \(i + 1) of the header is not a column cases knows; `cases import --template csv` prints the known ones (a missing header row looks like this too)"
                )
            }
            if let first = index[name] {
                throw InputError.notAllowed("Column \(i + 1) of the header repeats column \(first + 1) (\(name))")
            }
            index[name] = i
        }
        let missing = Self.requiredColumns.filter { index[$0] == nil }
        if !missing.isEmpty {
            throw InputError.notAllowed(
                "The header has no column \(missing.joined(separator: ", ")); `cases import --template csv` prints every column")
        }
        self.index = index
        width = header.count
    }

    static func fold(_ s: String) -> String {
        var out = ""
        for ch in s.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
            if ch == " " || ch == "-" || ch == "." || ch == "_" {
                if !out.isEmpty && !out.hasSuffix("_") { out.append("_") }
            } else {
                out.append(ch)
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out
    }

    static func canonical(_ folded: String) -> String? {
        if principalColumns.contains(folded) || stageColumns.contains(folded) { return folded }
        if let a = aliases[folded] { return a }
        // family1_relation, family_1_relation, family_1_full_name, …
        guard folded.hasPrefix("family") else { return nil }
        var rest = folded.dropFirst("family".count)
        if rest.hasPrefix("_") { rest = rest.dropFirst() }
        let digits = rest.prefix(while: \.isNumber)
        guard let n = Int(digits), (1...maxFamily).contains(n) else { return nil }
        rest = rest.dropFirst(digits.count)
        guard rest.hasPrefix("_") else { return nil }
        let field = String(rest.dropFirst())
        let known = field == "name" ? "full_name" : field == "birthyear" ? "birth_year" : field
        return familyFields.contains(known) ? "family\(n)_\(known)" : nil
    }

    // MARK: - Rows

    /// The case one row describes. Errors name the column.
    func document(_ row: [String]) throws -> OpenDocument {
        guard row.count == width else {
            throw InputError.notAllowed(
                "The row has \(row.count) field(s) but the header has \(width) column(s); check for a stray comma or an unclosed quote")
        }
        let r = Cells(layout: self, row: row)
        var p = Principal()
        p.fullName = r.text("full_name")
        p.aliases = r.list("aliases")
        p.birthDate = try r.date("birth_date")
        p.birthYear = try r.int("birth_year")
        p.citizenship = try r.country("citizenship")
        p.currentCountry = try r.country("current_country")
        p.currentCity = r.text("current_city")
        p.languages = r.list("languages")
        p.segment = try r.word("segment", Segment.self)
        p.reason = try r.word("reason", LeavingReason.self)
        let contact = Contact(signal: r.text("signal"), email: r.text("email"), phone: r.text("phone"), intermediary: r.text("intermediary"))
        p.contact = contact.hasChannel ? contact : nil
        let consent = Consent(givenOn: try r.date("consent_given_on"), channel: r.text("consent_channel"))
        p.consent = consent.givenOn == nil && consent.channel == nil ? nil : consent

        var family: [FamilyMember] = []
        for i in 1...Self.maxFamily {
            let f = FamilyMember(
                relation: r.text("family\(i)_relation"), fullName: r.text("family\(i)_full_name"),
                birthYear: try r.int("family\(i)_birth_year"), needs: r.text("family\(i)_needs"))
            if f != FamilyMember() { family.append(f) }
        }

        var history: [HistoryStep] = []
        var reached: (stage: Stage, column: String)? = nil
        func step(_ stage: Stage, date column: String, given: Bool) throws -> ISODate? {
            guard given else { return nil }
            guard let on = try r.date(column) else {
                throw InputError.missing(["\(column) (the date the case reached \(stage.rawValue))"])
            }
            let expected = reached?.stage.next ?? .riskAssessment
            if stage != .closed && stage != expected {
                let needed = Self.dateColumn[expected] ?? "assessed_on"
                throw InputError.notAllowed(
                    "\(column) is given but \(needed) is empty: a case reaches \(stage.rawValue) only through \(expected.rawValue)")
            }
            reached = (stage, column)
            return on
        }

        let assessment = RiskAssessment(
            assessedOn: try r.date("assessed_on"), level: try r.word("level", RiskLevel.self),
            likelihood: try r.int("likelihood"), impact: try r.int("impact"),
            urgency: r.text("urgency"), reviewOn: try r.date("review_on"))
        if let on = try step(
            .riskAssessment, date: "assessed_on", given: r.any("assessed_on", "level", "likelihood", "impact", "urgency", "review_on"))
        {
            var a = assessment
            a.assessedOn = on
            history.append(HistoryStep(stage: .riskAssessment, on: on, assessment: a))
        }
        let destination = DestinationPlan(
            country: try r.country("destination_country"), route: try r.word("route", LegalRoute.self),
            travelOn: try r.date("travel_on"), funding: r.text("funding"))
        if let on = try step(
            .destination, date: "destination_on", given: r.any("destination_on", "destination_country", "route", "travel_on", "funding"))
        {
            history.append(HistoryStep(stage: .destination, on: on, destination: destination))
        }
        let arrival = Arrival(
            arrivedOn: try r.date("arrived_on"), country: try r.country("arrival_country"),
            city: r.text("arrival_city"), legalStatus: r.text("legal_status"))
        if let on = try step(.arrival, date: "arrived_on", given: r.any("arrived_on", "arrival_country", "arrival_city", "legal_status")) {
            history.append(HistoryStep(stage: .arrival, on: on, arrival: arrival))
        }
        let outcome = try r.word("outcome", Outcome.self)
        if let on = try step(.closed, date: "closed_on", given: r.any("closed_on", "outcome", "closing_reason")) {
            guard let outcome else { throw InputError.missing(["outcome (closed_on is given)"]) }
            history.append(HistoryStep(stage: .closed, on: on, outcome: outcome, reason: r.text("closing_reason")))
        }

        return OpenDocument(
            principal: p, family: family.isEmpty ? nil : family, notes: r.text("notes"),
            caseworker: r.text("caseworker"), openedOn: try r.date("opened_on"),
            history: history.isEmpty ? nil : history)
    }

    static let dateColumn: [Stage: String] = [
        .riskAssessment: "assessed_on", .destination: "destination_on", .arrival: "arrived_on", .closed: "closed_on",
    ]

    /// The column a validation path refers to, for a document built by ``document(_:)``.
    static func column(for path: String, in document: OpenDocument) -> String {
        // Gate names carry a hint after the path ("principal.contact (signal, …)").
        let (head, hint) = path.firstIndex(of: " ").map { (String(path[..<$0]), String(path[$0...])) } ?? (path, "")
        var parts = head.split(separator: ".").map(String.init)
        if let first = parts.first, first.hasPrefix("history["), let i = Int(first.dropFirst(8).dropLast()),
            let steps = document.history, steps.indices.contains(i)
        {
            parts.removeFirst()
            if parts.isEmpty || parts == ["on"] || parts == ["stage"] { return (dateColumn[steps[i].stage] ?? "opened_on") + hint }
        } else if let first = parts.first, first.hasPrefix("family["), let i = Int(first.dropFirst(7).dropLast()), parts.count == 2 {
            return "family\(i + 1)_\(parts[1])" + hint
        }
        switch parts.joined(separator: ".") {
        case "principal.consent.given_on": return "consent_given_on"
        case "principal.consent.channel": return "consent_channel"
        case "principal.contact": return "signal, email, phone or intermediary"
        case "destination.country": return "destination_country"
        case "arrival.country": return "arrival_country"
        case "arrival.city": return "arrival_city"
        case "assessment": return "assessed_on, level, likelihood and impact"
        case "reason": return "closing_reason"
        default: return (parts.last ?? head) + hint
        }
    }
}

/// One row's cells by column name, each read with the column's rules.
private struct Cells {
    let layout: CSVCaseLayout
    let row: [String]

    func text(_ column: String) -> String? {
        guard let i = layout.index[column] else { return nil }
        let t = row[i].trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    func any(_ columns: String...) -> Bool { columns.contains { text($0) != nil } }

    /// Several values in one cell, separated by semicolons.
    func list(_ column: String) -> [String]? {
        let items = text(column)?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items?.isEmpty == false ? items : nil
    }

    /// yyyy-mm-dd, or dd.mm.yyyy as spreadsheets in Russian and Belarusian locales write it.
    /// Slashed dates are refused: 03/02/2021 is March in one country and February in another.
    func date(_ column: String) throws -> ISODate? {
        guard let t = text(column) else { return nil }
        if let d = ISODate(t) { return d }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
            let d = ISODate("\(parts[2])-\(parts[1])-\(parts[0])")
        {
            return d
        }
        throw InputError.invalid(field: column, expected: "a date written yyyy-mm-dd (or dd.mm.yyyy), such as 2021-06-01")
    }

    func int(_ column: String) throws -> Int? {
        guard let t = text(column) else { return nil }
        guard let n = Int(t) else { throw InputError.invalid(field: column, expected: "a whole number") }
        return n
    }

    func word<V: Vocabulary>(_ column: String, _ type: V.Type) throws -> V? {
        guard let t = text(column) else { return nil }
        guard let v = V(forgiving: t) else { throw InputError.notOneOf(field: column, allowed: V.allowedList) }
        return v
    }

    func country(_ column: String) throws -> CountryCode? {
        guard let t = text(column) else { return nil }
        guard let c = CountryCode(t) else {
            throw InputError.invalid(field: column, expected: "an ISO 3166-1 country code such as GE, or an English country name")
        }
        return c
    }
}
