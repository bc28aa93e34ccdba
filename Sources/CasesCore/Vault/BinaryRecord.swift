/// The compact binary form of the records sealed most often: events, case snapshots and
/// summaries.
///
/// Written by hand, because no available package encodes these types compactly without
/// Foundation's `Codable` machinery, which cost a third of an import's time: Foundation's JSON
/// encoder took ~25 µs for each event, and every imported case is several events and a snapshot.
/// swift-protobuf would need a schema compiler, generated types and a mapping layer as long as
/// this file. docs/format.md gives every record's layout, byte by byte; `RecordFieldListTests`
/// fails when a stored property is missing from one of the encodings.
///
/// Each type writes its fields in a fixed order (a change of order or meaning needs a new
/// marker, a new migration and a new fixture in `Tests/Fixtures`):
/// - a number: LEB128 varint of its 64-bit two's complement;
/// - a text: a varint of its UTF-8 length + 1 (0 for none), then its bytes;
/// - an optional number or part: a varint 0 for none or 1, then the value;
/// - a list: a varint of its count + 1 (0 for none), then each element.
protocol BinaryRecord: Codable {
    /// The first byte of the record's binary form, which tells the kinds of event row apart.
    static var marker: UInt8 { get }
    init(reading r: inout RecordReader) throws
    func write(to w: inout RecordWriter)
}

extension BinaryRecord {
    /// Every record's first byte but an event group's (``EventGroup/marker``).
    static var marker: UInt8 { 0x02 }

    /// `marker ‖ fields`.
    func binaryEncoded() -> [UInt8] {
        var w = RecordWriter()
        w.bytes.reserveCapacity(2048) // fewer regrowths, so fewer stale copies of it in freed memory
        w.bytes.append(Self.marker)
        write(to: &w)
        return w.bytes
    }

    /// Decodes `marker ‖ fields`; nothing may follow the fields.
    init(binary bytes: UnsafeBufferPointer<UInt8>) throws {
        var r = RecordReader(bytes: bytes)
        guard try r.byte() == Self.marker else { throw RecordMalformed() }
        self = try Self(reading: &r)
        guard r.atEnd else { throw RecordMalformed() }
    }
}

/// A binary record that does not decode: altered, truncated or from another type.
struct RecordMalformed: Error {}

struct RecordWriter {
    var bytes: [UInt8] = []

    mutating func int(_ v: Int) {
        var u = UInt64(bitPattern: Int64(v))
        while u >= 0x80 { bytes.append(UInt8(u & 0x7F) | 0x80); u >>= 7 }
        bytes.append(UInt8(u))
    }

