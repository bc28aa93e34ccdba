import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation

@main
struct Cases: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "An encrypted, local-first case manager for people leaving persecution.",
        discussion: """
            Every case is sealed in an encrypted vault on this computer. Move each person \
            through intake → risk_assessment → destination → arrival, then close the case.

            Start with `cases init`, then `cases open`. Case details never go on the command \
            line: they come from prompts, $EDITOR, or a JSON document (--input FILE or -).
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, Open.self, List.self, Show.self, Advance.self, Assess.self, Note.self, Close.self,
            History.self, Due.self, Checkin.self, Import.self, Stats.self, Backup.self, Key.self, Audit.self, Shred.self, Shell.self, Demo.self,
        ]
    )

    /// Hardens the process, runs the command, and maps every error to one sentence and its
    /// docs/cli.md exit code.
    static func main() {
        ProcessHardening.apply()
        EditorDraft.sweepStale()
        let json = CommandLine.arguments.contains("--json")
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any CasesError {
            Foundation.exit(Output.report(error, json: json))
        } catch {
            exit(withError: error)
        }
    }
}
