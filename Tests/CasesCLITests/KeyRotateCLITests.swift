import CasesTestSupport
import Foundation
import Testing

/// `cases key rotate` end to end: it asks first, refuses a script that did not say --yes, and
/// leaves a vault that the kept passphrase and the new recovery code open and nothing else.
@Suite(.serialized, .tags(.slow)) struct KeyRotateCLITests {
    /// A vault with the harness passphrase, a second caseworker's slot and a few cases; the
    /// recovery code's file.
    static func vault(_ cli: CLIHarness) throws -> (recoveryFile: String, secondFile: String) {
        let made = try cli.run(["init", "--kdf", "interactive", "--label", "tester", "--json"])
        #expect(made.code == 0, "\(made.err)")
        let recoveryFile = cli.folder + "/recovery", secondFile = cli.folder + "/second"
        try Data(((cli.json(made.out)["recovery_code"] as? String ?? "") + "\n").utf8).write(to: URL(fileURLWithPath: recoveryFile))
        try Data("second caseworker horse battery 7\n".utf8).write(to: URL(fileURLWithPath: secondFile))
        let added = try cli.run(["key", "add", "--kdf", "interactive", "--label", "B", "--new-passphrase-file", secondFile])
        #expect(added.code == 0, "\(added.err)")
        for n in 0..<3 { #expect(try cli.run(["open"], stdin: CLIHarness.caseJSON("Rotate\(n)")).code == 0) }
        return (recoveryFile, secondFile)
    }

    @Test func withoutATerminalOrYesItRefusesAndChangesNothing() throws {
        let cli = try CLIHarness()
        _ = try Self.vault(cli)
        let before = FileManager.default.contents(atPath: cli.vault)
        let r = try cli.run(["key", "rotate"])
        #expect(r.code == 64)
        #expect(r.err.contains("--yes"), "\(r.err)")
        #expect(FileManager.default.contents(atPath: cli.vault) == before)
    }

    @Test func withYesOnlyTheKeptPassphraseAndTheNewRecoveryCodeOpenIt() throws {
        let cli = try CLIHarness()
        let (oldRecovery, second) = try Self.vault(cli)
        let r = try cli.run(["key", "rotate", "--yes", "--json"])
        #expect(r.code == 0, "\(r.err)")
        let doc = cli.json(r.out)
        let code = try #require(doc["recovery_code"] as? String)
        let removed = (doc["removed"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }.sorted()
        #expect(removed == ["B", "recovery code"])
        let newRecovery = cli.folder + "/new-recovery"
        try Data((code + "\n").utf8).write(to: URL(fileURLWithPath: newRecovery))

        #expect(try cli.run(["audit", "verify"]).code == 0)
        // This laptop's record of the vault was written anew under the new key: nothing to warn about.
        let listed = try cli.run(["list"])
        #expect(listed.code == 0 && listed.err.isEmpty, "\(listed.err)")
        #expect(try cli.run(["list", "--json"]).out.components(separatedBy: "\"id\"").count - 1 == 3)
        #expect(try cli.run(["list", "--recovery-file", newRecovery]).code == 0)
        #expect(try cli.run(["list", "--recovery-file", oldRecovery]).code == 77)
        #expect(try cli.run(["list", "--passphrase-file", second], passphrase: false).code == 77)
        // The departed slots still name their events.
        let slots = try cli.run(["key", "list", "--json"]).out
        #expect(slots.components(separatedBy: "\"kind\"").count - 1 == 2, "\(slots)")
    }

    @Test func aRecoveryCodeSessionIsToldToUseAPassphrase() throws {
        let cli = try CLIHarness()
        let (oldRecovery, _) = try Self.vault(cli)
        let r = try cli.run(["key", "rotate", "--yes", "--recovery-file", oldRecovery])
        #expect(r.code == 65)
        #expect(r.err.contains("passphrase"), "\(r.err)")
    }

    @Test func removeAndPasswdSayARotationFinishesTheJob() throws {
        let cli = try CLIHarness()
        let (_, second) = try Self.vault(cli)
        let slots = try cli.run(["key", "list", "--json"]).out
        let ids = (cli.json(slots)["keyslots"] as? [[String: Any]] ?? []).filter { ($0["label"] as? String) == "B" }.compactMap {
            $0["id"] as? String
        }
        let removed = try cli.run(["key", "remove", try #require(ids.first)])
        #expect(removed.code == 0)
        #expect(removed.out.contains("cases key rotate"), "\(removed.out)")
        let changed = try cli.run(["key", "passwd", "--kdf", "interactive", "--new-passphrase-file", second])
        #expect(changed.code == 0)
        #expect(changed.out.contains("cases key rotate"), "\(changed.out)")
        #expect(try cli.run(["key", "rotate", "--help"]).out.contains("cases key add"))
    }

    /// On a pseudo-terminal (util-linux `script`): the question first, a progress bar, and a
    /// refusal that changes nothing.
    @Test func onATerminalItAsksFirstAndShowsProgress() throws {
        let cli = try CLIHarness()
        _ = try Self.vault(cli)
        let before = FileManager.default.contents(atPath: cli.vault)
        let refused = try Self.onTerminal(cli, ["key", "rotate"], typing: "no\n")
        #expect(refused.code == 64, "\(refused.out)")
        #expect(refused.out.contains("Rotate?"), "\(refused.out)")
        #expect(FileManager.default.contents(atPath: cli.vault) == before)

        let done = try Self.onTerminal(cli, ["key", "rotate"], typing: "vault.cases\n")
        #expect(done.code == 0, "\(done.out)")
        #expect(done.out.contains("\rrotate ") && done.out.contains(" records"), "no progress bar: \(done.out)")
        #expect(done.out.contains("New recovery code"), "\(done.out)")
        #expect(try cli.run(["audit", "verify"]).code == 0)
    }

    static func onTerminal(_ cli: CLIHarness, _ args: [String], typing: String) throws -> (code: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", ([CLIHarness.binary] + args).joined(separator: " "), "/dev/null"]
        var env = cli.environment
        env["NO_COLOR"] = nil
        env["TERM"] = "xterm"
        p.environment = env
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(typing.utf8))
        let out = output.fileHandleForReading.readDataToEndOfFile()
        try? input.fileHandleForWriting.close()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }
}
