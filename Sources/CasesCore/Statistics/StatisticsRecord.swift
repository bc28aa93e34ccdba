// MARK: - Public categories

/// What a principal did before leaving: the fixed public list of segments.
public enum Segment: String, Codable, CaseIterable, Sendable {
    case journalist
    case humanRightsDefender = "human_rights_defender"
    case oppositionActivist = "opposition_activist"
    case lawyer
    case other
}

/// Why a principal had to leave: the fixed public list of reasons.
public enum LeavingReason: String, Codable, CaseIterable, Sendable {
    case criminalProsecution = "criminal_prosecution"
    case administrativeProsecution = "administrative_prosecution"
    case politicalPressure = "political_pressure"
    case threatsViolence = "threats_violence"
    case surveillance
    case other
}

/// How a closed case ended.
public enum Outcome: String, Codable, CaseIterable, Sendable {
    case settled
    case withdrawn
    case referred
    case lostContact = "lost_contact"
    case declined
}

// MARK: - Dates

/// A calendar day with no time of day and no time zone.
///
/// Statistics count by year and quarter only; a Foundation `Date` would drag a time zone into
/// that arithmetic and could move a 31 December arrival into the next year.
public struct CalendarDate: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A day from its parts; nil when the day does not exist (30 February, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// A day from its ISO 8601 form `yyyy-MM-dd`; nil for anything else.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The quarter of the year, 1 to 4.
    public var quarter: Int { (month - 1) / 3 + 1 }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Expected a yyyy-MM-dd date, found \(text)."))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

// MARK: - Record

/// What the statistics engine may know about one case: never a name, a city or a free text.
///
/// The vault builds one of these per decrypted case; the engine counts the principal once and,
/// when asked, the accompanying family members in their own column.
public struct StatisticsRecord: Hashable, Codable, Sendable {
    public var intakeOn: CalendarDate
    public var arrivedOn: CalendarDate?
    public var segment: Segment
    public var reason: LeavingReason
    /// ISO 3166-1 alpha-2 code of the destination country, upper case.
    public var destination: String?
    public var outcome: Outcome?
    public var familyMembers: Int

    public init(intakeOn: CalendarDate, arrivedOn: CalendarDate? = nil, segment: Segment, reason: LeavingReason,
                destination: String? = nil, outcome: Outcome? = nil, familyMembers: Int = 0) {
        self.intakeOn = intakeOn
        self.arrivedOn = arrivedOn
        self.segment = segment
        self.reason = reason
        self.destination = destination.map { $0.uppercased() }
        self.outcome = outcome
        self.familyMembers = max(0, familyMembers)
    }
}
