import Foundation
import Testing

/// Waiting on a condition instead of sleeping a fixed time: as short as the machine allows, and
/// a recorded failure, not a silent carry-on, when the condition never comes.
public enum Wait {
    /// Polls `condition` every 10 ms until it holds; after `timeout` seconds records a failure
    /// naming `what` and returns false.
    @discardableResult
    public static func until(
        _ what: @autoclosure () -> String, timeout: Double = 20,
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool
    ) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("waited \(timeout) s for \(what())", sourceLocation: sourceLocation)
                return false
            }
            usleep(10_000)
        }
        return true
    }
}
