/// How to reach the principal. At least one channel is needed to leave intake.
public struct Contact: Codable, Equatable, Sendable {
    public var signal: String?
    public var email: String?
    public var phone: String?
    public var intermediary: String?

    var hasChannel: Bool {
        !((signal?.isBlank(.whitespaces) ?? true) && (email?.isBlank(.whitespaces) ?? true)
            && (phone?.isBlank(.whitespaces) ?? true) && (intermediary?.isBlank(.whitespaces) ?? true))
    }

    public init(signal: String? = nil, email: String? = nil, phone: String? = nil, intermediary: String? = nil) {
        self.signal = signal
        self.email = email
        self.phone = phone
        self.intermediary = intermediary
    }
}

/// The principal's consent to keep their data: when, and by what channel.
public struct Consent: Codable, Equatable, Sendable {
    public var givenOn: ISODate?
    public var channel: String?

    public init(givenOn: ISODate? = nil, channel: String? = nil) {
        self.givenOn = givenOn
        self.channel = channel
    }
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

    public init(
        fullName: String? = nil, aliases: [String]? = nil, birthDate: ISODate? = nil, birthYear: Int? = nil, citizenship: CountryCode? = nil,
        currentCountry: CountryCode? = nil, currentCity: String? = nil, languages: [String]? = nil, contact: Contact? = nil, segment: Segment? = nil,
        reason: LeavingReason? = nil, consent: Consent? = nil
    ) {
        self.fullName = fullName
        self.aliases = aliases
        self.birthDate = birthDate
        self.birthYear = birthYear
        self.citizenship = citizenship
        self.currentCountry = currentCountry
        self.currentCity = currentCity
        self.languages = languages
        self.contact = contact
        self.segment = segment
        self.reason = reason
        self.consent = consent
    }
}

/// A family member travelling with the principal.
public struct FamilyMember: Codable, Equatable, Sendable {
    public var relation: String?
    public var fullName: String?
    public var birthYear: Int?
    public var needs: String?

    public init(relation: String? = nil, fullName: String? = nil, birthYear: Int? = nil, needs: String? = nil) {
        self.relation = relation
        self.fullName = fullName
        self.birthYear = birthYear
        self.needs = needs
    }
}

/// One threat in a risk assessment.
public struct Threat: Codable, Equatable, Sendable {
    public var actor: String?
    public var kind: String?
    public var date: ISODate?
    public var evidence: String?

    public init(actor: String? = nil, kind: String? = nil, date: ISODate? = nil, evidence: String? = nil) {
        self.actor = actor
        self.kind = kind
        self.date = date
        self.evidence = evidence
    }
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

    public init(
        version: Int? = nil, assessedOn: ISODate? = nil, level: RiskLevel? = nil, likelihood: Int? = nil, impact: Int? = nil,
        threats: [Threat]? = nil, vulnerabilities: String? = nil, capacities: String? = nil, urgency: String? = nil, reviewOn: ISODate? = nil
    ) {
        self.version = version
        self.assessedOn = assessedOn
        self.level = level
        self.likelihood = likelihood
        self.impact = impact
        self.threats = threats
        self.vulnerabilities = vulnerabilities
        self.capacities = capacities
        self.urgency = urgency
        self.reviewOn = reviewOn
    }
}

/// Where the principal is going and how.
public struct DestinationPlan: Codable, Equatable, Sendable {
    public var country: CountryCode?
    public var route: LegalRoute?
    public var travelOn: ISODate?
    public var funding: String?

    public init(country: CountryCode? = nil, route: LegalRoute? = nil, travelOn: ISODate? = nil, funding: String? = nil) {
        self.country = country
        self.route = route
        self.travelOn = travelOn
        self.funding = funding
    }
}

/// A follow-up contact after arrival.
public struct CheckIn: Codable, Equatable, Sendable {
    public var on: ISODate
    public var note: String?

    public init(on: ISODate, note: String? = nil) {
        self.on = on
        self.note = note
    }
}

/// The principal's arrival.
public struct Arrival: Codable, Equatable, Sendable {
    public var arrivedOn: ISODate?
    public var country: CountryCode?
    public var city: String?
    public var legalStatus: String?
    public var checkins: [CheckIn]?

    public init(arrivedOn: ISODate? = nil, country: CountryCode? = nil, city: String? = nil, legalStatus: String? = nil, checkins: [CheckIn]? = nil) {
        self.arrivedOn = arrivedOn
        self.country = country
        self.city = city
        self.legalStatus = legalStatus
        self.checkins = checkins
    }
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
    /// When the case last moved (ISO 8601: a date for imported history, else a UTC time);
    /// `list` sorts on it.
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
