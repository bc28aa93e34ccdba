import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the keyslots that open the vault.",
        discussion: """
            Each caseworker can have their own passphrase slot; the recovery code has its own. \
            Changing a passphrase rewrites one slot and never the data.
            """,
        subcommands: [ListSlots.self, Add.self, Remove.self, Passwd.self]
    )

    struct ListSlots: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List keyslots (after unlocking).",
                                                        discussion: "Example:\n  cases key list")
        @OptionGroup var global: GlobalOptions
        func run() throws {
            let slots = try Session(options: global).unlock().keyslots()
            if global.json {
                Output.json(["keyslots": slots.map { Output.object($0) }])
            } else {
                Table.print(header: ["SLOT", "KIND", "KDF", "LABEL"], rows: slots.map {
                    [$0.id, $0.kind, $0.profile, ($0.label ?? "-") + ($0.inUse ? "  (this session)" : "")]
                })
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a passphrase slot (for another caseworker, or a new passphrase).",
            discussion: "Unlocks with an existing passphrase, then asks for the new one twice.\n\nExample:\n  cases key add --label \"caseworker B\"")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var newSlot: NewSlotOptions
        @Option(help: ArgumentHelp("A name for the slot; initials or a pseudonym.", valueName: "name")) var label: String?
        func run() throws {
            let vault = try Session(options: global).unlock()
            let pass = try Session.newPassphrase(file: newSlot.newPassphraseFile, what: "passphrase for the new slot")
            let info = try vault.addKeyslot(passphrase: pass, profile: newSlot.kdf, label: label)
            if global.json { Output.json(["keyslot": Output.object(info)]) } else { Output.line("Added keyslot \(info.id).") }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a keyslot; the last one cannot be removed.",
            discussion: "The events that slot made stay in `history` and `audit verify`, under its label marked \"removed slot\". The slot itself is overwritten: its passphrase opens nothing any more.\n\nExample:\n  cases key remove 3f9a1c0d5e6b7a81")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The slot id from `cases key list`.") var slot: String
        func run() throws {
            try Session(options: global).unlock().removeKeyslot(id: slot)
            if global.json { Output.json(["removed": slot]) } else { Output.line("Removed keyslot \(slot).") }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the passphrase of the slot you unlock with.",
            discussion: "Rewrites that one keyslot; no case data is re-encrypted.\n\nExample:\n  cases key passwd")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var newSlot: NewSlotOptions
        func run() throws {
            let vault = try Session(options: global).unlock()
            let pass = try Session.newPassphrase(file: newSlot.newPassphraseFile, what: "passphrase")
            try vault.changePassphrase(to: pass, profile: newSlot.kdf)
            if global.json { Output.json(["changed": vault.actor]) } else { Output.line("Passphrase changed.") }
        }
    }
}

/// How a new or rewritten passphrase slot is made.
struct NewSlotOptions: ParsableArguments {
    @Option(help: "Argon2id cost of the slot: interactive, moderate or sensitive.") var kdf: Argon2Parameters.Profile = .moderate
    @Option(help: ArgumentHelp("Read the new passphrase from this file instead of the terminal.", valueName: "path"))
    var newPassphraseFile: String?
}
