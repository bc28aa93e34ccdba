import Foundation

/// A non-negative rational number held exactly, for privacy budgets.
///
/// Budgets are added and compared across many releases; with floating point, ten releases of
/// ε = 0.1 would not add up to 1.0 and the last one would be refused or, worse, allowed twice.
public struct ExactRational: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    /// The reduced fraction `numerator / denominator`; the denominator must be positive.
    public init(_ numerator: Int, _ denominator: Int = 1) {
        precondition(denominator > 0, "denominator must be positive")
        let g = ExactRational.gcd(Swift.abs(numerator), denominator)
        self.numerator = numerator / max(g, 1)
        self.denominator = denominator / max(g, 1)
    }

    /// Parses a decimal such as `0.5`, `1`, `.25` or `0.125` exactly (at most 6 decimals).
    public init(decimal text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, parts.count <= 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts.contains(where: { !$0.isEmpty })
        else { throw StatisticsError.invalidEpsilon(text) }
        let whole = parts[0].isEmpty ? "0" : String(parts[0])
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard whole.count <= 6, fraction.count <= 6, let w = Int(whole), let f = Int(fraction.isEmpty ? "0" : fraction) else {
            throw StatisticsError.invalidEpsilon(text)
        }
        var scale = 1
        for _ in 0..<fraction.count { scale *= 10 }
        self.init(w * scale + f, scale)
    }

    public static let zero = ExactRational(0)
    public static let one = ExactRational(1)

    /// The exact decimal form when the denominator divides a power of ten, else `n/d`.
    public var description: String { decimalString ?? "\(numerator)/\(denominator)" }

    /// `0.5`, `1`, `0.125`; nil when the value has no finite decimal form.
    public var decimalString: String? {
        var digits = 0
        var scale = 1
        while scale % denominator != 0 {
            guard digits < 18, let next = ExactRational.multiply(scale, 10) else { return nil }
            scale = next
            digits += 1
        }
        let scaled = numerator * (scale / denominator)
        let magnitude = Swift.abs(scaled)
        var fraction = digits == 0 ? "" : String(magnitude % scale)
        if digits > 0 {
            fraction = String(repeating: "0", count: digits - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
        }
        return (scaled < 0 ? "-" : "") + String(magnitude / scale) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// Exact sum; throws rather than wrap around.
    public func adding(_ other: ExactRational) throws -> ExactRational {
        guard let a = ExactRational.multiply(numerator, other.denominator),
            let b = ExactRational.multiply(other.numerator, denominator),
            let d = ExactRational.multiply(denominator, other.denominator)
        else { throw StatisticsError.arithmeticOverflow }
        let (n, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw StatisticsError.arithmeticOverflow }
        return ExactRational(n, d)
    }

    /// Exact difference; throws rather than wrap around.
    public func subtracting(_ other: ExactRational) throws -> ExactRational {
        try adding(ExactRational(-other.numerator, other.denominator))
    }

    /// Exact quotient by a positive integer.
    public func divided(by n: Int) throws -> ExactRational {
        precondition(n > 0)
        guard let d = ExactRational.multiply(denominator, n) else { throw StatisticsError.arithmeticOverflow }
        return ExactRational(numerator, d)
    }

    public static func < (a: ExactRational, b: ExactRational) -> Bool {
        // Cross-multiplied in 128 bits so that no comparison can overflow.
        let l = a.numerator.multipliedFullWidth(by: b.denominator)
        let r = b.numerator.multipliedFullWidth(by: a.denominator)
        return (l.high, l.low) < (r.high, r.low)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.split(separator: "/")
        guard parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]), d > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Expected n/d, found \(text)."))
        }
        self.init(n, d)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("\(numerator)/\(denominator)")
    }

    static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : r
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
