import ArgumentParser
import CasesCore
import Foundation

/// `cases-bench fill --mib N --vault PATH --passphrase-file F`: a vault of at least N MiB of
/// sealed cases (long notes), for Benchmarks/backup.sh.
struct Fill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill a vault (new or existing) with invented cases until its file is at least --mib MiB."
    )

    @Option(help: "The least size of the vault file, in MiB.") var mib = 1024
    @Option(help: "The vault file; made with the interactive KDF profile if it does not exist.") var vault: String
    @Option(help: "A file whose first line is the vault passphrase.") var passphraseFile: String

    func run() throws {
        let pass = try SecretInput.firstLine(ofFile: passphraseFile)
        let unlocked: UnlockedVault =
            FileManager.default.fileExists(atPath: vault)
            ? try Vault.open(at: vault).unlock(passphrase: pass)
            : try Vault.create(at: vault, passphrase: pass, profile: .interactive).0
        let load = Caseload(vault: unlocked)
        let note = String(repeating: "Invented filler text for a benchmark vault. ", count: 1400) // ~60 KiB
        var written = 0
        var batch = 0
        while true {
            let attrs = try FileManager.default.attributesOfItem(atPath: vault)
            if (attrs[.size] as? Int ?? 0) >= mib << 20 { break }
            var docs: [OpenDocument] = []
            for i in 0..<500 {
                var d = OpenDocument(principal: Principal(fullName: "Filler \(batch) \(i)"))
                d.notes = note
                docs.append(d)
            }
            written += try load.open(docs).count
            batch += 1
        }
        print("filled \(vault): \(written) cases")
    }
}
