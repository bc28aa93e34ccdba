import Foundation
import Testing

/// End-to-end: the real binary, a real vault file, real libsodium.
@Suite struct CLITests {
    static let assessment = #"{"assessment": {"level": "high", "likelihood": 4, "impact": 5, "review_on": "2021-04-01"}}"#
    static let destination = #"{"destination": {"country": "Georgia", "route": "visa_free"}}"#
    static let arrival = #"{"arrival": {"arrived_on": "2021-06-01", "country": "GE", "city": "Tbilisi"}}"#

    @Test func caseworkerWorkflowWithJSONOutput() throws {
        let cli = try CLIHarness()
        let initialised = try cli.run(["init", "--kdf", "interactive", "--json"])
        #expect(initialised.code == 0, "\(initialised.err)")
        let code = cli.json(initialised.out)["recovery_code"] as? String ?? ""
        #expect(code.count == 31 && code.split(separator: "-").count == 6)

        let opened = try cli.run(["open", "--input", "-", "--json"], stdin: CLIHarness.caseJSON())
        #expect(opened.code == 0, "\(opened.err)")
        let id = try #require(cli.json(opened.out)["id"] as? String)
        for doc in [Self.assessment, Self.destination, Self.arrival] {
            let r = try cli.run(["advance", id, "--input", "-"], stdin: doc)
            #expect(r.code == 0, "\(r.err)")
        }
        #expect(try cli.run(["note", id], stdin: "met at the airport").code == 0)
        #expect(try cli.run(["close", id, "--outcome", "settled"]).code == 0)

        let list = cli.json(try cli.run(["list", "--json"]).out)
        let rows = try #require(list["cases"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows[0]["id"] as? String == id)
        #expect(rows[0]["stage"] as? String == "closed")
        #expect(rows[0]["destination"] as? String == "GE")
        #expect(rows[0]["segment"] as? String == "journalist")

        let shown = try #require(cli.json(try cli.run(["show", id, "--json"]).out)["case"] as? [String: Any])
        #expect(shown["outcome"] as? String == "settled")
        #expect((shown["principal"] as? [String: Any])?["full_name"] as? String == "Pyotr Ivanov")
        #expect(shown["arrival"] is [String: Any])
        #expect((shown["assessments"] as? [Any])?.count == 1)

        let history = try #require(cli.json(try cli.run(["history", id, "--json"]).out)["events"] as? [[String: Any]])
        #expect(history.map { $0["kind"] as? String } == ["opened", "advanced", "advanced", "advanced", "noted", "closed"])
        #expect(history.map { $0["seq"] as? Int } == [1, 2, 3, 4, 5, 6])
        #expect(history.allSatisfy { ($0["actor"] as? String)?.count == 16 })

        let audit = try cli.run(["audit", "verify", "--json"])
        #expect(audit.code == 0)
        #expect(cli.json(audit.out)["ok"] as? Bool == true)
    }

