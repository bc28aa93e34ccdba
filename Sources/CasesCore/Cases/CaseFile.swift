/// How to reach the principal. At least one channel is needed to leave intake.
public struct Contact: Codable, Equatable, Sendable {
    public var signal: String?
    public var email: String?
    public var phone: String?
    public var intermediary: String?

    var hasChannel: Bool {
        [signal, email, phone, intermediary].contains { !($0 ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

/// The principal's consent to keep their data: when, and by what channel.
public struct Consent: Codable, Equatable, Sendable {
    public var givenOn: ISODate?
    public var channel: String?
}

/// The person at risk.
public struct Principal: Codable, Equatable, Sendable {
    public var fullName: String?
    public var aliases: [String]?
    public var birthDate: ISODate?
    public var birthYear: Int?
    public var citizenship: CountryCode?
    public var currentCountry: CountryCode?
    public var currentCity: String?
    public var languages: [String]?
    public var contact: Contact?
    public var segment: Segment?
    public var reason: LeavingReason?
    public var consent: Consent?
}

/// A family member travelling with the principal.
public struct FamilyMember: Codable, Equatable, Sendable {
    public var relation: String?
    public var fullName: String?
    public var birthYear: Int?
    public var needs: String?
}

/// One threat in a risk assessment.
public struct Threat: Codable, Equatable, Sendable {
    public var actor: String?
    public var kind: String?
    public var date: ISODate?
    public var evidence: String?
}

/// A risk assessment; a case keeps every one, numbered from 1.
public struct RiskAssessment: Codable, Equatable, Sendable {
    public var version: Int?
    public var assessedOn: ISODate?
    public var level: RiskLevel?
    public var likelihood: Int?
    public var impact: Int?
    public var threats: [Threat]?
    public var vulnerabilities: String?
    public var capacities: String?
    public var urgency: String?
    public var reviewOn: ISODate?
}

/// Where the principal is going and how.
public struct DestinationPlan: Codable, Equatable, Sendable {
    public var country: CountryCode?
    public var route: LegalRoute?
    public var travelOn: ISODate?
    public var funding: String?
}

/// A follow-up contact after arrival.
public struct CheckIn: Codable, Equatable, Sendable {
    public var on: ISODate
    public var note: String?
}

/// The principal's arrival.
public struct Arrival: Codable, Equatable, Sendable {
    public var arrivedOn: ISODate?
    public var country: CountryCode?
    public var city: String?
    public var legalStatus: String?
    public var checkins: [CheckIn]?
}

/// A caseworker's note.
public struct Note: Codable, Equatable, Sendable {
    public var at: String
    public var actor: String
    public var text: String
}

/// One case as it stands now: the projection of its events, stored sealed as the case's snapshot.
public struct CaseFile: Codable, Equatable, Sendable {
    public var id: CaseID
    /// Counts the events applied; a write is refused if the stored version moved since it was read.
    public var version: Int
    public var stage: Stage
    public var openedOn: ISODate
    /// When the last event was recorded (ISO 8601, UTC): `list` sorts on it.
    public var lastActivityAt: String
    public var principal: Principal
    public var family: [FamilyMember]
    public var assessments: [RiskAssessment]
    public var destination: DestinationPlan?
    public var arrival: Arrival?
    public var outcome: Outcome?
    public var notes: [Note]
    public var caseworker: String?
    /// The sequence numbers of this case's events in the log, oldest first.
    public var eventSeqs: [Int64]
    /// A keyed hash of the normalised name and birth year, to flag probable duplicates.
    public var duplicateKey: String?
}
