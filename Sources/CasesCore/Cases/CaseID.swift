import CasesCrypto

/// Crockford base32 with a Luhn mod 32 check character, written here because no available
/// package does it. Used for case ids and recovery codes: no I, L, O or U, so ids read aloud over
/// a bad phone line or copied by hand survive, and a single wrong or swapped character is caught.
public enum Crockford32 {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Each byte's value, or -1: a table, because `list` parses one id per case.
    static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() {
            table[Int(c)] = Int8(i)
            if c >= 65 && c <= 90 { table[Int(c) + 32] = Int8(i) }
        }
        for (c, v) in [("O", 0), ("o", 0), ("I", 1), ("i", 1), ("L", 1), ("l", 1)] { table[Int(UInt8(ascii: Unicode.Scalar(c)!))] = Int8(v) }
        return table
    }()

    /// The value of one character, folding the look-alikes Crockford allows (O→0, I/L→1).
    static func value(of c: UInt8) -> Int? {
        let v = values[Int(c)]
        return v < 0 ? nil : Int(v)
    }

    /// Luhn mod N over the values, N = 32.
    static func checkValue<C: BidirectionalCollection<Int>>(_ values: C) -> Int {
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

    static func isValid<C: BidirectionalCollection<Int>>(_ values: C) -> Bool {
        guard let check = values.last else { return false }
        return checkValue(values.dropLast()) == check
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
        // 40 random bits, five to a character: one call to the system's generator, not eight.
        var bits = UInt64(0)
        while bits == 0 { bits = Random.bytes(5).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } } // all zeros is ``vaultWide``
        let v = (0..<randomLength).map { Int(bits >> UInt64(5 * (randomLength - 1 - $0)) & 31) }
        let all = v + [Crockford32.checkValue(v)]
        return CaseID(compact: String(decoding: all.map { Crockford32.alphabet[$0] }, as: UTF8.self))
    }

    private init(compact: String) { self.compact = compact }

    /// The id of the log's events about the vault itself rather than a case (a weak passphrase
    /// let through): `0000-00000`, which ``random()`` never makes.
    public static let vaultWide = CaseID(compact: "000000000")

    /// Parses what a caseworker typed: case-insensitive, hyphens optional, look-alikes folded.
    /// Returns nil if the length is wrong, a character is not base32 or the check fails.
    public init?(parsing text: String) {
        if Self.isCanonical(text) { compact = text; return }
        guard let values = Crockford32.values(of: text.utf8), values.count == Self.randomLength + 1,
            Crockford32.isValid(values)
        else { return nil }
        compact = String(decoding: values.map { Crockford32.alphabet[$0] }, as: UTF8.self)
    }

    /// True for an id exactly as stored (nine upper-case alphabet characters, valid check):
    /// the common case, parsed without building a new string.
    static func isCanonical(_ text: String) -> Bool {
        var utf8 = text
        return utf8.withUTF8 { b in
            guard b.count == randomLength + 1 else { return false }
            // Luhn mod 32 as in `Crockford32.checkValue`, over the characters right to left.
            var factor = 1 // the check character itself
            var sum = 0
            for c in b.reversed() {
                let v = Int(Crockford32.values[Int(c)])
                guard v >= 0, Crockford32.alphabet[v] == c else { return false }
                let addend = factor * v
                sum += addend / 32 + addend % 32
                factor = factor == 2 ? 1 : 2
            }
            return sum % 32 == 0
        }
    }

    public var description: String {
        let b = Array(compact.utf8)
        return String(decoding: b[0..<4] + [UInt8(ascii: "-")] + b[4...], as: UTF8.self)
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