    @Test func showOfAnOpenCaseHasExplicitNulls() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON()).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = try #require(cli.json(try cli.run(["show", id, "--json"]).out)["case"] as? [String: Any])
        #expect(shown["destination"] is NSNull)
        #expect(shown["arrival"] is NSNull)
        #expect(shown["outcome"] is NSNull)
        #expect(shown["stage"] as? String == "intake")
    }

    @Test func wrongPassphraseExits77AndChangesNoByte() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        _ = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON())
        let before = try Data(contentsOf: URL(fileURLWithPath: cli.vault))
        let wrong = cli.folder + "/wrong"
        try Data("not it\n".utf8).write(to: URL(fileURLWithPath: wrong))
        let r = try cli.run(["list", "--passphrase-file", wrong])
        #expect(r.code == 77)
        #expect(r.err.split(separator: "\n").count == 1)
        #expect(r.err.contains("passphrase"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.vault)) == before)
        let j = try cli.run(["list", "--passphrase-file", wrong, "--json"])
        let err = try #require(cli.json(j.err)["error"] as? [String: Any])
        #expect(err["code"] as? String == "auth")
        #expect(j.out.isEmpty)
    }

    @Test func exitCodesFollowTheContract() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["list"]).code == 66) // no vault yet
        try cli.initVault()
        #expect(try cli.run(["init", "--kdf", "interactive"]).code == 73)
        #expect(try cli.run(["show", "0000-00000"]).code == 66)
        #expect(try cli.run(["show", "not-an-id"]).code == 66)
        #expect(try cli.run(["open", "--input", "-"], stdin: "{\"principal\": ").code == 65)
        #expect(try cli.run(["open", "--input", cli.folder + "/missing.json"]).code == 66)
        #expect(try cli.run(["open"], stdin: "").code == 65) // not a terminal, nothing given: an error, not a hang
        #expect(try cli.run(["list", "--no-such-flag"]).code == 64)
        #expect(try cli.run(["frobnicate"]).code == 64)
        #expect(try cli.run(["close", "0000-00000", "--outcome", "vanished"]).code == 64)

        var doc = CLIHarness.caseJSON()
        doc = doc.replacingOccurrences(of: #""consent": {"given_on": "2021-03-02", "channel": "signal Ivanov"}"#, with: #""languages2": []"#)
        let id = try cli.run(["open", "--input", "-"], stdin: doc).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let gate = try cli.run(["advance", id, "--input", "-"], stdin: Self.assessment)
        #expect(gate.code == 65)
        #expect(gate.err.contains("principal.consent.given_on"))
        let still = cli.json(try cli.run(["show", id, "--json"]).out)["case"] as? [String: Any]
        #expect(still?["stage"] as? String == "intake")
        #expect(still?["version"] as? Int == 1)
    }

    @Test func recoveryCodeUnlocksAndPassphraseChanges() throws {
        let cli = try CLIHarness()
        let r = try cli.run(["init", "--kdf", "interactive", "--json"])
        let code = try #require(cli.json(r.out)["recovery_code"] as? String)
        let codeFile = cli.folder + "/code"
        try Data((code.lowercased() + "\n").utf8).write(to: URL(fileURLWithPath: codeFile))
        #expect(try cli.run(["list", "--recovery-file", codeFile], passphrase: false).code == 0)

        let newPass = cli.folder + "/newpass"
        try Data("lantern quarry velvet oboe 17\n".utf8).write(to: URL(fileURLWithPath: newPass))
        #expect(try cli.run(["key", "passwd", "--kdf", "interactive", "--new-passphrase-file", newPass]).code == 0)
        #expect(try cli.run(["list"]).code == 77)
        #expect(try cli.run(["list", "--passphrase-file", newPass]).code == 0)
        let slots = cli.json(try cli.run(["key", "list", "--json", "--passphrase-file", newPass]).out)["keyslots"] as? [[String: Any]]
        #expect(slots?.count == 2)
    }

    @Test func vaultReadableByOthersIsRefusedWithAFix() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        chmod(cli.vault, 0o644)
        let r = try cli.run(["list"])
        #expect(r.code == 74)
        #expect(r.err.contains("chmod 600"))
    }

    @Test func canaryInEveryFieldIsInNoFileAndNoArgument() throws {
        let canary = "QZXCANARY"
        let cli = try CLIHarness()
        try cli.initVault()
        var argv: [[String]] = []
        func run(_ a: [String], _ stdin: String? = nil) throws -> CLIHarness.Result {
            argv.append(a)
            let r = try cli.run(a, stdin: stdin)
            #expect(r.code == 0, "\(a): \(r.err)")
            #expect(!r.err.contains(canary))
            return r
        }
        let id = try run(["open", "--input", "-"], CLIHarness.caseJSON(canary)).out.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try run(
            ["advance", id, "--input", "-"],
            #"{"assessment": {"level": "high", "likelihood": 4, "impact": 5, "threats": [{"actor": "a \#(canary)", "kind": "k \#(canary)", "evidence": "e \#(canary)"}], "vulnerabilities": "v \#(canary)", "capacities": "c \#(canary)", "urgency": "u \#(canary)"}}"#
        )
        _ = try run(["advance", id, "--input", "-"], #"{"destination": {"country": "GE", "route": "visa_free", "funding": "f \#(canary)"}}"#)
        _ = try run(
            ["advance", id, "--input", "-"],
            #"{"arrival": {"arrived_on": "2021-06-01", "country": "GE", "city": "Tbilisi \#(canary)", "legal_status": "s \#(canary)"}}"#)
        _ = try run(["note", id, "--input", "-"], "note \(canary)")
        _ = try run(["close", id, "--outcome", "settled"])
        #expect(try run(["show", id]).out.contains(canary)) // it is really there, sealed
        for f in cli.allFiles() {
            let data = FileManager.default.contents(atPath: f) ?? Data()
            #expect(data.range(of: Data(canary.utf8)) == nil, "\(f) holds the canary")
        }
        #expect(!argv.flatMap { $0 }.contains { $0.contains(canary) })
    }

    @Test func concurrentWritersLoseNothing() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON()).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let writers = 2, each = 6
        let lock = NSLock()
        let results = Box<[CLIHarness.Result?]>([])
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for i in 0..<each {
                let r = try? cli.run(["note", id, "--input", "-"], stdin: "writer \(w) note \(i)")
                lock.lock()
                results.value.append(r)
                lock.unlock()
            }
        }
        let acknowledged = results.value.filter { $0?.code == 0 }.count
        let busy = results.value.filter { $0?.code == 75 }.count
        let other = results.value.filter { $0?.code != 0 && $0?.code != 75 }.map { $0?.err ?? "spawn failed" }
        #expect(other.isEmpty, "\(other)")
        let shown = cli.json(try cli.run(["show", id, "--json"]).out)["case"] as? [String: Any]
        #expect((shown?["notes"] as? [Any])?.count == 1 + acknowledged)
        #expect(acknowledged + busy == writers * each)
        #expect(try cli.run(["audit", "verify"]).code == 0)
    }

    @Test func helpTeachesWithExamplesAndVersionPrints() throws {
        let cli = try CLIHarness()
        for cmd in ["open", "list", "show", "advance", "note", "close", "history", "init"] {
            let r = try cli.run([cmd, "--help"])
            #expect(r.code == 0)
            #expect(r.out.contains("Example"), "\(cmd) --help has no example")
        }
        #expect(try cli.run(["--version"]).out.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func shredNeedsConfirmationThenNothingOpensTheVault() throws {
        let cli = try CLIHarness()
        let made = try cli.run(["init", "--kdf", "interactive", "--json"])
        let codeFile = cli.folder + "/code"
        try Data(((cli.json(made.out)["recovery_code"] as? String ?? "") + "\n").utf8).write(to: URL(fileURLWithPath: codeFile))
        _ = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON())

        let unconfirmed = try cli.run(["shred"]) // stdin is not a terminal
        #expect(unconfirmed.code == 64)
        #expect(unconfirmed.err == "error: Shredding needs a confirmation: run it on a terminal, or pass --yes.\n")
        #expect(try cli.run(["list"]).code == 0, "nothing was shredded")

        let shredded = try cli.run(["shred", "--yes", "--json"])
        #expect(shredded.code == 0, "\(shredded.err)")
        #expect(cli.json(shredded.out)["shredded"] as? String == cli.vault)
        #expect(try cli.run(["list"]).code == 65)
        #expect(try cli.run(["list", "--recovery-file", codeFile]).code == 65)
        #expect(try cli.run(["shred", "--yes", "--delete"]).code == 0)
        #expect(!FileManager.default.fileExists(atPath: cli.vault))
        #expect(try cli.run(["list"]).code == 66)
        #expect(try cli.run(["shred", "--help"]).out.contains("Example"))
    }
}
