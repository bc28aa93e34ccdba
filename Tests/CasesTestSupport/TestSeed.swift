import Foundation

/// The seed of a randomised test, so that any failing run can be replayed.
///
/// `CASES_TEST_SEED=N` replays seed N; `CASES_TEST_SEED=random` draws a new one (a kill test
/// then explores other moments on every run); otherwise the test's fixed default. The seed is
/// printed when the test starts and belongs in every failure message of the test.
public enum TestSeed {
    public static func value(for test: String, default fixed: UInt64) -> UInt64 {
        let asked = ProcessInfo.processInfo.environment["CASES_TEST_SEED"]
        let seed: UInt64 =
            switch asked {
            case "random": UInt64.random(in: 0...UInt64.max)
            case let text?: UInt64(text) ?? fixed
            case nil: fixed
            }
        print("\(test): seed \(seed) (CASES_TEST_SEED=\(seed) repeats it)")
        return seed
    }
}
