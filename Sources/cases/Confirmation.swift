import CasesCore
import Foundation

/// "Type the vault's file name to confirm", for the commands that can destroy a vault for good.
///
/// Typing a name (not `y`) cannot be done by reflex, and names which vault is meant when a
/// caseworker keeps more than one.
enum Confirmation {
    /// Returns once the vault's file name was typed on a terminal; `action` names what needs it
    /// ("Shredding") and `refused` what then did not happen ("nothing was shredded").
    static func byFileName(_ path: String, question: String, action: String, refused: String) throws {
        guard Terminal.stdinIsTerminal else { throw ConfirmationError.needed(action) }
        let name = (path as NSString).lastPathComponent
        let answer = try Terminal.ask("\(question) Type the vault's file name (\(name)) to confirm: ")
        guard answer?.trimmingCharacters(in: .whitespaces) == name else { throw ConfirmationError.refused(refused) }
    }
}

enum ConfirmationError: CasesError {
    case needed(String)
    case refused(String)

    var kind: FailureKind { .usage }
    var description: String {
        switch self {
        case .needed(let action): "\(action) needs a confirmation: run it on a terminal, or pass --yes."
        case .refused(let what): "Not confirmed; \(what)."
        }
    }
}
