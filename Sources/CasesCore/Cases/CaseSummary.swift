import Foundation

/// What `list`, `due` and `stats` need of a case, sealed beside its snapshot.
///
/// Decoding a whole case through Foundation's JSON takes about 100 µs here; this record, in
/// a compact binary form written by hand below (no available package encodes Codable values
/// compactly), decodes in about a microsecond, so listing 100,000 cases stays well under a second.
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
        var w = Writer()
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
        return w.bytes
    }

    struct Malformed: Error {}

    /// Decodes a summary; with `expected`, its id must be that one (compared as bytes, which
    /// saves parsing one id per case in `list`).
    init(decoding bytes: [UInt8], expected: CaseID? = nil) throws {
        self = try bytes.withUnsafeBufferPointer { try CaseSummary(decoding: $0, expected: expected) }
    }

    init(decoding bytes: UnsafeBufferPointer<UInt8>, expected: CaseID? = nil) throws {
        var r = Reader(bytes: bytes)
        guard try r.byte() == Self.format else { throw Malformed() }
        if let expected {
            guard try r.textEquals(expected.compact) else { throw Malformed() }
            id = expected
        } else {
            guard let id = CaseID(parsing: try r.text() ?? "") else { throw Malformed() }
            self.id = id
        }
        version = try r.int()
        guard let stage = Stage(rawValue: try r.text() ?? "") else { throw Malformed() }
        self.stage = stage
        segment = try r.text().map { try Self.value($0) }
        reason = try r.text().map { try Self.value($0) }
        destination = try r.text()
        arrivalCountry = try r.text()
        guard let opened = ISODate(try r.text() ?? "") else { throw Malformed() }
        openedOn = opened
        arrivedOn = try r.date()
        outcome = try r.text().map { try Self.value($0) }
        lastActivityAt = try r.text() ?? ""
        familyCount = try r.int()
        fullName = try r.text()
        reviewOn = try r.date()
        travelOn = try r.date()
        lastCheckinOn = try r.date()
        duplicateKey = try r.text()
        guard r.atEnd else { throw Malformed() }
    }

    static func value<V: RawRepresentable<String>>(_ s: String) throws -> V {
        guard let v = V(rawValue: s) else { throw Malformed() }
        return v
    }

    struct Writer {
        var bytes: [UInt8] = []
        mutating func int(_ v: Int) {
            var u = UInt64(bitPattern: Int64(v))
            while u >= 0x80 { bytes.append(UInt8(u & 0x7F) | 0x80); u >>= 7 }
            bytes.append(UInt8(u))
        }
        mutating func text(_ s: String?) {
            guard let s else { int(0); return }
            let utf8 = Array(s.utf8)
            int(utf8.count + 1)
            bytes += utf8
        }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        var atEnd: Bool { at == bytes.count }
        mutating func byte() throws -> UInt8 {
            guard at < bytes.count else { throw Malformed() }
            defer { at += 1 }
            return bytes[at]
        }
        mutating func int() throws -> Int {
            var u: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw Malformed() }
                u |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return Int(Int64(bitPattern: u))
        }
        mutating func text() throws -> String? {
            let n = try int()
            guard n > 0 else { return nil }
            guard n - 1 <= bytes.count - at else { throw Malformed() }
            defer { at += n - 1 }
            return String(decoding: bytes[at..<(at + n - 1)], as: UTF8.self)
        }
        mutating func textEquals(_ s: String) throws -> Bool {
            let n = try int()
            guard n > 0, n - 1 <= bytes.count - at else { throw Malformed() }
            defer { at += n - 1 }
            return bytes[at..<(at + n - 1)].elementsEqual(s.utf8)
        }
        mutating func date() throws -> ISODate? {
            guard let t = try text() else { return nil }
            guard let d = ISODate(t) else { throw Malformed() }
            return d
        }
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
