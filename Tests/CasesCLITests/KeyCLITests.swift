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
        try Self.write("second caseworker passphrase", passB)
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
        #expect(lines[1].hasPrefix("1 ") && lines[1].contains(id) && lines[1].contains("opened") && lines[1].hasSuffix("caseworker B (removed slot)"), "\(verbose.out)")
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
}
