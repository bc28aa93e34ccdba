import Foundation
import Testing

@testable import CasesCore

@Suite struct DiscreteLaplaceTests {
    @Test func probabilityOfZeroIsTanhOfHalfEpsilon() {
        #expect(abs(DiscreteLaplace.probability(of: 0, epsilon: 1) - 0.46212) < 0.000005)
        for e in [0.1, 0.5, 1.0, 2.0] {
            #expect(abs(DiscreteLaplace.probability(of: 0, epsilon: e) - tanh(e / 2)) < 1e-12)
            let mass = (-2000...2000).reduce(0.0) { $0 + DiscreteLaplace.probability(of: $1, epsilon: e) }
            #expect(abs(mass - 1) < 1e-9)
        }
    }

    /// 100,000 draws per ε against the exact probabilities, bin by bin.
    ///
    /// Bins: each value in −B…B, plus the two tails. For one bin with probability p, the empirical
    /// frequency of n independent draws deviates from p by t or more with probability at most
    /// 2·exp(−2nt²) (Hoeffding). With n = 100,000 and t = 0.0105 that is 2·e^−22.05 ≈ 5.3e−10
    /// per bin; over at most 3 × 25 = 75 bins the whole test fails by chance with probability
    /// below 4e−8, well under one in a million. A sampler with the wrong ε (say 0.55 for 0.5)
    /// moves P(0) by more than 0.02 and is caught.
    @Test(arguments: ["0.1", "0.5", "1"])
    func drawsFollowTheExactDistribution(epsilonText: String) throws {
        let epsilon = try ExactRational(decimal: epsilonText)
        let e = Double(epsilon.numerator) / Double(epsilon.denominator)
        let n = 100_000
        let b = 11
        var counts: [Int: Int] = [:]
        for _ in 0..<n { counts[DiscreteLaplace.sample(epsilon: epsilon), default: 0] += 1 }
        let tolerance = 0.0105
        for x in -b...b {
            let observed = Double(counts[x, default: 0]) / Double(n)
            let expected = DiscreteLaplace.probability(of: x, epsilon: e)
            #expect(abs(observed - expected) < tolerance, "P(\(x)) for ε = \(epsilonText): \(observed) vs \(expected)")
        }
        let tail = (b + 1)..<100_000
        let q = exp(-e)
        // P(X > B) = tanh(ε/2)·q^(B+1)/(1 − q) = q^(B+1)/(1 + q).
        let expectedTail = pow(q, Double(b + 1)) / (1 + q)
        let upper = Double(counts.filter { tail.contains($0.key) }.values.reduce(0, +)) / Double(n)
        let lower = Double(counts.filter { tail.contains(-$0.key) }.values.reduce(0, +)) / Double(n)
        #expect(abs(upper - expectedTail) < tolerance)
        #expect(abs(lower - expectedTail) < tolerance)
        #expect(counts.values.reduce(0, +) == n)
    }

    @Test func bernoulliOfExpMatchesItsProbability() {
        // 40,000 draws of Bernoulli(e^−3/2); Hoeffding with t = 0.0185: 2·e^−27.4 < 1e−11.
        let n = 40_000
        let hits = (0..<n).filter { _ in DiscreteLaplace.bernoulliExp(numerator: 3, denominator: 2) }.count
        #expect(abs(Double(hits) / Double(n) - exp(-1.5)) < 0.0185)
    }

    @Test func uniformHandlesBoundsBeyondThirtyTwoBits() {
        let bound = 1 << 40
        for _ in 0..<1000 { #expect((0..<bound).contains(DiscreteLaplace.uniform(below: bound))) }
        #expect(DiscreteLaplace.uniform(below: 1) == 0)
    }
}
