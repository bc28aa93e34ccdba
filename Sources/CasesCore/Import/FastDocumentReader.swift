/// A fast path for reading one import line: it reads the common, well-formed case line straight
/// into an ``OpenDocument``, and gives up (returns nil) on anything else, which then goes to
/// ``DocumentReader`` (Foundation's `JSONDecoder`) for its result and its error message.
///
/// Written by hand because with Foundation's `JSONDecoder` alone, whose `Codable` containers
/// are generic and slow, `cases import` misses its goal (at most twice SQLCipher's bulk insert
/// of the same cases; docs/benchmarks.md), and no available package reads JSON another way.
/// It can only agree with `DocumentReader` or step aside: every value goes through the same
/// checks (``Vocabulary/init(forgiving:)``, ``CheckedText``), and anything it does not handle
/// exactly as `JSONDecoder` would gives up: a key other than the snake_case names (`JSONDecoder`
/// also maps camelCase and odd spellings), a key twice, a number that is not a plain integer,
/// a missing required field, a wrong type, a lone surrogate, trailing bytes. Tests and the
/// import-jsonl fuzz target check that the two agree.
enum FastDocumentReader {
    /// The document on this line, or nil to let `DocumentReader` read it. The line must be valid
    /// UTF-8 (the JSONL source checks it first): text is taken as it is, not validated again.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> OpenDocument? {
        var j = FastJSON(bytes: bytes)
        guard let d = try? OpenDocument(fast: &j), j.atEndAfterSpace() else { return nil }
        return d
    }
}

/// Stepping aside: the line goes to the full decoder.
struct GiveUp: Error {}

/// A JSON scanner over one line's bytes (RFC 8259), for ``FastDocumentReader``.
struct FastJSON {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    mutating func atEndAfterSpace() -> Bool {
        skipSpace()
        return at == bytes.count
    }

    mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard at < bytes.count, bytes[at] == c else { throw GiveUp() }
        at += 1
    }

    /// Consumes `null` if it comes next.
    mutating func null() -> Bool {
        skipSpace()
        guard bytes.count - at >= 4, bytes[at] == 0x6E, bytes[at + 1] == 0x75, bytes[at + 2] == 0x6C, bytes[at + 3] == 0x6C else { return false }
        at += 4
        return true
    }

    /// An object, calling `field` with each key; `field` reads the value. `seen` gives up on a
    /// key met twice (each type numbers its keys 0…63).
    mutating func object(_ field: (inout FastJSON, String, inout UInt64) throws -> Void) throws {
        try expect(0x7B)
        var seen: UInt64 = 0
        skipSpace()
        if at < bytes.count, bytes[at] == 0x7D { at += 1; return }
        while true {
            let key = try string()
            try expect(0x3A)
            try field(&self, key, &seen)
            skipSpace()
            guard at < bytes.count else { throw GiveUp() }
            let c = bytes[at]
            at += 1
            if c == 0x7D { return }
            guard c == 0x2C else { throw GiveUp() }
        }
    }

    /// An array, calling `element` for each element.
    mutating func array(_ element: (inout FastJSON) throws -> Void) throws {
        try expect(0x5B)
        skipSpace()
        if at < bytes.count, bytes[at] == 0x5D { at += 1; return }
        while true {
            try element(&self)
            skipSpace()
            guard at < bytes.count else { throw GiveUp() }
            let c = bytes[at]
            at += 1
            if c == 0x5D { return }
            guard c == 0x2C else { throw GiveUp() }
        }
    }

    mutating func string() throws -> String {
        try expect(0x22)
        let start = at
        // The common case: no escapes, one copy.
        while at < bytes.count {
            let c = bytes[at]
            if c == 0x22 {
                defer { at += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            }
            if c == 0x5C { break }
            guard c >= 0x20 else { throw GiveUp() }
            at += 1
        }
        var out = Array(bytes[start..<at])
        while at < bytes.count {
            let c = bytes[at]
            at += 1
            switch c {
            case 0x22:
                return String(decoding: out, as: UTF8.self)
            case 0x5C:
                guard at < bytes.count else { throw GiveUp() }
                let e = bytes[at]
                at += 1
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes.count - at >= 6, bytes[at] == 0x5C, bytes[at + 1] == 0x75 else { throw GiveUp() }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw GiveUp() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw GiveUp() } // a lone low surrogate
                    out.append(contentsOf: UTF8.encode(u)!)
                default:
                    throw GiveUp()
                }
            default:
                guard c >= 0x20 else { throw GiveUp() }
                out.append(c)
            }
        }
        throw GiveUp()
    }

    private mutating func hex4() throws -> UInt32 {
        guard bytes.count - at >= 4 else { throw GiveUp() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[at]
            at += 1
            let d: UInt32 =
                switch c {
                case 0x30...0x39: UInt32(c - 0x30)
                case 0x41...0x46: UInt32(c - 0x41 + 10)
                case 0x61...0x66: UInt32(c - 0x61 + 10)
                default: throw GiveUp()
                }
            v = v << 4 | d
        }
        return v
    }

    /// A plain integer: an optional minus and up to 18 digits, no leading zero, fraction or exponent.
    mutating func int() throws -> Int {
        skipSpace()
        var negative = false
        if at < bytes.count, bytes[at] == 0x2D { negative = true; at += 1 }
        let start = at
        var v = 0
        while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39 {
            guard at - start < 18 else { throw GiveUp() } // a 19th digit could overflow
            v = v * 10 + Int(bytes[at] - 0x30)
            at += 1
        }
        let digits = at - start
        guard digits >= 1, digits <= 18, !(bytes[start] == 0x30 && (digits > 1 || negative)) else { throw GiveUp() }
        if at < bytes.count, [0x2E, 0x65, 0x45].contains(bytes[at]) { throw GiveUp() }
        return negative ? -v : v
    }

    // MARK: - Values as the synthesized `Decodable` reads them (null is absent for an optional)

    mutating func optional<T>(_ read: (inout FastJSON) throws -> T) throws -> T? {
        null() ? nil : try read(&self)
    }

    mutating func text() throws -> String? { try optional { try $0.string() } }
    mutating func number() throws -> Int? { try optional { try $0.int() } }
    mutating func texts() throws -> [String]? {
        try optional { j in
            var out: [String] = []
            try j.array { out.append(try $0.string()) }
            return out
        }
    }

    mutating func checked<T: CheckedText>(_: T.Type = T.self) throws -> T? {
        try optional { j in try orGiveUp(T(j.string())) }
    }

    mutating func vocabulary<V: Vocabulary>(_: V.Type = V.self) throws -> V? {
        try optional { j in try orGiveUp(V(forgiving: j.string())) }
    }

    mutating func part<T: FastDecodable>(_: T.Type = T.self) throws -> T? {
        try optional { try T(fast: &$0) }
    }

    mutating func list<T: FastDecodable>(_: T.Type = T.self) throws -> [T]? {
        try optional { j in
            var out: [T] = []
            try j.array { out.append(try T(fast: &$0)) }
            return out
        }
    }
}

