import Foundation

/// A new case as a caseworker describes it (`cases open`, one line of `cases import`).
public struct OpenDocument: Codable, Equatable, Sendable {
    public var principal: Principal
    public var family: [FamilyMember]?
    public var notes: String?
    public var caseworker: String?
    /// For imports: when the case was really opened.
    public var openedOn: ISODate?
    /// For imports: the stages the case already went through, oldest first.
    public var history: [HistoryStep]?

    public init(
        principal: Principal, family: [FamilyMember]? = nil, notes: String? = nil, caseworker: String? = nil, openedOn: ISODate? = nil,
        history: [HistoryStep]? = nil
    ) {
        self.principal = principal
        self.family = family
        self.notes = notes
        self.caseworker = caseworker
        self.openedOn = openedOn
        self.history = history
    }
}

/// One past stage change in an imported case.
public struct HistoryStep: Codable, Equatable, Sendable {
    public var stage: Stage
    public var on: ISODate
    public var assessment: RiskAssessment?
    public var destination: DestinationPlan?
    public var arrival: Arrival?
    public var outcome: Outcome?
    public var reason: String?

    public init(
        stage: Stage, on: ISODate, assessment: RiskAssessment? = nil, destination: DestinationPlan? = nil,
        arrival: Arrival? = nil, outcome: Outcome? = nil, reason: String? = nil
    ) {
        self.stage = stage
        self.on = on
        self.assessment = assessment
        self.destination = destination
        self.arrival = arrival
        self.outcome = outcome
        self.reason = reason
    }
}

/// What `cases advance` reads: the new stage's data, or the reason for going back.
public struct AdvanceDocument: Codable, Sendable {
    public var assessment: RiskAssessment?
    public var destination: DestinationPlan?
    public var arrival: Arrival?
    /// Why the case goes back to an earlier stage (required then).
    public var reason: String?
    /// Fields of the principal to add or correct on the way (for example consent).
    public var principal: Principal?

    public init(
        assessment: RiskAssessment? = nil, destination: DestinationPlan? = nil, arrival: Arrival? = nil,
        reason: String? = nil, principal: Principal? = nil
    ) {
        self.assessment = assessment
        self.destination = destination
        self.arrival = arrival
        self.reason = reason
        self.principal = principal
    }
}

/// Decodes input documents, turning every decoding failure into one sentence that names the
/// field and never echoes its value.
public enum DocumentReader {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw InputError.empty }
        do {
            return try RecordCoding.decoder.decode(T.self, from: data)
        } catch let e as InputError {
            throw e
        } catch DecodingError.keyNotFound(let key, let ctx) {
            throw InputError.missing([InputError.path(ctx.codingPath + [key])])
        } catch DecodingError.typeMismatch(let t, let ctx) {
            throw InputError.invalid(field: InputError.path(ctx.codingPath), expected: describe(t))
        } catch DecodingError.valueNotFound(let t, let ctx) {
            throw InputError.invalid(field: InputError.path(ctx.codingPath), expected: describe(t))
        } catch DecodingError.dataCorrupted(let ctx) {
            if ctx.codingPath.isEmpty { throw InputError.notJSON("check brackets, quotes and commas") }
            throw InputError.invalid(field: InputError.path(ctx.codingPath), expected: "well-formed")
        } catch {
            throw InputError.notJSON("unreadable")
        }
    }

    static func describe(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: "text"
        case is Int.Type: "a whole number"
        case is [Any].Type: "a list"
        default: t == [String: Any].self ? "an object" : "of another type (\(t))"
        }
    }
}
