import AgeFormat
import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encrypted backups in the age v1 format, which headquarters can open with the standard `age` tool.",
        discussion: """
            A backup is a consistent snapshot of the vault (its records still sealed under the \
            vault's key) encrypted to the organisation's age recipients or to a backup \
            passphrase. Even without this program, `age -d -i key.txt backup.age > vault.cases` \
            gives back the vault file.
            """,
        subcommands: [Create.self, Verify.self, Restore.self, Decrypt.self, Keygen.self]
    )

    /// Where a backup's decryption key comes from: an identity file or a backup passphrase.
    struct IdentityOptions: ParsableArguments {
        @Option(help: ArgumentHelp("An age identity file (age-keygen format, comments allowed). Repeatable.", valueName: "file"))
        var identity: [String] = []

        @Option(
            help: ArgumentHelp("Read the backup's passphrase from the first line of this file (never the vault's passphrase).", valueName: "file"))
        var backupPassphraseFile: String?

        func identities(for file: String) throws -> [AgeIdentity] {
            var out: [AgeIdentity] = []
            for path in identity {
                guard FileManager.default.fileExists(atPath: path) else { throw StorageError.missing(path) }
                let secret = try SecretInput.contents(ofFile: path)
                do {
                    out += try AgeX25519Identity.parseIdentityFile(secret).map { .x25519($0) }
                } catch let e as AgeError { throw BackupError.age(e) }
            }
            if let p = backupPassphraseFile {
                out.append(.passphrase(try SecretInput.firstLine(ofFile: p)))
            } else if try out.isEmpty && VaultBackup.needsPassphrase(file: file) {
                out.append(.passphrase(try Terminal.readSecret(prompt: "Backup passphrase: ")))
            }
            guard !out.isEmpty else { throw BackupError.age(.identityRequired) }
            return out
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an age-encrypted backup of the vault.",
            discussion: """
                Needs no vault passphrase: the records inside stay sealed. The file appears only \
                when complete, and an existing file is never overwritten.

                Examples:
                  cases backup create --out vault-2021-06-01.age --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
                  cases backup create --out vault.age --recipients-file hq-recipients.txt --armor
                  cases backup create --out vault.age --passphrase --backup-passphrase-file backup-pass.txt
                """
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Where to write the backup.", valueName: "file")) var out: String
        @Option(help: ArgumentHelp("An age recipient (age1…). Repeatable.", valueName: "age1…")) var recipient: [String] = []
        @Option(help: ArgumentHelp("A file of age recipients, one a line; # comments and blank lines allowed.", valueName: "file"))
        var recipientsFile: String?
        @Flag(help: "Encrypt to a backup passphrase (scrypt) instead of recipients; asked on the terminal or read from --backup-passphrase-file.")
        var passphrase = false
        @Option(help: ArgumentHelp("The backup passphrase's file, with --passphrase.", valueName: "file"))
        var backupPassphraseFile: String?
        @Flag(help: "Write the PEM-style text form instead of binary.") var armor = false

        func validate() throws {
            if passphrase && (!recipient.isEmpty || recipientsFile != nil) {
                throw ValidationError("--passphrase cannot be combined with recipients: age allows a passphrase only on its own.")
            }
            if !passphrase && recipient.isEmpty && recipientsFile == nil {
                throw ValidationError("Name who can open the backup: --recipient age1…, --recipients-file FILE, or --passphrase.")
            }
        }

        func run() throws {
            var recipients: [AgeRecipient] = []
            do {
                recipients += try recipient.map { .x25519(try AgeX25519Recipient(parsing: $0)) }
                if let f = recipientsFile {
                    guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { throw StorageError.missing(f) }
                    recipients += try AgeX25519Recipient.parseRecipientsFile(text).map { .x25519($0) }
                }
            } catch let e as AgeError { throw BackupError.age(e) }
            if passphrase {
                let secret =
                    try backupPassphraseFile.map { try SecretInput.firstLine(ofFile: $0) }
                    ?? Session.newPassphrase(file: nil, what: "backup passphrase")
                recipients.append(.passphrase(secret))
            }
            let vault = try Session(options: global).open()
            let bar = ProgressBar("backup ", json: global.json)
            let summary = try VaultBackup.create(vault: vault, output: out, recipients: recipients, armor: armor, progress: bar.update)
            bar.finish()
            if global.json {
                Output.json(["backup": out, "bytes": summary.bytes])
            } else {
                Output.line("Wrote \(out) (\(summary.bytes) bytes of vault, encrypted).")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Authenticate every byte of a backup; writes nothing.",
            discussion: "Example:\n  cases backup verify vault.age --identity hq-key.txt"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The backup file.") var file: String
        @OptionGroup var keys: IdentityOptions

        func run() throws {
            let ids = try keys.identities(for: file)
            let bar = ProgressBar("verify ", json: global.json)
            let s = try VaultBackup.verify(file: file, identities: ids, progress: bar.update)
            bar.finish()
            if global.json {
                Output.json(["ok": true, "bytes": s.bytes])
            } else {
                Output.line("\(file) is intact: \(s.bytes) bytes of vault, every chunk authenticated.")
            }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a backup, then build a new vault from it at --to.",
            discussion: """
                Decrypts into a temporary file beside PATH, checks SQLite's integrity, unlocks the \
                vault inside with its own passphrase (or --recovery-file), opens every sealed record \
                and walks the audit chain; only then does the vault appear at PATH. Never overwrites. \
                If it is killed, that temporary file is left; `cases shred --vault PATH`, or the \
                next open of a vault in that folder, overwrites and removes it.

                Example:
                  cases backup restore vault.age --to ~/restored/vault.cases --identity hq-key.txt
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The backup file.") var file: String
        @Option(help: ArgumentHelp("Where the restored vault goes; must not exist.", valueName: "path")) var to: String
        @OptionGroup var keys: IdentityOptions

        func run() throws {
            if FileManager.default.fileExists(atPath: to) { throw StorageError.exists(to) }
            let ids = try keys.identities(for: file)
            let session = Session(options: global)
            let bar = ProgressBar("restore", json: global.json)
            let s = try VaultBackup.restore(
                file: file, to: to, identities: ids, anchorFolder: session.stateFolder,
                unlock: { try session.unlock($0) }, progress: bar.update)
            bar.finish()
            if global.json {
                Output.json([
                    "vault": to, "cases": s.cases ?? 0, "events": s.events ?? 0,
                    "older_than_record": s.behindRecord.map { $0.description } ?? NSNull(),
                ])
            } else {
                Output.line("Restored \(s.cases ?? 0) cases and \(s.events ?? 0) events to \(to); every record opened and the audit chain holds.")
                if let behind = s.behindRecord {
                    Terminal.message(
                        "note: this backup is older than this laptop's record of the vault (\(behind)). cases will not change it or publish from it until you accept it with `cases audit accept-rollback --vault \(to)`."
                    )
                }
            }
        }
    }

    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plain age decryption of any age file, binary or armored.",
            discussion:
                "The way out if this tool is ever gone is the standard `age -d`; this is the same, built in.\n\nExample:\n  cases backup decrypt vault.age --out vault.cases --identity hq-key.txt"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The age file.") var file: String
        @Option(help: ArgumentHelp("Where to write the plaintext; must not exist.", valueName: "path")) var out: String
        @OptionGroup var keys: IdentityOptions

        func run() throws {
            let ids = try keys.identities(for: file)
            let bar = ProgressBar("decrypt", json: global.json)
            let n = try VaultBackup.decrypt(file: file, output: out, identities: ids, progress: bar.update)
            bar.finish()
            if global.json { Output.json(["out": out, "bytes": n]) } else { Output.line("Wrote \(out) (\(n) bytes).") }
        }
    }

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an age identity for headquarters and print its recipient.",
            discussion:
                "Keep the identity file off the laptops; give caseworkers only the age1… recipient.\n\nExample:\n  cases backup keygen --out hq-key.txt"
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Where to write the identity file (0600); must not exist.", valueName: "file")) var out: String

        func run() throws {
            let id = try AgeX25519Identity.generate()
            let file = try id.identityFile(created: nil)
            try NewFile.write(file, to: out)
            if global.json {
                Output.json(["identity_file": out, "recipient": id.recipient.description])
            } else {
                Output.line("Wrote \(out). Its recipient (give this to caseworkers):\n\(id.recipient.description)")
            }
        }
    }
}
