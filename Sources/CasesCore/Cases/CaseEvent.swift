import Foundation

/// One change to a case: who, when, what, why. Events are append-only; a case's current state
/// is the projection of its events (``CaseFile/applying(_:seq:)``).
public struct CaseEvent: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case opened, advanced
        case movedBack = "moved_back"
        case noted, closed, assessed
        case checkedIn = "checked_in"
        /// About the vault, not a case (``CaseID/vaultWide``): a passphrase under
        /// ``PassphraseStrength/minimumBits`` was set with `--accept-weak-passphrase`; `reason`
        /// names the keyslot.
        case weakPassphraseAccepted = "weak_passphrase_accepted"

        /// True for the kinds that belong to the vault rather than to one case.
        public var isVaultWide: Bool { self == .weakPassphraseAccepted }
    }

    public var caseId: CaseID
    public var kind: Kind
    /// When the event was recorded (ISO 8601, UTC).
    public var at: String
    /// When it happened, if not when it was recorded (imported history).
    public var on: ISODate?
    /// The keyslot that made the change.
    public var actor: String
    public var from: Stage?
    public var to: Stage?
    public var opened: OpenedData?
    public var principal: Principal?
    public var assessment: RiskAssessment?
    public var destination: DestinationPlan?
    public var arrival: Arrival?
    public var checkin: CheckIn?
    public var outcome: Outcome?
    public var reason: String?
    public var note: String?

    init(caseId: CaseID, kind: Kind, at: String, on: ISODate? = nil, actor: String) {
        self.caseId = caseId
        self.kind = kind
        self.at = at
        self.on = on
        self.actor = actor
    }

    /// What an `opened` event carries.
    public struct OpenedData: Codable, Equatable, Sendable {
        public var principal: Principal
        public var family: [FamilyMember]
        public var caseworker: String?
        public var openedOn: ISODate
        public var duplicateKey: String?
    }
}

extension CaseFile {
    /// The case after `event` (the `seq`-th entry of the log). Pure: validation happens before.
    static func applying(_ event: CaseEvent, seq: Int64, to current: CaseFile?) throws -> CaseFile {
        if event.kind == .opened {
            guard current == nil, let o = event.opened else { throw AuditError.projection(seq) }
            var c = CaseFile(
                id: event.caseId, version: 1, stage: .intake, openedOn: o.openedOn, lastActivityAt: event.on?.text ?? event.at,
                principal: o.principal, family: o.family, assessments: [], destination: nil, arrival: nil,
                outcome: nil, notes: [], caseworker: o.caseworker, eventSeqs: [seq], duplicateKey: o.duplicateKey)
            if let text = event.note { c.notes.append(Note(at: event.at, actor: event.actor, text: text)) }
            return c
        }
        guard var c = current else { throw AuditError.projection(seq) }
        try c.apply(event, seq: seq)
        return c
    }

    /// Applies `event` (the `seq`-th entry of the log, not an opening) to this case in place.
    mutating func apply(_ event: CaseEvent, seq: Int64) throws {
        guard event.kind != .opened, id == event.caseId else { throw AuditError.projection(seq) }
        version += 1
        eventSeqs.append(seq)
        // Imported history counts from when it happened, not from when it was typed in.
        lastActivityAt = max(lastActivityAt, event.on?.text ?? event.at)
        if let p = event.principal { principal = principal.merging(p) }
        if var a = event.assessment {
            a.version = assessments.count + 1
            if a.assessedOn == nil { a.assessedOn = event.on ?? ISODate(String(event.at.prefix(10))) }
            assessments.append(a)
        }
        if let d = event.destination { destination = d }
        if let a = event.arrival { arrival = a }
        switch event.kind {
        case .opened: break
        case .advanced:
            if let to = event.to { stage = to }
        case .movedBack:
            if let to = event.to {
                stage = to
                outcome = nil
                if to < .arrival { arrival = nil }
            }
        case .closed:
            stage = .closed
            outcome = event.outcome
        case .noted:
            if let text = event.note { notes.append(Note(at: event.at, actor: event.actor, text: text)) }
        case .assessed:
            break
        case .weakPassphraseAccepted:
            throw AuditError.projection(seq) // never a case's event
        case .checkedIn:
            if let ci = event.checkin {
                if arrival == nil { arrival = Arrival() }
                arrival!.checkins = (arrival!.checkins ?? []) + [ci]
            }
        }
    }

    /// The fields still missing for the case to be in (or leave) `stage`; empty when its gate holds.
    public func missing(forGate stage: Stage) -> [String] {
        var m: [String] = []
        func blank(_ s: String?) -> Bool { s?.isBlank() ?? true }
        switch stage {
        case .intake:
            if blank(principal.fullName) { m.append("principal.full_name") }
            if principal.segment == nil { m.append("principal.segment") }
            if principal.reason == nil { m.append("principal.reason") }
            if !(principal.contact?.hasChannel ?? false) { m.append("principal.contact (signal, email, phone or intermediary)") }
            if principal.consent?.givenOn == nil { m.append("principal.consent.given_on") }
            if blank(principal.consent?.channel) { m.append("principal.consent.channel") }
        case .riskAssessment:
            guard let a = assessments.last else { m.append("assessment"); break }
            if a.level == nil { m.append("assessment.level") }
            if a.likelihood == nil { m.append("assessment.likelihood") }
            if a.impact == nil { m.append("assessment.impact") }
        case .destination:
            if destination?.country == nil { m.append("destination.country") }
            if destination?.route == nil { m.append("destination.route") }
        case .arrival:
            if arrival?.arrivedOn == nil { m.append("arrival.arrived_on") }
            if arrival?.country == nil { m.append("arrival.country") }
            if blank(arrival?.city) { m.append("arrival.city") }
        case .closed:
            if outcome == nil { m.append("outcome") }
        }
        return m
    }
}

extension Principal {
    /// This principal with every field `patch` sets replaced.
    func merging(_ patch: Principal) -> Principal {
        var p = self
        if let v = patch.fullName { p.fullName = v }
        if let v = patch.aliases { p.aliases = v }
        if let v = patch.birthDate { p.birthDate = v }
        if let v = patch.birthYear { p.birthYear = v }
        if let v = patch.citizenship { p.citizenship = v }
        if let v = patch.currentCountry { p.currentCountry = v }
        if let v = patch.currentCity { p.currentCity = v }
        if let v = patch.languages { p.languages = v }
        if let v = patch.contact { p.contact = v }
        if let v = patch.segment { p.segment = v }
        if let v = patch.reason { p.reason = v }
        if let v = patch.consent { p.consent = v }
        return p
    }
}
