import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation

/// Where a keyslot's label comes from: `--label`, `--label-file`, or a question on the terminal.
///
/// The label is sealed in the vault, but a command line is not: the shell keeps it in its
/// history file and other users may see it in the process list. So the prompt is the default,
/// and `--label` is for scripts, with a pseudonym.
struct SlotLabelOptions: ParsableArguments {
    static let argvWarning = "The command line is kept in your shell's history, so use initials or a pseudonym here, or leave it out to be asked."

    @Option(help: ArgumentHelp("A name for the keyslot, shown in `cases key list` and the history. \(argvWarning)", valueName: "name"))
    var label: String?

    @Option(help: ArgumentHelp("Read the keyslot's name from the first line of this file.", valueName: "path"))
    var labelFile: String?

    func validate() throws {
        if label != nil && labelFile != nil { throw ValidationError("Give either --label or --label-file, not both.") }
    }

    /// The label: from the option, the file, or asked on the terminal; nil when none is given
    /// (stdin not a terminal, or Enter at the question).
    func resolve() throws -> String? { try Self.resolve(label: label, file: labelFile) }

    static func resolve(label: String?, file: String?) throws -> String? {
        if let label { return cleaned(label) }
        if let file {
            guard FileManager.default.fileExists(atPath: file) else { throw InputFileError.missing(file) }
            guard let data = FileManager.default.contents(atPath: file) else { throw InputFileError.unreadable(file) }
            let first = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return cleaned(String(first))
        }
        guard Terminal.stdinIsTerminal else { return nil }
        guard let typed = try Terminal.ask("A name for this keyslot, shown in `cases key list` (initials or a pseudonym; Enter for none): ") else {
            return nil
        }
        return cleaned(typed)
    }

    private static func cleaned(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }
}
