// The public categories (Segment, LeavingReason, Outcome) are the case model's vocabularies
// (Cases/Vocabulary.swift); dates are ISODate, named CalendarDate here for the statistics code.

/// A calendar day with no time of day and no time zone: statistics count by year and quarter,
/// and a Foundation `Date` would drag a time zone into that arithmetic.
public typealias CalendarDate = ISODate

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

    public init(
        intakeOn: CalendarDate, arrivedOn: CalendarDate? = nil, segment: Segment, reason: LeavingReason,
        destination: String? = nil, outcome: Outcome? = nil, familyMembers: Int = 0
    ) {
        self.intakeOn = intakeOn
        self.arrivedOn = arrivedOn
        self.segment = segment
        self.reason = reason
        self.destination = destination.map { $0.uppercased() }
        self.outcome = outcome
        self.familyMembers = max(0, familyMembers)
    }
}
