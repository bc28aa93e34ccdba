import CasesCrypto

/// Exact sampling of the discrete Laplace (two-sided geometric) distribution,
/// P(x) ∝ exp(−ε·|x|) on the integers, from libsodium's CSPRNG.
///
/// Follows Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy"
/// (NeurIPS 2020), Algorithm 1 (Bernoulli(exp(−γ)) for rational γ) and Algorithm 2 (discrete
/// Laplace with scale t/s). Only integer arithmetic and `Random.uniform` are used: floating-point
/// samplers leak through the gaps in their output (Mironov 2012), and there is no seed to pass.
public enum DiscreteLaplace {
    /// One draw with privacy parameter `epsilon` = s/t: P(x) = tanh(ε/2)·exp(−ε|x|).
    public static func sample(epsilon: ExactRational) -> Int {
        precondition(epsilon > .zero, "ε must be positive")
        let s = epsilon.numerator
        let t = epsilon.denominator
        while true {
            // U uniform in [0, t), kept with probability exp(−U/t): the fractional part of |x|·t.
            let u = uniform(below: t)
            guard bernoulliExp(numerator: u, denominator: t) else { continue }
            // V ~ Geometric(1 − exp(−1)): the whole part.
            var v = 0
            while bernoulliExp(numerator: 1, denominator: 1) { v += 1 }
            let x = u + t * v
            let y = x / s
            let negative = bernoulli(numerator: 1, denominator: 2)
            // Zero would otherwise be counted twice, once for each sign.
            if negative && y == 0 { continue }
            return negative ? -y : y
        }
    }

    /// The exact probability of `x` under the mechanism, for tests and documentation:
    /// (1 − e^−ε)/(1 + e^−ε) · e^−ε|x|. Never used for sampling.
    public static func probability(of x: Int, epsilon: Double) -> Double {
        let q = exp(-epsilon)
        return (1 - q) / (1 + q) * pow(q, Double(Swift.abs(x)))
    }

    // MARK: - Bernoulli samplers

    /// Bernoulli(exp(−γ)) for γ = numerator/denominator ≥ 0 (CKS 2020, Algorithm 1).
    static func bernoulliExp(numerator: Int, denominator: Int) -> Bool {
        precondition(numerator >= 0 && denominator > 0)
        var gamma = numerator
        // exp(−γ) = exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)).
        while gamma > denominator {
            if !bernoulliExpAtMostOne(numerator: denominator, denominator: denominator) { return false }
            gamma -= denominator
        }
        return bernoulliExpAtMostOne(numerator: gamma, denominator: denominator)
    }

    /// Bernoulli(exp(−γ)) for γ ∈ [0, 1]: count K until Bernoulli(γ/K) fails; K odd means 1.
    private static func bernoulliExpAtMostOne(numerator: Int, denominator: Int) -> Bool {
        var k = 1
        while true {
            let (scaled, overflow) = denominator.multipliedReportingOverflow(by: k)
            // γ/K < 2^−62 for such K: the next trial fails with all but negligible probability,
            // and the loop already ran ~2^62/denominator times, which cannot happen in practice.
            if overflow { break }
            if !bernoulli(numerator: numerator, denominator: scaled) { break }
            k += 1
        }
        return k % 2 == 1
    }

    /// Bernoulli(numerator/denominator) for 0 ≤ numerator ≤ denominator.
    static func bernoulli(numerator: Int, denominator: Int) -> Bool {
        uniform(below: denominator) < numerator
    }

    /// A uniform integer in [0, bound) from `Random.uniform`, for any positive `bound`.
    static func uniform(below bound: Int) -> Int {
        precondition(bound > 0)
        if bound <= Int(UInt32.max) { return Int(Random.uniform(UInt32(bound))) }
        // Wider bounds: 62 random bits from four 16-bit draws, then rejection (no modulo bias).
        let limit = (UInt64(1) << 62) / UInt64(bound) * UInt64(bound)
        while true {
            var r: UInt64 = 0
            for _ in 0..<4 { r = (r << 16) | UInt64(Random.uniform(1 << 16)) }
            r &= (UInt64(1) << 62) - 1
            if r < limit { return Int(r % UInt64(bound)) }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