private func orGiveUp<T>(_ v: T?) throws -> T {
    guard let v else { throw GiveUp() }
    return v
}

/// Marks key number `n` of an object as read; gives up on a second time.
private func once(_ seen: inout UInt64, _ n: UInt64) throws {
    guard seen & (1 << n) == 0 else { throw GiveUp() }
    seen |= 1 << n
}

protocol FastDecodable {
    init(fast j: inout FastJSON) throws
}

extension OpenDocument: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var principal: Principal?
        var d = OpenDocument(principal: Principal())
        try j.object { j, key, seen in
            switch key {
            case "principal": try once(&seen, 0); principal = try j.part()
            case "family": try once(&seen, 1); d.family = try j.list()
            case "notes": try once(&seen, 2); d.notes = try j.text()
            case "caseworker": try once(&seen, 3); d.caseworker = try j.text()
            case "opened_on": try once(&seen, 4); d.openedOn = try j.checked()
            case "history": try once(&seen, 5); d.history = try j.list()
            default: throw GiveUp()
            }
        }
        guard let principal else { throw GiveUp() }
        d.principal = principal
        self = d
    }
}

extension HistoryStep: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var stage: Stage?
        var on: ISODate?
        var s = HistoryStep(stage: .intake, on: ISODate("2000-01-01")!)
        try j.object { j, key, seen in
            switch key {
            case "stage": try once(&seen, 0); stage = try j.vocabulary()
            case "on": try once(&seen, 1); on = try j.checked()
            case "assessment": try once(&seen, 2); s.assessment = try j.part()
            case "destination": try once(&seen, 3); s.destination = try j.part()
            case "arrival": try once(&seen, 4); s.arrival = try j.part()
            case "outcome": try once(&seen, 5); s.outcome = try j.vocabulary()
            case "reason": try once(&seen, 6); s.reason = try j.text()
            default: throw GiveUp()
            }
        }
        guard let stage, let on else { throw GiveUp() }
        s.stage = stage
        s.on = on
        self = s
    }
}

