/// The kinds of failure a caller must tell apart; the command line maps each to one exit code
/// (docs/cli.md: sysexits) and to the `code` of its JSON error.
public enum FailureKind: String, Sendable {
    case usage
    case invalidInput = "invalid_input"
    case integrity
    case notFound = "not_found"
    case exists
    case io
    case busy
    case conflict
    case auth
    case budget
}

/// An error whose message is one plain sentence for a caseworker: what happened and what to do.
///
/// Messages never carry anything about a person: no names, no free text from a case, no
/// passphrase. They may carry a case id, a field name, a line number or a file path the user
/// typed.
public protocol CasesError: Error, CustomStringConvertible {
    var kind: FailureKind { get }
}

extension CasesError {
    public var localizedDescription: String { description }
}
