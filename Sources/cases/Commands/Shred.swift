import ArgumentParser
import CasesCore
import Foundation

struct Shred: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Destroy every keyslot: the vault becomes unreadable noise, at once and for good.",
        discussion: """
            Overwrites the keyslots (and the write-ahead log) with random bytes in place, so no \
            passphrase and no recovery code can ever open this vault again. The keyslots go \
            first, so a shred cut short (power off, process killed) leaves no keyslot either. \
            Takes well under a second whatever the vault's size. Needs no passphrase. Files that \
            a killed backup, restore or init left beside the vault (.NAME.partial-…) are \
            overwritten and removed too, even when the vault itself is gone. Also removes this \
            laptop's record of the vault's last state (in the state folder).

            What it does not do: it cannot reach copies elsewhere (backups, synced folders, other \
            laptops), and on SSDs the drive may keep old copies of overwritten blocks where no \
            program can reach them — which is why the keys, not the data, are destroyed. \
            Destroying records may carry legal risk where you are; know it before you need it.

            Examples:
              cases shred            # asks you to type the vault's file name to confirm
              cases shred --yes --delete
            """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Do not ask for confirmation.") var yes = false
    @Flag(help: "Also delete the file afterwards.") var delete = false

    func run() throws {
        let session = Session(options: global)
        let path = session.vaultPath
        guard FileManager.default.fileExists(atPath: path) || VaultShredder.hasLeftovers(beside: path) else {
            throw VaultError.notFound(path: path)
        }
        if !yes {
            try Confirmation.byFileName(path, question: "This destroys \(path) for good.", action: "Shredding", refused: "nothing was shredded")
        }
        let report = try VaultShredder.shred(path: path, deleteFile: delete, anchorFolder: session.stateFolder)
        if global.json {
            Output.json([
                "shredded": path, "pages_overwritten": report.pagesOverwritten, "deleted": report.deleted,
                "leftovers_destroyed": report.leftoversDestroyed,
            ])
        } else {
            let leftovers =
                report.leftoversDestroyed == 0
                ? "" : " Also destroyed \(report.leftoversDestroyed) file(s) that a killed cases process had left beside it."
            if !report.vaultFound {
                Output.line(
                    "There is no vault at \(path); destroyed \(report.leftoversDestroyed) file(s) that a killed cases process had left beside where it would be."
                )
            } else {
                Output.line((delete ? "Shredded and deleted \(path)." : "Shredded \(path): no key can open it now.") + leftovers)
            }
        }
    }
}
