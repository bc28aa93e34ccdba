import Foundation

/// What `list`, `due` and `stats` need of a case, sealed beside its snapshot.
///
/// Decoding a whole case through Foundation's JSON took about 100 µs here; this record, written
/// with ``RecordWriter`` (see ``BinaryRecord``), decodes in about a microsecond, so listing
/// 100,000 cases stays well under a second.
public struct CaseSummary: Equatable, Sendable {
    public var id: CaseID
    public var version: Int
    public var stage: Stage
    public var segment: Segment?
    public var reason: LeavingReason?
    /// The planned destination's country code.
    public var destination: String?
    /// The country of arrival's code.
    public var arrivalCountry: String?
    public var openedOn: ISODate
    public var arrivedOn: ISODate?
    public var outcome: Outcome?
    public var lastActivityAt: String
    public var familyCount: Int
    public var fullName: String?
    public var reviewOn: ISODate?
    public var travelOn: ISODate?
    public var lastCheckinOn: ISODate?
    public var duplicateKey: String?

    public init(_ c: CaseFile) {
        id = c.id
        version = c.version
        stage = c.stage
        segment = c.principal.segment
        reason = c.principal.reason
        destination = c.destination?.country?.code
        arrivalCountry = c.arrival?.country?.code
        openedOn = c.openedOn
        arrivedOn = c.arrival?.arrivedOn
        outcome = c.outcome
        lastActivityAt = c.lastActivityAt
        familyCount = c.family.count
        fullName = c.principal.fullName
        reviewOn = c.assessments.last?.reviewOn
        travelOn = c.destination?.travelOn
        lastCheckinOn = c.arrival?.checkins?.last?.on
        duplicateKey = c.duplicateKey
    }

    // MARK: - Binary form

    static let format: UInt8 = 1

    /// `format ‖ fields`, each optional text as a varint of its byte length + 1 (0 for none)
    /// followed by its UTF-8 bytes, each number as a varint.
    func encoded() -> [UInt8] {
        var w = RecordWriter()
        write(to: &w)
        return w.bytes
    }

    func write(to w: inout RecordWriter) {
        w.bytes.append(Self.format)
        w.text(id.compact)
        w.int(version)
        w.text(stage.rawValue)
        w.text(segment?.rawValue)
        w.text(reason?.rawValue)
        w.text(destination)
        w.text(arrivalCountry)
        w.text(openedOn.text)
        w.text(arrivedOn?.text)
        w.text(outcome?.rawValue)
        w.text(lastActivityAt)
        w.int(familyCount)
        w.text(fullName)
        w.text(reviewOn?.text)
        w.text(travelOn?.text)
        w.text(lastCheckinOn?.text)
        w.text(duplicateKey)
    }

    /// Decodes a summary; with `expected`, its id must be that one (compared as bytes, which
    /// saves parsing one id per case in `list`).
    init(decoding bytes: [UInt8], expected: CaseID? = nil) throws {
        self = try bytes.withUnsafeBufferPointer { try CaseSummary(decoding: $0, expected: expected) }
    }

    init(decoding bytes: UnsafeBufferPointer<UInt8>, expected: CaseID? = nil) throws {
        var r = RecordReader(bytes: bytes)
        guard try r.byte() == Self.format else { throw RecordMalformed() }
        if let expected {
            guard try r.textEquals(expected.compact) else { throw RecordMalformed() }
            id = expected
        } else {
            guard let id = CaseID(parsing: try r.text() ?? "") else { throw RecordMalformed() }
            self.id = id
        }
        version = try r.int()
        guard let stage = Stage(rawValue: try r.text() ?? "") else { throw RecordMalformed() }
        self.stage = stage
        segment = try r.vocabulary()
        reason = try r.vocabulary()
        destination = try r.text()
        arrivalCountry = try r.text()
        guard let opened = ISODate(try r.text() ?? "") else { throw RecordMalformed() }
        openedOn = opened
        arrivedOn = try r.checked()
        outcome = try r.vocabulary()
        lastActivityAt = try r.text() ?? ""
        familyCount = try r.int()
        fullName = try r.text()
        reviewOn = try r.checked()
        travelOn = try r.checked()
        lastCheckinOn = try r.checked()
        duplicateKey = try r.text()
        guard r.atEnd else { throw RecordMalformed() }
    }

    // MARK: - Due

    /// Why this case needs a caseworker now (empty if nothing is due).
    public func overdueReasons(today: ISODate, checkinDays: Int = 14, idleDays: Int = 14) -> [String] {
        guard stage != .closed else { return [] }
        var why: [String] = []
        if let review = reviewOn, review < today { why.append("risk review was due \(review)") }
        if stage == .destination, let travel = travelOn, travel < today { why.append("planned travel on \(travel) passed without arrival") }
        if stage == .arrival, let l = lastCheckinOn ?? arrivedOn, l.days(until: today) > checkinDays {
            why.append("no check-in since \(l)")
        }
        if stage == .intake, let last = ISODate(String(lastActivityAt.prefix(10))), last.days(until: today) > idleDays {
            why.append("intake idle since \(last)")
        }
        return why
    }
}
