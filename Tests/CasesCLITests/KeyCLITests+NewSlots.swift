import Foundation
import Testing

/// New passphrases and keyslot names end to end: weak passphrases refused (exit 65) unless
/// kept on purpose, which the audit log then lists; names from a file or a question, not argv.
extension KeyCLITests {
    static let weakSentence = "too easy to guess; use five or more words picked at random"

    @Test func initRefusesAWeakPassphraseWith65AndWritesNothing() throws {
        let cli = try CLIHarness()
        try Self.write("short", cli.passFile)
        let r = try cli.run(["init", "--kdf", "interactive"])
        #expect(r.code == 65)
        #expect(r.err.contains(Self.weakSentence), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: cli.vault))
        try Self.write("correct horse battery staple 42", cli.passFile)
        #expect(try cli.run(["init", "--kdf", "interactive"]).code == 0)
    }

    @Test func keyAddAndPasswdRefuseAWeakPassphraseAndChangeNoSlot() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let weak = cli.folder + "/weak"
        try Self.write("second caseworker", weak)
        let before = try cli.run(["key", "list", "--json"]).out
        for args in [["key", "add", "--label", "B"], ["key", "passwd"]] {
            let r = try cli.run(args + ["--kdf", "interactive", "--new-passphrase-file", weak])
            #expect(r.code == 65, "\(args): \(r.err)")
            #expect(r.err.contains(Self.weakSentence), "\(r.err)")
        }
        #expect(try cli.run(["key", "list", "--json"]).out == before)
        #expect(try cli.run(["list", "--passphrase-file", weak]).code == 77)
    }

    @Test func aWeakPassphraseKeptOnPurposeIsListedByAuditVerify() throws {
        let cli = try CLIHarness()
        try Self.write("short", cli.passFile)
        let made = try cli.run(["init", "--kdf", "interactive", "--label", "tester", "--accept-weak-passphrase", "--json"])
        #expect(made.code == 0, "\(made.err)")
        let slot = try #require(
            (cli.json(made.out)["keyslots"] as? [[String: Any]])?.first { $0["kind"] as? String == "passphrase" }?["id"] as? String)
        let weak = cli.folder + "/weak"
        try Self.write("second", weak)
        let added = try cli.run([
            "key", "add", "--label", "B", "--kdf", "interactive", "--new-passphrase-file", weak, "--accept-weak-passphrase", "--json",
        ])
        #expect(added.code == 0, "\(added.err)")
        let slotB = try #require((cli.json(added.out)["keyslot"] as? [String: Any])?["id"] as? String)

        let audit = try cli.run(["audit", "verify", "--verbose", "--json"])
        #expect(audit.code == 0, "\(audit.err)")
        let log = try #require(cli.json(audit.out)["log"] as? [[String: Any]])
        #expect(log.map { $0["kind"] as? String } == ["weak_passphrase_accepted", "weak_passphrase_accepted"])
        #expect(log.map { $0["case"] as? String } == ["vault", "vault"])
        #expect(log.map { $0["keyslot"] as? String } == [slot, slotB])
        let text = try cli.run(["audit", "verify", "--verbose"])
        #expect(text.out.contains("weak_passphrase_accepted (B)"), "\(text.out)")
        #expect(text.out.contains("Audit chain holds: 2 events, 0 cases"), "\(text.out)")
    }

    @Test func theLabelHelpSaysArgvIsKeptInShellHistory() throws {
        let cli = try CLIHarness()
        for args in [["init", "--help"], ["key", "add", "--help"], ["key", "rename", "--help"]] {
            let help = try cli.run(args).out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.contains("shell's history"), "\(args): \(help)")
        }
    }

    @Test func aLabelComesFromAFileAndRenameChangesIt() throws {
        let cli = try CLIHarness()
        let name = cli.folder + "/name"
        try Self.write("  fox  ", name)
        #expect(try cli.run(["init", "--kdf", "interactive", "--label-file", name]).code == 0)
        let slots = try #require(cli.json(try cli.run(["key", "list", "--json"]).out)["keyslots"] as? [[String: Any]])
        let mine = try #require(slots.first { $0["kind"] as? String == "passphrase" })
        #expect(mine["label"] as? String == "fox")
        let id = try #require(mine["id"] as? String)
        try Self.write("badger", name)
        #expect(try cli.run(["key", "rename", id, "--label-file", name]).code == 0)
        #expect(try cli.run(["key", "list"]).out.contains("badger"))
        #expect(try cli.run(["key", "rename", id, "otter"]).code == 0)
        #expect(try cli.run(["key", "list"]).out.contains("otter"))
        #expect(try cli.run(["key", "rename", "0000000000000000", "otter"]).code == 66)
        #expect(try cli.run(["key", "rename", id, "otter", "--label-file", name]).code == 64)
    }

    /// Without --label, `init` on a terminal asks for the name, so it never has to be typed
    /// where the shell keeps it.
    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func onATerminalInitAsksForTheLabel() throws {
        let cli = try CLIHarness()
        let r = try ShellTests.shell(
            cli, ["--kdf", "interactive"], terminal: true, command: "init",
            [
                .waitFor("A name for this keyslot"),
                .keys("heron\r"),
                .waitFor("Recovery code"),
            ])
        #expect(r.code == 0, "\(r.out)")
        let slots = cli.json(try cli.run(["key", "list", "--json"]).out)["keyslots"] as? [[String: Any]] ?? []
        #expect(slots.contains { $0["label"] as? String == "heron" }, "\(slots)")
    }
}
