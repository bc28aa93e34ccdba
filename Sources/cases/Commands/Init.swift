import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Argon2Parameters.Profile: ExpressibleByArgument {}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new encrypted vault and print its recovery code once.",
        discussion: """
            Asks for a passphrase twice (or reads it from --passphrase-file), creates the vault \
            file 0600 in a 0700 folder, and prints a recovery code. Write the recovery code on \
            paper and keep it apart from the laptop: it is shown only this once, and it opens \
            the vault if every passphrase is lost.

            A passphrase that is easy to guess (under about 60 bits by zxcvbn's estimate) is \
            refused; five or more random words pass. The keyslot's name is asked on the \
            terminal unless --label or --label-file gives it.

            Example:
              cases init --kdf moderate
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Argon2id cost: interactive (fast, weak laptops), moderate (default) or sensitive (slow, strongest).")
    var kdf: Argon2Parameters.Profile = .moderate

    @OptionGroup var slotLabel: SlotLabelOptions
    @OptionGroup var strength: PassphraseStrengthOption

    func run() throws {
        let session = Session(options: global)
        let path = session.vaultPath
        if FileManager.default.fileExists(atPath: path) { throw VaultError.alreadyExists(path: path) }
        let label = try slotLabel.resolve()
        let passphrase = try Session.newPassphrase(
            file: global.passphraseFile ?? ProcessInfo.processInfo.environment["CASES_PASSPHRASE_FILE"],
            what: "vault passphrase", refuseWeak: !strength.acceptWeakPassphrase)
        let (unlocked, code) = try Vault.create(
            at: path, passphrase: passphrase, profile: kdf, label: label,
            acceptWeakPassphrase: strength.acceptWeakPassphrase, anchorFolder: session.stateFolder)
        let slots = try unlocked.keyslots()
        try Output.recoveryCode(
            code, json: global.json ? ["vault": path, "kdf": kdf.rawValue, "keyslots": slots.map { Output.object($0) }] : nil,
            before: "Created \(path)\n\nRecovery code (shown once; write it on paper and keep it away from this laptop):\n\n    ",
            after: "\n\nIt unlocks the vault with --recovery-file if every passphrase is lost.\n")
    }
}