    mutating func text(_ s: String?) {
        guard var s else { int(0); return }
        s.withUTF8 { utf8 in
            int(utf8.count + 1)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func number(_ v: Int?) {
        guard let v else { int(0); return }
        int(1)
        int(v)
    }

    mutating func part<T: BinaryRecord>(_ v: T?) {
        guard let v else { int(0); return }
        int(1)
        v.write(to: &self)
    }

    mutating func list<T: BinaryRecord>(_ v: [T]?) {
        guard let v else { int(0); return }
        int(v.count + 1)
        for i in v.indices { v[i].write(to: &self) } // by index: `for e in v` copied each element
    }

    mutating func texts(_ v: [String]?) {
        guard let v else { int(0); return }
        int(v.count + 1)
        for e in v { text(e) }
    }

    mutating func text<T: CheckedText>(_ v: T?) { text(v?.canonical) }
    mutating func text<V: Vocabulary>(_ v: V?) { text(v?.rawValue) }
}

struct RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0
    var atEnd: Bool { at == bytes.count }

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func byte() throws -> UInt8 {
        guard at < bytes.count else { throw RecordMalformed() }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func int() throws -> Int {
        var u: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw RecordMalformed() }
            u |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return Int(Int64(bitPattern: u))
    }

    /// A count written as count + 1 (0 for none), checked against the bytes left, each element
    /// taking at least one.
    private mutating func count() throws -> Int? {
        let n = try int()
        guard n > 0 else { return nil }
        guard n - 1 <= bytes.count - at else { throw RecordMalformed() }
        return n - 1
    }

    mutating func text() throws -> String? {
        guard let n = try count() else { return nil }
        defer { at += n }
        return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    }

    mutating func requiredText() throws -> String {
        guard let s = try text() else { throw RecordMalformed() }
        return s
    }

    /// Whether the next text is `s` (compared as bytes, without making a String).
    mutating func textEquals(_ s: String) throws -> Bool {
        guard let n = try count() else { throw RecordMalformed() }
        defer { at += n }
        return bytes[at..<(at + n)].elementsEqual(s.utf8)
    }

    mutating func number() throws -> Int? {
        switch try int() {
        case 0: return nil
        case 1: return try int()
        default: throw RecordMalformed()
        }
    }

    mutating func part<T: BinaryRecord>(_: T.Type = T.self) throws -> T? {
        switch try int() {
        case 0: return nil
        case 1: return try T(reading: &self)
        default: throw RecordMalformed()
        }
    }

    mutating func list<T: BinaryRecord>(_: T.Type = T.self) throws -> [T]? {
        guard let n = try count() else { return nil }
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try T(reading: &self)) }
        return out
    }

    mutating func texts() throws -> [String]? {
        guard let n = try count() else { return nil }
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try requiredText()) }
        return out
    }

    mutating func checked<T: CheckedText>(_: T.Type = T.self) throws -> T? {
        guard let s = try text() else { return nil }
        guard let v = T(s) else { throw RecordMalformed() }
        return v
    }

    mutating func vocabulary<V: RawRepresentable<String>>(_: V.Type = V.self) throws -> V? {
        guard let s = try text() else { return nil }
        guard let v = V(rawValue: s) else { throw RecordMalformed() }
        return v
    }

}

/// `v`, which a well-formed record always has.
func required<T>(_ v: T?) throws -> T {
    guard let v else { throw RecordMalformed() }
    return v
}

// MARK: - The records

extension Contact: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(signal: try r.text(), email: try r.text(), phone: try r.text(), intermediary: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(signal); w.text(email); w.text(phone); w.text(intermediary)
    }
}

extension Consent: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(givenOn: try r.checked(), channel: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(givenOn); w.text(channel)
    }
}

extension Principal: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(
            fullName: try r.text(), aliases: try r.texts(), birthDate: try r.checked(), birthYear: try r.number(),
            citizenship: try r.checked(), currentCountry: try r.checked(), currentCity: try r.text(), languages: try r.texts(),
            contact: try r.part(), segment: try r.vocabulary(), reason: try r.vocabulary(), consent: try r.part())
    }

    func write(to w: inout RecordWriter) {
        w.text(fullName); w.texts(aliases); w.text(birthDate); w.number(birthYear)
        w.text(citizenship); w.text(currentCountry); w.text(currentCity); w.texts(languages)
        w.part(contact); w.text(segment); w.text(reason); w.part(consent)
    }
}

extension FamilyMember: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(relation: try r.text(), fullName: try r.text(), birthYear: try r.number(), needs: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(relation); w.text(fullName); w.number(birthYear); w.text(needs)
    }
}

extension Threat: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(actor: try r.text(), kind: try r.text(), date: try r.checked(), evidence: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(actor); w.text(kind); w.text(date); w.text(evidence)
    }
}

extension RiskAssessment: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(
            version: try r.number(), assessedOn: try r.checked(), level: try r.vocabulary(), likelihood: try r.number(),
            impact: try r.number(), threats: try r.list(), vulnerabilities: try r.text(), capacities: try r.text(),
            urgency: try r.text(), reviewOn: try r.checked())
    }

    func write(to w: inout RecordWriter) {
        w.number(version); w.text(assessedOn); w.text(level); w.number(likelihood)
        w.number(impact); w.list(threats); w.text(vulnerabilities); w.text(capacities)
        w.text(urgency); w.text(reviewOn)
    }
}

extension DestinationPlan: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(country: try r.checked(), route: try r.vocabulary(), travelOn: try r.checked(), funding: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(country); w.text(route); w.text(travelOn); w.text(funding)
    }
}

