import CasesCrypto

/// Crockford base32 with a Luhn mod 32 check character, written here because no available
/// package does it. Used for case ids and recovery codes: no I, L, O or U, so ids read aloud over
/// a bad phone line or copied by hand survive, and a single wrong or swapped character is caught.
public enum Crockford32 {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The value of one character, folding the look-alikes Crockford allows (O→0, I/L→1).
    static func value(of c: UInt8) -> Int? {
        var ch = c
        if ch >= 97 && ch <= 122 { ch -= 32 }
        switch ch {
        case UInt8(ascii: "O"): return 0
        case UInt8(ascii: "I"), UInt8(ascii: "L"): return 1
        default: return alphabet.firstIndex(of: ch)
        }
    }

    /// Luhn mod N over the values, N = 32.
    static func checkValue(_ values: [Int]) -> Int {
        var factor = 2
        var sum = 0
        for v in values.reversed() {
            var addend = factor * v
            factor = factor == 2 ? 1 : 2
            addend = addend / 32 + addend % 32
            sum += addend
        }
        return (32 - sum % 32) % 32
    }

    static func isValid(_ values: [Int]) -> Bool {
        guard let check = values.last else { return false }
        return checkValue(Array(values.dropLast())) == check
    }

    /// `count` random values, each 0..<32, from libsodium.
    static func randomValues(_ count: Int) -> [Int] {
        (0..<count).map { _ in Int(Random.uniform(32)) }
    }

    /// Parses typed input into values, ignoring hyphens and spaces; nil on any other character.
    static func values(of text: some Sequence<UInt8>) -> [Int]? {
        var out: [Int] = []
        for c in text where c != UInt8(ascii: "-") && c != UInt8(ascii: " ") {
            guard let v = value(of: c) else { return nil }
            out.append(v)
        }
        return out
    }
}

/// A case's identifier: 8 random Crockford base32 characters (40 bits) and a check character,
/// shown as `XXXX-XXXXC`.
///
/// Random, never sequential, so an id reveals neither how many cases exist nor their order.
public struct CaseID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The nine characters without the hyphen.
    public let compact: String

    static let randomLength = 8

    /// A fresh random id.
    public static func random() -> CaseID {
        let v = Crockford32.randomValues(randomLength)
        let all = v + [Crockford32.checkValue(v)]
        return CaseID(compact: String(decoding: all.map { Crockford32.alphabet[$0] }, as: UTF8.self))
    }

    private init(compact: String) { self.compact = compact }

    /// Parses what a caseworker typed: case-insensitive, hyphens optional, look-alikes folded.
    /// Returns nil if the length is wrong, a character is not base32 or the check fails.
    public init?(parsing text: String) {
        guard let values = Crockford32.values(of: text.utf8), values.count == Self.randomLength + 1,
              Crockford32.isValid(values) else { return nil }
        compact = String(decoding: values.map { Crockford32.alphabet[$0] }, as: UTF8.self)
    }

    public var description: String {
        let chars = Array(compact)
        return String(chars[0..<4]) + "-" + String(chars[4...])
    }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let id = CaseID(parsing: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a case id"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public static func < (a: CaseID, b: CaseID) -> Bool { a.compact < b.compact }
}
