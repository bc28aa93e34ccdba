import Foundation

/// A deterministic, invented caseload for demos, tests and the statistics engine:
/// `cases demo generate --count N --seed S`.
///
/// Each case is an ``OpenDocument`` with its past, as `cases import` reads it: Russian,
/// Belarusian, Ukrainian and other principals named in Latin or Cyrillic script, families of
/// 0–5, and stage histories spread over 2021–2025 — opened, assessed, destination planned,
/// arrived, some closed with each outcome, some still in early stages, a few sent back when a
/// visa was refused. Proportions follow what organisations report: Georgia, Lithuania and
/// Ukraine were the main destinations before February 2022; Armenia, Turkey, Kazakhstan,
/// Serbia and Germany after. With 10,000 cases about 1,600 principals arrive in 2021.
///
/// Every case has contact and consent, so each passes its gates and imports. No real person is
/// described: names are random combinations from ``SyntheticNames``, e-mail addresses use the
/// reserved example domains and phone numbers an unassigned prefix. The same count and seed
/// give the same bytes on every machine (``SeededRandom``).
public struct SyntheticCaseload: Sequence, Sendable {
    public let count: Int
    public let seed: UInt64

    /// No generated date falls after this day, so the caseload imports on any later day.
    static let lastDay = Day(2025, 12, 31)
    static let invasion = Day(2022, 2, 24)

    public init(count: Int, seed: UInt64) {
        self.count = count
        self.seed = seed
    }

    public func makeIterator() -> Iterator { Iterator(count: count, seed: seed) }

    /// One case as one JSON line (sorted keys, UTF-8, ending in a newline), as `cases import` reads it.
    public static func jsonLine(_ document: OpenDocument) throws -> Data {
        var data = try RecordCoding.encoder.encode(document)
        data.append(0x0A)
        return data
    }

    /// Hands each case's JSON line to `write`, one at a time, so memory stays small for any count.
    public func writeJSONL(_ write: (Data) throws -> Void) throws {
        for document in self { try write(try Self.jsonLine(document)) }
    }

    public struct Iterator: IteratorProtocol {
        private var random: SeededRandom
        private var remaining: Int
        /// Folded name and birth year of every case so far: the generator invents distinct
        /// people, so none is flagged as a duplicate on import.
        private var seen = Set<String>()

        init(count: Int, seed: UInt64) {
            random = SeededRandom(seed: seed)
            remaining = count
        }

        public mutating func next() -> OpenDocument? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            var person = CaseMaker(random: random)
            var document = person.make()
            let drawn = document.principal
            var attempts = 0
            while !seen.insert(Self.identity(document.principal)).inserted {
                attempts += 1
                document.principal = person.renamed(drawn, attempt: attempts)
            }
            random = person.random
            return document
        }

        /// The same folding as the vault's duplicate key.
        static func identity(_ p: Principal) -> String {
            let folded = (p.fullName ?? "").folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                .split(whereSeparator: { $0.isWhitespace || $0 == "-" }).joined(separator: " ")
            return "\(folded)|\(p.birthYear ?? p.birthDate?.year ?? 0)"
        }
    }
}

/// A calendar day as a day number, for date arithmetic without Foundation's calendars
/// (deterministic everywhere). Days from civil dates after Howard Hinnant's algorithms.
struct Day: Comparable {
    let number: Int

    init(number: Int) { self.number = number }

