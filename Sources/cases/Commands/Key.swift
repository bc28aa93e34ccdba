import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the keyslots that open the vault.",
        discussion: """
            Each caseworker can have their own passphrase slot; the recovery code has its own. \
            Changing a passphrase rewrites one slot and never the data; `key rotate` makes a new \
            master key, so that old and removed passphrases open nothing written afterwards.
            """,
        subcommands: [ListSlots.self, Add.self, Remove.self, Passwd.self, Rotate.self, Rename.self, Policy.self]
    )

    struct ListSlots: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List keyslots (after unlocking).",
            discussion: "Example:\n  cases key list")
        @OptionGroup var global: GlobalOptions
        func run() throws {
            let slots = try Session(options: global).unlock().keyslots()
            if global.json {
                Output.json(["keyslots": slots.map { Output.object($0) }])
            } else {
                Table.print(
                    header: ["SLOT", "KIND", "KDF", "LABEL"],
                    rows: slots.map {
                        [$0.id, $0.kind, $0.profile, ($0.label ?? "-") + ($0.inUse ? "  (this session)" : "")]
                    })
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a passphrase slot (for another caseworker, or a new passphrase).",
            discussion:
                "Unlocks with an existing passphrase, asks for the slot's name (unless --label or --label-file gives it), then for the new passphrase twice. A passphrase that is easy to guess is refused.\n\nExample:\n  cases key add"
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var newSlot: NewSlotOptions
        @OptionGroup var slotLabel: SlotLabelOptions
        func run() throws {
            let vault = try Session(options: global).unlock()
            let label = try slotLabel.resolve()
            let pass = try newSlot.newPassphrase(what: "passphrase for the new slot")
            let info = try vault.addKeyslot(passphrase: pass, profile: newSlot.kdf, label: label, acceptWeakPassphrase: newSlot.acceptWeak)
            if global.json { Output.json(["keyslot": Output.object(info)]) } else { Output.line("Added keyslot \(info.id).") }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a keyslot; the last one cannot be removed.",
            discussion:
                "The events that slot made stay in `history` and `audit verify`, under its label marked \"removed slot\". The slot itself is overwritten: its passphrase no longer opens this file. It still opens copies made before (backups, synced or seized copies), and with them every later copy, until `cases key rotate`.\n\nExample:\n  cases key remove 3f9a1c0d5e6b7a81\n  cases key rotate"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The slot id from `cases key list`.") var slot: String
        func run() throws {
            try Session(options: global).unlock().removeKeyslot(id: slot)
            if global.json {
                Output.json(["removed": slot, "note": Key.rotationNote])
            } else {
                Output.line("Removed keyslot \(slot). \(Key.rotationNote)")
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the passphrase of the slot you unlock with.",
            discussion:
                "Rewrites that one keyslot; no case data is re-encrypted. A passphrase that is easy to guess is refused. The old passphrase no longer opens this file, but it still opens copies made before, and with them every later copy, until `cases key rotate`.\n\nExample:\n  cases key passwd\n  cases key rotate"
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var newSlot: NewSlotOptions
        func run() throws {
            let vault = try Session(options: global).unlock()
            let pass = try newSlot.newPassphrase(what: "passphrase")
            try vault.changePassphrase(to: pass, profile: newSlot.kdf, acceptWeakPassphrase: newSlot.acceptWeak)
            if global.json {
                Output.json(["changed": vault.actor, "note": Key.rotationNote])
            } else {
                Output.line("Passphrase changed. \(Key.rotationNote)")
            }
        }
    }
}

extension Key {
    /// What `key remove` and `key passwd` leave undone.
    static let rotationNote =
        "A removed or changed passphrase still opens copies of the vault made before now (backups, synced or seized copies), "
        + "and with the key they hold, every later copy: run `cases key rotate` to finish the job."

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a keyslot's name.",
            discussion:
                "The name comes from LABEL, --label-file, or a question on the terminal. \(SlotLabelOptions.argvWarning)\n\nExample:\n  cases key rename 3f9a1c0d5e6b7a81 --label-file name.txt"
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The slot id from `cases key list`.") var slot: String
        @Argument(help: ArgumentHelp("The new name; initials or a pseudonym.", valueName: "label")) var label: String?
        @Option(help: ArgumentHelp("Read the new name from the first line of this file.", valueName: "path")) var labelFile: String?

        func validate() throws {
            if label != nil && labelFile != nil { throw ValidationError("Give either LABEL or --label-file, not both.") }
        }

        func run() throws {
            let vault = try Session(options: global).unlock()
            let name = try SlotLabelOptions.resolve(label: label, file: labelFile)
            try vault.renameKeyslot(id: slot, label: name)
            if global.json { Output.json(["renamed": slot]) } else { Output.line("Renamed keyslot \(slot).") }
        }
    }
}

extension Key {
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the unlock policy: shred the vault after N wrong passphrases in a row (off by default).",
            discussion: """
                With the policy on, every wrong passphrase or recovery code is counted (even a \
                try whose command was killed before it answered) and a right one resets the \
                count. The wrong try that reaches N shreds the vault at once, as `cases shred` \
                does: nothing can open it again, and the command exits 77.

                It stops someone trying passphrases on this laptop, at a border for example. It \
                does not stop anyone who copies the vault file first and guesses on another \
                computer. Your own typos count too: leave room for them (N is at least 3), and \
                keep a backup. The next unlock tells you how many wrong tries were made since \
                the last one, and whether the setting was changed outside cases.

                Examples:
                  cases key policy                      # show the current setting
                  cases key policy --shred-after 10     # warns, then asks you to confirm (--yes for scripts)
                  cases key policy --off
                """
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Shred after this many wrong passphrases in a row (3 to 1000).", valueName: "n"))
        var shredAfter: Int?
        @Flag(help: "Switch the policy off: wrong passphrases never shred the vault.") var off = false
        @Flag(help: "Do not ask for confirmation when switching it on.") var yes = false

        func validate() throws {
            if off && shredAfter != nil { throw ValidationError("Give either --shred-after N or --off, not both.") }
            if let n = shredAfter, !UnlockPolicy.allowed.contains(n) {
                throw ValidationError(
                    "--shred-after must be from \(UnlockPolicy.allowed.lowerBound) to \(UnlockPolicy.allowed.upperBound), so that a typo or two never destroys the vault."
                )
            }
        }

        static func warning(_ n: Int) -> String {
            "Warning: with this policy, \(n) wrong passphrases in a row destroy this vault for good; no passphrase, recovery code "
                + "or support can bring it back. It stops someone guessing on this laptop, not anyone who copies the vault file first. "
                + "Keep a backup."
        }

        func run() throws {
            let session = Session(options: global)
            let vault = try session.unlock()
            if let n = shredAfter {
                if !global.json { Terminal.message(Self.warning(n)) }
                if !yes {
                    try Confirmation.byFileName(
                        session.vaultPath, question: "Switch it on?", action: "Switching the shred policy on",
                        refused: "the policy was not changed")
                }
            }
            if shredAfter != nil || off { try vault.setUnlockPolicy(shredAfter: shredAfter) }
            let policy = try vault.unlockPolicy()
            if global.json {
                var doc: [String: Any] = [
                    "policy": [
                        "shred_after": policy.shredAfter ?? NSNull(), "altered": policy.altered,
                        "failures_before_unlock": vault.failedUnlocksBefore,
                    ] as [String: Any]
                ]
                if let n = shredAfter { doc["warning"] = Self.warning(n) }
                Output.json(doc)
            } else if let n = policy.shredAfter {
                Output.line("Unlock policy on: \(n) wrong passphrases in a row shred this vault.")
            } else {
                Output.line("Unlock policy off: wrong passphrases never shred this vault (`cases key policy --shred-after 10` switches it on).")
            }
        }
    }
}

/// How a new or rewritten passphrase slot is made.
struct NewSlotOptions: ParsableArguments {
    @Option(help: "Argon2id cost of the slot: interactive, moderate or sensitive.") var kdf: Argon2Parameters.Profile = .moderate
    @Option(help: ArgumentHelp("Read the new passphrase from this file instead of the terminal.", valueName: "path"))
    var newPassphraseFile: String?
    @OptionGroup var strength: PassphraseStrengthOption

    var acceptWeak: Bool { strength.acceptWeakPassphrase }

    /// The new slot's passphrase, from --new-passphrase-file or asked twice on the terminal;
    /// a weak one is refused there unless --accept-weak-passphrase (`key add` and `key passwd`).
    func newPassphrase(what: String) throws -> SecretBytes {
        try Session.newPassphrase(file: newPassphraseFile, what: what, refuseWeak: !acceptWeak)
    }
}
