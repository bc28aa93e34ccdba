/// One number as it appears in a release.
public enum PublishedCount: Hashable, Codable, Sendable, CustomStringConvertible {
    /// A count of at least k, rounded to the release's base.
    case value(Int)
    /// Fewer than k people (including none): shown as `<10` for k = 10.
    case belowThreshold(k: Int)
    /// Withheld so that a suppressed cell cannot be worked out from the others: shown as `x`.
    ///
    /// Such a cell may hold any number; it is never shown as `<k`, which would be false.
    case withheld

    /// The text a reader sees: `35`, `<10` or `x`.
    public var description: String {
        switch self {
        case .value(let n): return String(n)
        case .belowThreshold(let k): return "<\(k)"
        case .withheld: return "x"
        }
    }

    /// The shown integer, if any.
    public var number: Int? {
        if case .value(let n) = self { return n }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let n = try? container.decode(Int.self) {
            self = .value(n)
            return
        }
        let text = try container.decode(String.self)
        if text == "x" {
            self = .withheld
        } else if text.hasPrefix("<"), let k = Int(text.dropFirst()) {
            self = .belowThreshold(k: k)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Expected a count, <k or x, found \(text)."))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if case .value(let n) = self { try container.encode(n) } else { try container.encode(description) }
    }
}

/// The rounding and threshold rule that turns a true count into a published one.
///
/// Rule: a count below k is shown as `<k`. Any other count is rounded to the nearest multiple of
/// the base, halves upwards (base 5: 12 → 10, 13 → 15; base 10: 15 → 20), and never below the
/// smallest multiple of the base that is at least k, so every shown number is ≥ k.
public struct PublicationRule: Hashable, Sendable {
    public let k: Int
    public let base: Int

    public init(k: Int, base: Int) {
        precondition(k >= 1 && base >= 1)
        self.k = k
        self.base = base
    }

    /// The published form of a true (or noisy) count.
    public func publish(_ count: Int) -> PublishedCount {
        count < k ? .belowThreshold(k: k) : .value(rounded(count))
    }

    /// The shown number for a count of at least k.
    public func rounded(_ count: Int) -> Int {
        let nearest = (count + base / 2) / base * base
        let floor = (k + base - 1) / base * base
        return max(nearest, floor)
    }

    /// Every true count that would be published as `count`: what a reader learns from it.
    ///
    /// The upper end of a `.withheld` count is `FeasibilityAudit.unbounded`.
    public func preimage(of count: PublishedCount) -> ClosedRange<Int> {
        switch count {
        case .belowThreshold: return 0...(k - 1)
        case .withheld: return k...FeasibilityAudit.unbounded
        case .value(let shown):
            // `rounded` is non-decreasing, so its preimage is an interval around `shown`.
            var lo = max(k, shown - base)
            while lo <= shown + base, rounded(lo) != shown { lo += 1 }
            var hi = shown + base
            while hi >= lo, rounded(hi) != shown { hi -= 1 }
            return lo...max(lo, hi)
        }
    }
}
