import ArgumentParser
import CasesCore
import Foundation

extension Key {
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new master key and seal every record again, so that old or removed passphrases open nothing written from now on.",
            discussion: """
                A removed or changed passphrase no longer opens this file, but it still opens any \
                copy made before (a backup, a synced folder, a seized image), and until now that \
                copy's key opened every later copy too. After a rotation the vault has a new \
                master key: old copies stay as readable as they were, but nothing written after \
                the rotation opens with them.

                A passphrase slot can only be rewrapped by someone who knows its passphrase. So \
                the rotation keeps the slot you unlock with (same passphrase, label and cost), \
                replaces the recovery code with a new one (printed once; the old code opens \
                nothing new), and removes every other slot: each of those caseworkers is added \
                again with `cases key add`. Their past events keep their names.

                It needs the vault to itself: close any `cases shell` first. It is all or \
                nothing: if it is interrupted, the vault opens as before. It asks before starting \
                (type the vault's file name); --yes skips that for scripts. Run \
                `cases backup create` afterwards: earlier backups hold the old key.

                Examples:
                  cases key rotate
                  cases key rotate --yes --json > rotation.json   # the new recovery code is in it
                """
        )
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Do not ask for confirmation (for scripts).") var yes = false

        /// What the rotation will do, said before asking.
        static func warning(_ path: String, slots: [KeyslotInfo]) -> String {
            let others = slots.filter { !$0.inUse && $0.kind == "passphrase" }.map(\.display)
            return "This seals every record of \(path) again under a new key. Your slot keeps your passphrase; "
                + "the recovery code is replaced by a new one, printed once"
                + (others.isEmpty
                    ? "." : "; these slots are removed and must be added again with `cases key add`: \(others.joined(separator: ", ")).")
                + " Earlier backups keep the old key: make a new backup afterwards."
        }

        func run() throws {
            let session = Session(options: global)
            if session.options.recoveryFile != nil { throw KeyRotationError.unlockedWithRecoveryCode }
            if !yes && !Terminal.stdinIsTerminal { throw ConfirmationError.needed("Rotating the vault's key") }
            let (vault, passphrase) = try session.unlockKeepingPassphrase()
            if !yes {
                if !global.json { Terminal.message(Self.warning(session.vaultPath, slots: try vault.keyslots())) }
                try Confirmation.byFileName(
                    session.vaultPath, question: "Rotate?", action: "Rotating the vault's key", refused: "nothing was changed")
            }
            let bar = ProgressBar("rotate ", json: global.json, unit: "records")
            defer { bar.finish() }
            let outcome = try vault.rotateKey(passphrase: passphrase) { bar.update(Int64($0), Int64($1)) }
            bar.finish()
            for warning in outcome.warnings { Terminal.message("warning: \(warning)") }
            // Inside `cases shell` the session goes on under the new key; the old one opens nothing new.
            if let shell = Session.shell, shell.unlocked === vault { shell.unlocked = outcome.vault }
            let removed = outcome.removed.filter { $0.kind == "passphrase" }.map(\.display)
            try Output.recoveryCode(
                outcome.recoveryCode,
                json: global.json
                    ? ["rotated": true, "kept": Output.object(outcome.kept), "removed": outcome.removed.map { Output.object($0) }] : nil,
                before: "Rotated: every record is sealed under a new key. Your passphrase still opens the vault.\n\n"
                    + "New recovery code (shown once; write it on paper, keep it away from this laptop, destroy the old one):\n\n    ",
                after: "\n\n" + (removed.isEmpty ? "" : "Removed slots (add them again with `cases key add`): \(removed.joined(separator: ", ")).\n")
                    + "Make a new backup now: earlier backups open with the old passphrases and recovery code.\n")
        }
    }
}

extension KeyslotInfo {
    /// A slot as named to a caseworker: its label and id, or its id alone.
    var display: String { label.map { "\($0) (\(id))" } ?? id }
}