extension CheckIn: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(on: try required(r.checked()), note: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(on); w.text(note)
    }
}

extension Arrival: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(arrivedOn: try r.checked(), country: try r.checked(), city: try r.text(), legalStatus: try r.text(), checkins: try r.list())
    }

    func write(to w: inout RecordWriter) {
        w.text(arrivedOn); w.text(country); w.text(city); w.text(legalStatus); w.list(checkins)
    }
}

extension Note: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(at: try r.requiredText(), actor: try r.requiredText(), text: try r.requiredText())
    }

    func write(to w: inout RecordWriter) {
        w.text(at); w.text(actor); w.text(text)
    }
}

extension CaseID {
    init(reading r: inout RecordReader) throws {
        self = try required(CaseID(parsing: try r.requiredText()))
    }
}

extension CaseFile: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        let id = try CaseID(reading: &r)
        let version = try r.int()
        let stage: Stage = try required(r.vocabulary())
        let openedOn: ISODate = try required(r.checked())
        let lastActivityAt = try r.requiredText()
        let principal = try Principal(reading: &r)
        let family: [FamilyMember] = try required(r.list())
        let assessments: [RiskAssessment] = try required(r.list())
        let destination: DestinationPlan? = try r.part()
        let arrival: Arrival? = try r.part()
        let outcome: Outcome? = try r.vocabulary()
        let notes: [Note] = try required(r.list())
        let caseworker = try r.text()
        let seqCount = try r.int()
        guard seqCount >= 0, seqCount <= r.bytes.count - r.at else { throw RecordMalformed() }
        var eventSeqs: [Int64] = []
        eventSeqs.reserveCapacity(seqCount)
        for _ in 0..<seqCount { eventSeqs.append(Int64(try r.int())) }
        self.init(
            id: id, version: version, stage: stage, openedOn: openedOn, lastActivityAt: lastActivityAt, principal: principal,
            family: family, assessments: assessments, destination: destination, arrival: arrival, outcome: outcome,
            notes: notes, caseworker: caseworker, eventSeqs: eventSeqs, duplicateKey: try r.text())
    }

    func write(to w: inout RecordWriter) {
        w.text(id.compact); w.int(version); w.text(stage); w.text(openedOn); w.text(lastActivityAt)
        principal.write(to: &w)
        w.list(family); w.list(assessments); w.part(destination); w.part(arrival); w.text(outcome); w.list(notes)
        w.text(caseworker)
        w.int(eventSeqs.count)
        for seq in eventSeqs { w.int(Int(seq)) }
        w.text(duplicateKey)
    }
}

extension CaseEvent.OpenedData: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        self.init(
            principal: try Principal(reading: &r), family: try required(r.list()), caseworker: try r.text(),
            openedOn: try required(r.checked()), duplicateKey: try r.text())
    }

    func write(to w: inout RecordWriter) {
        principal.write(to: &w)
        w.list(family); w.text(caseworker); w.text(openedOn); w.text(duplicateKey)
    }
}

extension CaseEvent: BinaryRecord {
    init(reading r: inout RecordReader) throws {
        let id = try CaseID(reading: &r)
        let kind: Kind = try required(r.vocabulary())
        self.init(caseId: id, kind: kind, at: try r.requiredText(), on: try r.checked(), actor: try r.requiredText())
        from = try r.vocabulary()
        to = try r.vocabulary()
        opened = try r.part()
        principal = try r.part()
        assessment = try r.part()
        destination = try r.part()
        arrival = try r.part()
        checkin = try r.part()
        outcome = try r.vocabulary()
        reason = try r.text()
        note = try r.text()
    }

    func write(to w: inout RecordWriter) {
        w.text(caseId.compact); w.text(kind.rawValue); w.text(at); w.text(on); w.text(actor)
        w.text(from); w.text(to)
        w.part(opened); w.part(principal); w.part(assessment); w.part(destination); w.part(arrival); w.part(checkin)
        w.text(outcome); w.text(reason); w.text(note)
    }
}