    init(_ y: Int, _ m: Int, _ d: Int) {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1
        number = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    init(_ date: ISODate) { self.init(date.year, date.month, Int(date.text.suffix(2))!) }

    var civil: (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    var year: Int { civil.year }
    var iso: ISODate {
        let c = civil
        return ISODate(String(format: "%04d-%02d-%02d", c.year, c.month, c.day))!
    }

    static func + (a: Day, days: Int) -> Day { Day(number: a.number + days) }
    static func < (a: Day, b: Day) -> Bool { a.number < b.number }
}

/// Draws one invented case.
private struct CaseMaker {
    var random: SeededRandom

    enum Origin { case russia, belarus, ukraine, other }

    var origin = Origin.russia
    var tradition = SyntheticNames.russian
    var female = false
    var cyrillic = false
    /// The principal's surname (masculine form), which most of the family shares.
    var surname = SyntheticNames.Name(latin: "", cyrillic: "")

    // MARK: - The person

    mutating func make() -> OpenDocument {
        origin = random.pick(weighted: [(.russia, 62), (.belarus, 24), (.ukraine, 6), (.other, 8)])
        tradition =
            switch origin {
            case .russia: SyntheticNames.russian
            case .belarus: SyntheticNames.belarusian
            case .ukraine: SyntheticNames.ukrainian
            case .other: SyntheticNames.other
            }
        female = random.chance(42)
        cyrillic = random.chance(40)

        // Opened: most cases in 2021 and in the year after the invasion.
        let year = random.pick(weighted: [(2021, 25), (2022, 30), (2023, 18), (2024, 14), (2025, 11)])
        let opened = Day(year, 1, 1) + random.below(year == 2025 ? 300 : 365)
        // Born 1958–2002, most in the 1980s.
        let born = 1958 + random.int(0...22) + random.int(0...22)

        var p = Principal()
        let name = fullName()
        p.fullName = name.written
        if random.chance(30) {
            p.birthDate = (Day(born, 1, 1) + random.below(365)).iso
            if p.birthDate!.year != born { p.birthDate = Day(born, 12, 31).iso }
        } else {
            p.birthYear = born
        }
        if cyrillic && random.chance(25) { p.aliases = [name.latin] }
        let citizenship: String =
            switch origin {
            case .russia: "RU"
            case .belarus: "BY"
            case .ukraine: "UA"
            case .other: random.pick(weighted: [("RU", 6), ("KZ", 3), ("KG", 1)])
            }
        p.citizenship = CountryCode(citizenship)
        p.currentCountry = CountryCode(origin == .ukraine ? "UA" : citizenship)
        p.languages =
            switch origin {
            case .russia, .other: random.chance(40) ? ["ru", "en"] : ["ru"]
            case .belarus: random.chance(30) ? ["be", "ru", "en"] : ["be", "ru"]
            case .ukraine: ["uk", "ru"]
            }
        p.segment = random.pick(weighted: [(.journalist, 28), (.humanRightsDefender, 15), (.oppositionActivist, 36), (.lawyer, 7), (.other, 14)])
        p.reason = random.pick(weighted: [
            (.criminalProsecution, 30), (.administrativeProsecution, 21), (.politicalPressure, 20),
            (.threatsViolence, 12), (.surveillance, 10), (.other, 7),
        ])
        p.contact = contact()
        p.consent = Consent(givenOn: opened.iso, channel: random.pick(weighted: [("signal", 60), ("in person", 25), ("email", 15)]))

        var d = OpenDocument(principal: p, openedOn: opened.iso)
        d.family = family(born: born, openedYear: year)
        if d.family?.isEmpty == true { d.family = nil }
        if random.chance(20) {
            d.notes = random.pick([
                "Referred by a partner organisation.", "First contact through a hotline volunteer.",
                "Needs a laptop replaced before travel.", "Prefers calls in the evening.",
            ])
        }
        d.caseworker = "caseworker-\(random.int(1...9))"
        d.history = history(opened: opened, born: born)
        return d
    }

    /// Another name for the same person, when the first one was already drawn.
    /// Another name for a person whose name and birth year are taken. A large caseload can use up
    /// every name of one tradition and birth year, so after 8 tries a double surname is used, as
    /// many people have one: the space of names then grows with the square of the surname list,
    /// and the loop always ends.
    ///
    /// Even double surnames run out for one tradition, sex and birth year in a caseload of a
    /// million (a loop that never ended, seen at 1,000,000 cases): after 32 tries the person is
    /// born a year or up to four earlier or later, which opens another year's names.
    mutating func renamed(_ p: Principal, attempt: Int = 1) -> Principal {
        var p = p
        if attempt > 32 {
            let shifts = [1, -1, 2, -2, 3, -3, 4, -4]
            let shift = shifts[(attempt / 32 - 1) % shifts.count]
            if let year = p.birthYear { p.birthYear = year + shift }
            if let date = p.birthDate { p.birthDate = Day(date.year + shift, min(date.month, 12), min(date.day, 28)).iso }
        }
        let name = fullName()
        if attempt > 8 {
            let second = tradition.surname(random.pick(tradition.surnames), female: female)
            let words = name.written.split(separator: " ").map(String.init)
            if cyrillic && words.count == 3 { // surname first: Фамилия Имя Отчество
                p.fullName = ([words[0] + "-" + second.cyrillic] + words.dropFirst()).joined(separator: " ")
            } else {
                p.fullName = name.written + "-" + (cyrillic ? second.cyrillic : second.latin)
            }
            if p.aliases != nil { p.aliases = [name.latin + "-" + second.latin] }
            return p
        }
        p.fullName = name.written
        if p.aliases != nil { p.aliases = [name.latin] }
        return p
    }

    /// The name as written in the case, and its Latin spelling (as in a passport).
    mutating func fullName() -> (written: String, latin: String) {
        let given = random.pick(female ? tradition.female : tradition.male)
        surname = random.pick(tradition.surnames)
        let surname = tradition.surname(self.surname, female: female)
        let pat: SyntheticNames.Name? =
            tradition.patronymics.isEmpty || !random.chance(35)
            ? nil
            : {
                let p = random.pick(tradition.patronymics); return female ? p.1 : p.0
            }()
        let latin = "\(given.latin) \(surname.latin)"
        if cyrillic {
            // Russian paperwork order: surname first, then given name and patronymic.
            if let pat { return ("\(surname.cyrillic) \(given.cyrillic) \(pat.cyrillic)", latin) }
            return ("\(given.cyrillic) \(surname.cyrillic)", latin)
        }
        if let pat, random.chance(30) { return ("\(given.latin) \(pat.latin) \(surname.latin)", latin) }
        return (latin, latin)
    }

    mutating func contact() -> Contact {
        var c = Contact()
        let handle = "\(["fox", "owl", "reed", "birch", "lynx", "heron", "pine", "wren"][random.below(8)])\(random.int(10...9999))"
        if random.chance(85) { c.signal = "\(handle).\(random.int(10...99))" }
        if random.chance(55) || c.signal == nil {
            c.email = "\(handle)@\(random.pick(["example.org", "example.net", "example.com"]))"
        }
        if random.chance(20) {
            // +7 000 and +375 00 are unassigned: these numbers ring no one.
            c.phone =
                origin == .belarus
                ? "+375 00 \(random.int(100...999))-\(random.int(10...99))-\(random.int(10...99))"
                : "+7 000 \(random.int(100...999))-\(random.int(10...99))-\(random.int(10...99))"
        }
        if random.chance(8) { c.intermediary = random.pick(["a colleague at an editorial office", "a defence lawyer", "a partner organisation"]) }
        return c
    }

    mutating func family(born: Int, openedYear: Int) -> [FamilyMember] {
        let size = random.pick(weighted: [(0, 45), (1, 20), (2, 15), (3, 12), (4, 5), (5, 3)])
        var members: [FamilyMember] = []
        for i in 0..<size {
            if i == 0 && random.chance(80) {
                let partnerFemale = random.chance(95) ? !female : female
                let given = random.pick(partnerFemale ? tradition.female : tradition.male)
                let surname = tradition.surname(random.chance(70) ? self.surname : random.pick(tradition.surnames), female: partnerFemale)
                members.append(
                    FamilyMember(
                        relation: random.chance(80) ? "spouse" : "partner",
                        fullName: name(given, surname),
                        birthYear: max(1940, min(openedYear - 18, born + random.int(-6...6)))))
                continue
            }
            let parent = random.chance(10)
            let childFemale = random.chance(50)
            let given = random.pick(childFemale ? tradition.female : tradition.male)
            var member = FamilyMember(
                relation: parent ? "parent" : "child",
                fullName: name(given, tradition.surname(surname, female: childFemale)))
            member.birthYear = parent ? max(1930, born - random.int(22...35)) : min(openedYear, born + random.int(20...40))
            if random.chance(12) { member.needs = parent ? "regular medication" : "a school place" }
            members.append(member)
        }
        return members
    }

    func name(_ given: SyntheticNames.Name, _ surname: SyntheticNames.Name) -> String {
        cyrillic ? "\(given.cyrillic) \(surname.cyrillic)" : "\(given.latin) \(surname.latin)"
    }

    // MARK: - The case's past

    mutating func history(opened: Day, born: Int) -> [HistoryStep]? {
        var steps: [HistoryStep] = []
        var day = opened
        let last = SyntheticCaseload.lastDay
        /// The next step's day, or nil when it would fall after the last generated day.
        func after(_ range: ClosedRange<Int>) -> Day? {
            let d = day + random.int(range)
            return d > last ? nil : d
        }
        func close(_ outcome: Outcome, within range: ClosedRange<Int>) {
            guard let on = after(range) else { return }
            steps.append(HistoryStep(stage: .closed, on: on.iso, outcome: outcome))
        }
        let dropOut: [(Outcome, Int)] = [(.withdrawn, 35), (.referred, 25), (.lostContact, 25), (.declined, 15)]

        // Risk assessment.
        if !random.chance(94) {
            if random.chance(50) { close(random.pick(weighted: dropOut), within: 10...90) }
            return steps.isEmpty ? nil : steps
        }
        guard let assessed = after(2...25) else { return nil }
        day = assessed
        steps.append(HistoryStep(stage: .riskAssessment, on: assessed.iso, assessment: assessment(on: assessed)))

        // Destination, sometimes planned twice after a refused visa.
        if !random.chance(93) {
            if random.chance(50) { close(random.pick(weighted: dropOut), within: 10...120) }
            return steps
        }
        guard let planned = after(4...35) else { return steps }
        day = planned
        var plan = destination(on: planned)
        steps.append(HistoryStep(stage: .destination, on: planned.iso, destination: plan))
        if plan.route == .humanitarianVisa && random.chance(12) {
            guard let refused = after(10...45) else { return steps }
            day = refused
            steps.append(HistoryStep(stage: .riskAssessment, on: refused.iso, reason: "visa refused; the plan has to change"))
            guard let replanned = after(3...20) else { return steps }
            day = replanned
            plan = destination(on: replanned, avoiding: plan.country?.code)
            steps.append(HistoryStep(stage: .destination, on: replanned.iso, destination: plan))
        }

        // Arrival.
        if !random.chance(91) {
            if random.chance(50) { close(random.pick(weighted: dropOut), within: 10...120) }
            return steps
        }
        // Arrival on the planned travel day or somewhat later, when tickets or papers slip.
        if let travel = plan.travelOn { day = Day(travel) }
        guard var arrived = after(random.chance(60) ? 0...2 : 3...45) else { return steps }
        if plan.country?.code == "UA" && !(arrived < SyntheticCaseload.invasion) {
            // The invasion closed Ukraine as a refuge: the case is planned again.
            day = max(day, SyntheticCaseload.invasion + random.int(1...10))
            steps.append(HistoryStep(stage: .riskAssessment, on: day.iso, reason: "the war closed the route to Ukraine"))
            guard let replanned = after(3...20) else { return steps }
            day = replanned
            plan = destination(on: replanned, avoiding: "UA")
            steps.append(HistoryStep(stage: .destination, on: replanned.iso, destination: plan))
            if let travel = plan.travelOn { day = Day(travel) }
            guard let again = after(0...10) else { return steps }
            arrived = again
        }
        day = arrived
        guard let destination = plan.country?.code else { return steps }
        steps.append(
            HistoryStep(
                stage: .arrival, on: arrived.iso,
                arrival: Arrival(
                    arrivedOn: arrived.iso, country: plan.country, city: random.pick(Self.cities[destination] ?? ["the capital"]),
                    legalStatus: Self.status[plan.route ?? .other])))

        // Closed: most settle; a few lose contact.
        let r = random.below(100)
        if r < 58 {
            close(.settled, within: 60...420)
        } else if r < 63 {
            close(.lostContact, within: 30...300)
        } else if r < 66 {
            close(.referred, within: 30...200)
        }
        return steps
    }

    mutating func assessment(on day: Day) -> RiskAssessment {
        let likelihood = random.pick(weighted: [(2, 10), (3, 30), (4, 35), (5, 25)])
        let impact = random.pick(weighted: [(2, 5), (3, 25), (4, 40), (5, 30)])
        let score = likelihood * impact
        var a = RiskAssessment(
            assessedOn: day.iso, level: score >= 20 ? .critical : score >= 12 ? .high : score >= 6 ? .medium : .low,
            likelihood: likelihood, impact: impact, reviewOn: (day + random.int(30...90)).iso)
        if random.chance(60) {
            a.threats = [
                Threat(
                    actor: random.pick(["police", "security service", "investigative committee", "pro-government activists", "unknown"]),
                    kind: random.pick(["summons", "search", "criminal case", "surveillance", "threats online", "detention of a colleague"]),
                    date: (day + -random.int(3...60)).iso)
            ]
        }
        a.urgency = score >= 16 ? "leave within days" : score >= 9 ? "leave within weeks" : "plan calmly"
        return a
    }

    mutating func destination(on day: Day, avoiding: String? = nil) -> DestinationPlan {
        let before = day < SyntheticCaseload.invasion
        var options: [(String, Int)] =
            before
            ? [("GE", 34), ("LT", 24), ("UA", 22), ("PL", 6), ("LV", 4), ("DE", 4), ("AM", 2), ("TR", 2), ("EE", 2)]
            : [
                ("AM", 17), ("TR", 14), ("GE", 14), ("KZ", 11), ("RS", 11), ("DE", 10), ("LT", 6), ("PL", 4), ("LV", 3),
                ("ME", 3), ("KG", 2), ("FR", 2), ("NL", 1), ("IL", 1),
            ]
        if origin == .belarus && !before {
            options = options.map { $0.0 == "KZ" || $0.0 == "KG" ? ($0.0, 1) : ($0.0 == "LT" || $0.0 == "PL" ? ($0.0, $0.1 * 3) : $0) }
        }
        if let avoiding { options.removeAll { $0.0 == avoiding } }
        let country = random.pick(weighted: options)
        let route: LegalRoute =
            Self.visaFree.contains(country)
            ? .visaFree
            : random.pick(weighted: [(.humanitarianVisa, 70), (.residencePermit, 10), (.workVisa, 8), (.studyVisa, 4), (.asylum, 8)])
        var plan = DestinationPlan(country: CountryCode(country), route: route, travelOn: (day + random.int(7...40)).iso)
        if random.chance(40) { plan.funding = random.pick(["emergency grant", "own savings", "partner organisation", "crowdfunding"]) }
        return plan
    }

    static let visaFree: Set<String> = ["GE", "UA", "AM", "TR", "KZ", "RS", "ME", "KG"]

    static let cities: [String: [String]] = [
        "GE": ["Tbilisi", "Tbilisi", "Batumi", "Kutaisi"], "LT": ["Vilnius", "Vilnius", "Kaunas"], "UA": ["Kyiv", "Kyiv", "Lviv"],
        "AM": ["Yerevan", "Yerevan", "Gyumri"], "TR": ["Istanbul", "Istanbul", "Antalya"], "KZ": ["Almaty", "Astana"],
        "RS": ["Belgrade", "Belgrade", "Novi Sad"], "DE": ["Berlin", "Berlin", "Munich", "Hamburg"], "PL": ["Warsaw", "Kraków", "Białystok"],
        "LV": ["Riga"], "EE": ["Tallinn"], "ME": ["Podgorica", "Budva"], "KG": ["Bishkek"], "FR": ["Paris"], "NL": ["Amsterdam"],
        "IL": ["Tel Aviv", "Haifa"],
    ]

    static let status: [LegalRoute: String] = [
        .visaFree: "visa-free stay", .humanitarianVisa: "humanitarian visa", .residencePermit: "residence permit pending",
        .workVisa: "work visa", .studyVisa: "student visa", .asylum: "asylum seeker", .other: "other",
    ]
}
