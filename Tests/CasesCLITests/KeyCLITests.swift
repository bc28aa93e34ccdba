import Foundation
import Testing

/// `cases key …` end to end: several caseworkers in one vault.
@Suite struct KeyCLITests {
    static func write(_ text: String, _ path: String) throws {
        try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func removingACaseworkersSlotKeepsTheirHistory() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let passB = cli.folder + "/passB"
        try Self.write("second caseworker passphrase quill 27", passB)
        let added = try cli.run(["key", "add", "--label", "caseworker B", "--kdf", "interactive", "--new-passphrase-file", passB, "--json"])
        #expect(added.code == 0, "\(added.err)")
        let slotB = try #require((cli.json(added.out)["keyslot"] as? [String: Any])?["id"] as? String)

        let opened = try cli.run(["open", "--input", "-", "--passphrase-file", passB], stdin: CLIHarness.caseJSON())
        #expect(opened.code == 0, "\(opened.err)")
        let id = opened.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.run(["note", id, "--input", "-"], stdin: "by the first caseworker").code == 0)
        #expect(try cli.run(["key", "remove", slotB]).code == 0)
        #expect(try cli.run(["list", "--passphrase-file", passB]).code == 77)

        let history = try cli.run(["history", id])
        #expect(history.code == 0, "\(history.err)")
        let rows = history.out.split(separator: "\n").map(String.init)
        #expect(rows.count == 3)
        #expect(rows[1].contains("caseworker B (removed slot)") && rows[1].contains("opened"), "\(history.out)")
        #expect(rows[2].contains("tester") && rows[2].contains("noted"), "\(history.out)")
        let events = try #require(cli.json(try cli.run(["history", id, "--json"]).out)["events"] as? [[String: Any]])
        #expect(events.map { $0["actor"] as? String } == [slotB, events[1]["actor"] as? String])
        #expect(events.map { $0["actor_label"] as? String } == ["caseworker B", "tester"])
        #expect(events.map { $0["actor_removed"] as? Bool } == [true, false])

