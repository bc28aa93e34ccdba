import ArgumentParser
import CasesCore

/// `cases-bench list --vault PATH --passphrase-file F`: what the CLI's list and statistics
/// figures are made of, in process after one unlock (no process start, no printing).
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time `list --stage arrival`, `list` and the statistics records on an existing vault (median of 5)."
    )

    @Option(help: "The vault file.") var vault: String
    @Option(help: "A file whose first line is the vault passphrase.") var passphraseFile: String

    func run() throws {
        let pass = try SecretInput.firstLine(ofFile: passphraseFile)
        var unlocked: UnlockedVault?
        let tUnlock = try Timing.seconds { unlocked = try Vault.open(at: vault).unlock(passphrase: pass) }
        guard let unlocked else { return }
        let load = Caseload(vault: unlocked)
        var shown = 0
        let tList = try Timing.median(5) { shown = try load.list(CaseFilter(stage: .arrival)).cases.count }
        let tAll = try Timing.median(5) { _ = try load.list() }
        let tRecords = try Timing.median(5) { _ = try load.statisticsRecords() }
        print(
            "unlock \(Timing.format(tUnlock)); list --stage arrival \(Timing.format(tList)) (\(shown)); list all \(Timing.format(tAll)); statistics records \(Timing.format(tRecords))"
        )
    }
}