extension Principal: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var p = Principal()
        try j.object { j, key, seen in
            switch key {
            case "full_name": try once(&seen, 0); p.fullName = try j.text()
            case "aliases": try once(&seen, 1); p.aliases = try j.texts()
            case "birth_date": try once(&seen, 2); p.birthDate = try j.checked()
            case "birth_year": try once(&seen, 3); p.birthYear = try j.number()
            case "citizenship": try once(&seen, 4); p.citizenship = try j.checked()
            case "current_country": try once(&seen, 5); p.currentCountry = try j.checked()
            case "current_city": try once(&seen, 6); p.currentCity = try j.text()
            case "languages": try once(&seen, 7); p.languages = try j.texts()
            case "contact": try once(&seen, 8); p.contact = try j.part()
            case "segment": try once(&seen, 9); p.segment = try j.vocabulary()
            case "reason": try once(&seen, 10); p.reason = try j.vocabulary()
            case "consent": try once(&seen, 11); p.consent = try j.part()
            default: throw GiveUp()
            }
        }
        self = p
    }
}

extension Contact: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var c = Contact()
        try j.object { j, key, seen in
            switch key {
            case "signal": try once(&seen, 0); c.signal = try j.text()
            case "email": try once(&seen, 1); c.email = try j.text()
            case "phone": try once(&seen, 2); c.phone = try j.text()
            case "intermediary": try once(&seen, 3); c.intermediary = try j.text()
            default: throw GiveUp()
            }
        }
        self = c
    }
}

extension Consent: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var c = Consent()
        try j.object { j, key, seen in
            switch key {
            case "given_on": try once(&seen, 0); c.givenOn = try j.checked()
            case "channel": try once(&seen, 1); c.channel = try j.text()
            default: throw GiveUp()
            }
        }
        self = c
    }
}

extension FamilyMember: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var m = FamilyMember()
        try j.object { j, key, seen in
            switch key {
            case "relation": try once(&seen, 0); m.relation = try j.text()
            case "full_name": try once(&seen, 1); m.fullName = try j.text()
            case "birth_year": try once(&seen, 2); m.birthYear = try j.number()
            case "needs": try once(&seen, 3); m.needs = try j.text()
            default: throw GiveUp()
            }
        }
        self = m
    }
}

extension Threat: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var t = Threat()
        try j.object { j, key, seen in
            switch key {
            case "actor": try once(&seen, 0); t.actor = try j.text()
            case "kind": try once(&seen, 1); t.kind = try j.text()
            case "date": try once(&seen, 2); t.date = try j.checked()
            case "evidence": try once(&seen, 3); t.evidence = try j.text()
            default: throw GiveUp()
            }
        }
        self = t
    }
}

extension RiskAssessment: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var a = RiskAssessment()
        try j.object { j, key, seen in
            switch key {
            case "version": try once(&seen, 0); a.version = try j.number()
            case "assessed_on": try once(&seen, 1); a.assessedOn = try j.checked()
            case "level": try once(&seen, 2); a.level = try j.vocabulary()
            case "likelihood": try once(&seen, 3); a.likelihood = try j.number()
            case "impact": try once(&seen, 4); a.impact = try j.number()
            case "threats": try once(&seen, 5); a.threats = try j.list()
            case "vulnerabilities": try once(&seen, 6); a.vulnerabilities = try j.text()
            case "capacities": try once(&seen, 7); a.capacities = try j.text()
            case "urgency": try once(&seen, 8); a.urgency = try j.text()
            case "review_on": try once(&seen, 9); a.reviewOn = try j.checked()
            default: throw GiveUp()
            }
        }
        self = a
    }
}

extension DestinationPlan: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var d = DestinationPlan()
        try j.object { j, key, seen in
            switch key {
            case "country": try once(&seen, 0); d.country = try j.checked()
            case "route": try once(&seen, 1); d.route = try j.vocabulary()
            case "travel_on": try once(&seen, 2); d.travelOn = try j.checked()
            case "funding": try once(&seen, 3); d.funding = try j.text()
            default: throw GiveUp()
            }
        }
        self = d
    }
}

extension CheckIn: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var on: ISODate?
        var note: String?
        try j.object { j, key, seen in
            switch key {
            case "on": try once(&seen, 0); on = try j.checked()
            case "note": try once(&seen, 1); note = try j.text()
            default: throw GiveUp()
            }
        }
        guard let on else { throw GiveUp() }
        self.init(on: on, note: note)
    }
}

extension Arrival: FastDecodable {
    init(fast j: inout FastJSON) throws {
        var a = Arrival()
        try j.object { j, key, seen in
            switch key {
            case "arrived_on": try once(&seen, 0); a.arrivedOn = try j.checked()
            case "country": try once(&seen, 1); a.country = try j.checked()
            case "city": try once(&seen, 2); a.city = try j.text()
            case "legal_status": try once(&seen, 3); a.legalStatus = try j.text()
            case "checkins": try once(&seen, 4); a.checkins = try j.list()
            default: throw GiveUp()
            }
        }
        self = a
    }
}