        // audit verify: unchanged by default, who-did-what with --verbose.
        let plain = try cli.run(["audit", "verify"])
        #expect(plain.code == 0)
        #expect(plain.out == "Audit chain holds: 2 events, 1 cases, every record matches its events.\n")
        let verbose = try cli.run(["audit", "verify", "--verbose"])
        #expect(verbose.code == 0)
        let lines = verbose.out.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("SEQ"))
        #expect(
            lines[1].hasPrefix("1 ") && lines[1].contains(id) && lines[1].contains("opened") && lines[1].hasSuffix("caseworker B (removed slot)"),
            "\(verbose.out)")
        #expect(lines[2].hasPrefix("2 ") && lines[2].contains("noted") && lines[2].hasSuffix("tester"), "\(verbose.out)")
        #expect(lines.contains("caseworker B (removed slot): 1 event"))
        #expect(lines.last?.hasPrefix("Audit chain holds: 2 events") == true)

        let json = cli.json(try cli.run(["audit", "verify", "--json", "--verbose"]).out)
        #expect(json["ok"] as? Bool == true && json["events"] as? Int == 2)
        let log = try #require(json["log"] as? [[String: Any]])
        #expect(log.map { $0["actor_label"] as? String } == ["caseworker B", "tester"])
        #expect(log.map { $0["actor_removed"] as? Bool } == [true, false])
        #expect(log.map { $0["case"] as? String } == [id, id])
        let bySlot = try #require(json["by_slot"] as? [[String: Any]])
        #expect(bySlot.first { $0["actor"] as? String == slotB }?["events"] as? Int == 1)
        #expect(bySlot.first { $0["actor"] as? String == slotB }?["actor_removed"] as? Bool == true)
        #expect(cli.json(try cli.run(["audit", "verify", "--json"]).out)["log"] == nil)
    }

    // MARK: - Unlock policy

    static func wrongFile(_ cli: CLIHarness) throws -> String {
        let path = cli.folder + "/wrong"
        try write("not the passphrase", path)
        return path
    }

    @Test func unlockPolicyIsOffByDefaultAndNeedsConfirmationToSwitchOn() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let shown = try cli.run(["key", "policy"])
        #expect(shown.code == 0)
        #expect(shown.out.hasPrefix("Unlock policy off"))
        let json = cli.json(try cli.run(["key", "policy", "--json"]).out)["policy"] as? [String: Any]
        #expect(json?["shred_after"] is NSNull)
        #expect(json?["altered"] as? Bool == false)

        let unconfirmed = try cli.run(["key", "policy", "--shred-after", "3"]) // stdin is not a terminal
        #expect(unconfirmed.code == 64)
        #expect(unconfirmed.err.contains("copies the vault file"), "the warning comes first: \(unconfirmed.err)")
        #expect(unconfirmed.err.contains("needs a confirmation") && unconfirmed.err.contains("--yes"))
        for bad in [["--shred-after", "2", "--yes"], ["--shred-after", "3", "--off"], ["--shred-after", "many"]] {
            let r = try cli.run(["key", "policy"] + bad)
            #expect(r.code == 64, "\(bad): \(r.err)")
        }
        #expect(try cli.run(["key", "policy"]).out.hasPrefix("Unlock policy off"), "a refused switch changed nothing")

        let on = try cli.run(["key", "policy", "--shred-after", "3", "--yes", "--json"])
        #expect(on.code == 0, "\(on.err)")
        #expect(on.err.isEmpty)
        let doc = cli.json(on.out)
        #expect((doc["policy"] as? [String: Any])?["shred_after"] as? Int == 3)
        #expect((doc["warning"] as? String)?.contains("destroy this vault for good") == true)
        #expect(try cli.run(["key", "policy"]).out.hasPrefix("Unlock policy on: 3 wrong passphrases"))

        let off = try cli.run(["key", "policy", "--off"])
        #expect(off.code == 0 && off.out.hasPrefix("Unlock policy off"))
        let wrong = try Self.wrongFile(cli)
        for _ in 0..<4 { #expect(try cli.run(["list", "--passphrase-file", wrong]).code == 77) }
        #expect(try cli.run(["list"]).code == 0, "switched off, wrong passphrases shred nothing")

        let help = try cli.run(["key", "policy", "--help"])
        #expect(help.out.contains("Example") && help.out.contains("copies the vault file") && help.out.contains("--shred-after"))
    }

    @Test func twoWrongTriesThenTheRightOneResetTheCount() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        #expect(try cli.run(["key", "policy", "--shred-after", "3", "--yes"]).code == 0)
        let wrong = try Self.wrongFile(cli)
        let first = try cli.run(["list", "--passphrase-file", wrong])
        #expect(first.code == 77)
        #expect(
            first.err
                == "error: The passphrase does not open this vault, and 2 more wrong tries in a row will shred it (unlock policy); check it before trying again.\n"
        )
        let second = try cli.run(["list", "--passphrase-file", wrong])
        #expect(second.code == 77 && second.err.contains("1 more wrong try"))
        let right = try cli.run(["list"])
        #expect(right.code == 0)
        #expect(right.err.hasPrefix("warning: 2 wrong passphrases were tried on this vault since it was last opened.\n"))
        #expect(!(try cli.run(["list"]).err.contains("warning")), "said once")
        // Two more are two, not four.
        #expect(try cli.run(["list", "--passphrase-file", wrong]).code == 77)
        #expect(try cli.run(["list", "--passphrase-file", wrong]).code == 77)
        #expect(try cli.run(["list"]).code == 0)
    }

    @Test func theThirdWrongTryShredsTheVault() throws {
        let cli = try CLIHarness()
        let made = try cli.run(["init", "--kdf", "interactive", "--json"])
        let code = try #require(cli.json(made.out)["recovery_code"] as? String)
        let codeFile = cli.folder + "/code"
        try Self.write(code, codeFile)
        _ = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON())
        #expect(try cli.run(["key", "policy", "--shred-after", "3", "--yes"]).code == 0)
        let wrong = try Self.wrongFile(cli)
        for _ in 0..<2 { #expect(try cli.run(["list", "--passphrase-file", wrong]).code == 77) }
        let third = try cli.run(["list", "--passphrase-file", wrong, "--json"])
        #expect(third.code == 77)
        let error = try #require(cli.json(third.err)["error"] as? [String: Any])
        #expect(error["code"] as? String == "auth")
        #expect((error["message"] as? String)?.contains("has shredded it") == true)
        #expect(third.out.isEmpty)

        let right = try cli.run(["list"])
        #expect(right.code == 65, "\(right.err)")
        #expect(try cli.run(["list", "--recovery-file", codeFile]).code == 65)
        #expect(!FileManager.default.fileExists(atPath: cli.vault + "-wal"))
    }

    @Test func theShredMessageIsOneSentenceWithoutJSON() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        #expect(try cli.run(["key", "policy", "--shred-after", "3", "--yes"]).code == 0)
        let wrong = try Self.wrongFile(cli)
        for _ in 0..<2 { _ = try cli.run(["list", "--passphrase-file", wrong]) }
        let third = try cli.run(["list", "--passphrase-file", wrong])
        #expect(third.code == 77)
        #expect(
            third.err
                == "error: Wrong again: after 3 wrong tries in a row this vault's unlock policy has shredded it, and no passphrase or recovery code can open it any more.\n"
        )
    }
}
