import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A closed list of values read forgivingly ("Human rights defender", "human-rights-defender"
/// and "human_rights_defender" are one value) and strictly (anything else is refused with the list
/// of what is allowed).
public protocol Vocabulary: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {
    /// The field's name in messages, e.g. "segment".
    static var fieldName: String { get }
}

extension Vocabulary {
    /// Folds case, spaces and hyphens, then matches a raw value.
    public init?(forgiving text: String) {
        // Most values arrive exactly as spelled (every sealed record, most imports): the
        // Foundation folding below costs microseconds a field.
        if let v = Self(rawValue: text) {
            self = v
            return
        }
        let folded = text.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        guard let v = Self(rawValue: folded) else { return nil }
        self = v
    }

    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let s = try? c.decode(String.self), let v = Self(forgiving: s) else {
            throw InputError.notOneOf(field: InputError.path(decoder.codingPath), allowed: Self.allowedList)
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// Where a case stands. Stages go in order; `closed` carries an outcome.
public enum Stage: String, Vocabulary, Comparable {
    case intake
    case riskAssessment = "risk_assessment"
    case destination
    case arrival
    case closed

    public static let fieldName = "stage"
    var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Stage, b: Stage) -> Bool { a.order < b.order }
    /// The next stage forward, or nil after arrival (a case then closes).
    public var next: Stage? {
        switch self {
        case .intake: .riskAssessment
        case .riskAssessment: .destination
        case .destination: .arrival
        case .arrival, .closed: nil
        }
    }
}

/// Who the principal is, professionally or politically.
public enum Segment: String, Vocabulary {
    case journalist
    case humanRightsDefender = "human_rights_defender"
    case oppositionActivist = "opposition_activist"
    case lawyer
    case other
    public static let fieldName = "segment"
}

/// Why the principal has to leave.
public enum LeavingReason: String, Vocabulary {
    case criminalProsecution = "criminal_prosecution"
    case administrativeProsecution = "administrative_prosecution"
    case politicalPressure = "political_pressure"
    case threatsViolence = "threats_violence"
    case surveillance
    case other
    public static let fieldName = "reason"
}

/// How a case ended.
public enum Outcome: String, Vocabulary {
    case settled, withdrawn, referred
    case lostContact = "lost_contact"
    case declined
    public static let fieldName = "outcome"
}

/// The overall level of a risk assessment.
public enum RiskLevel: String, Vocabulary {
    case low, medium, high, critical
    public static let fieldName = "level"
}

/// The legal route to the destination.
public enum LegalRoute: String, Vocabulary {
    case visaFree = "visa_free"
    case humanitarianVisa = "humanitarian_visa"
    case residencePermit = "residence_permit"
    case workVisa = "work_visa"
    case studyVisa = "study_visa"
    case asylum
    case familyReunification = "family_reunification"
    case other
    public static let fieldName = "route"
}

/// A value written as one checked string in JSON: refused with a sentence naming the field
/// and what it should look like, never echoing what was typed.
public protocol CheckedText: Codable {
    init?(_ text: String)
    /// The stored, normalised form.
    var canonical: String { get }
    /// What a valid value looks like, for error messages.
    static var expected: String { get }
}

extension CheckedText {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let s = try? c.decode(String.self), let v = Self(s) else {
            throw InputError.invalid(field: InputError.path(decoder.codingPath), expected: Self.expected)
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(canonical)
    }
}

/// An ISO 3166-1 alpha-2 code, read from a code or an English name ("Georgia" → GE).
public struct CountryCode: CheckedText, Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public init?(_ text: String) {
        guard let c = Country.code(for: text) else { return nil }
        code = c
    }
    public var description: String { code }
    public var canonical: String { code }
    public static let expected = "an ISO 3166-1 country code such as GE, or an English country name"
}

/// A calendar date written `yyyy-MM-dd`; compared as text, which orders ISO dates correctly.
public struct ISODate: CheckedText, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let text: String

    public init?(_ s: String) {
        // Byte by byte: `list` and `stats` parse several dates per case, and splitting strings
        // cost a tenth of their time.
        let found = s.utf8.withContiguousStorageIfAvailable { Self.parts($0) } ?? Self.parts(Array(s.utf8))
        guard let (y, m, d) = found,
            (1900...2200).contains(y), (1...12).contains(m), d >= 1, d <= Self.daysIn(month: m, year: y)
        else { return nil }
        text = s
    }

    /// Year, month and day of `yyyy-mm-dd`, or nil for any other shape.
    static func parts(_ b: some RandomAccessCollection<UInt8>) -> (Int, Int, Int)? {
        guard b.count == 10 else { return nil }
        var i = b.startIndex
        func digits(_ n: Int) -> Int? {
            var v = 0
            for _ in 0..<n {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
                i = b.index(after: i)
            }
            return v
        }
        func dash() -> Bool {
            defer { i = b.index(after: i) }
            return b[i] == UInt8(ascii: "-")
        }
        guard let y = digits(4), dash(), let m = digits(2), dash(), let d = digits(2) else { return nil }
        return (y, m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A day from its parts; nil when the day does not exist (30 February, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) else { return nil }
        let pad = { (n: Int, w: Int) in String(repeating: "0", count: max(0, w - String(n).count)) + String(n) }
        self.init(pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2))
    }

    public var year: Int { Int(text.prefix(4))! }
    public var month: Int { Int(text.dropFirst(5).prefix(2))! }
    public var day: Int { Int(text.suffix(2))! }
    /// The quarter of the year, 1 to 4.
    public var quarter: Int { (month - 1) / 3 + 1 }

    /// Today in UTC.
    public static func today(_ now: Date = Date()) -> ISODate {
        let p = UTCParts(now)
        return ISODate(year: p.year, month: p.month, day: p.day)!
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: ISODate) -> Int {
        Int((other.date.timeIntervalSince(date) / 86_400).rounded())
    }

    var date: Date {
        var c = DateComponents()
        c.year = year; c.month = month; c.day = day
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return cal.date(from: c)!
    }

    public var description: String { text }
    public var canonical: String { text }
    public static let expected = "a date written yyyy-mm-dd, such as 2021-06-01"
    public static func < (a: ISODate, b: ISODate) -> Bool { a.text < b.text }
}

/// Calendar parts of an instant in UTC, from `gmtime_r`: Foundation's date formatters cost
/// tens of microseconds each on Linux, and every event carries a timestamp.
struct UTCParts {
    let year, month, day, hour, minute, second: Int

    init(_ date: Date) {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`.
    var iso8601: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))Z"
    }
}
