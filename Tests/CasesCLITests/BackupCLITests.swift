import Foundation
import Testing

@Suite struct BackupCLITests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/age-keygen")))
    func backupRoundTripAndEveryRefusalHasItsExitCode() throws {
        let canary = "BKPCANARY"
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON(canary)).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let keygen = try cli.run(["backup", "keygen", "--out", cli.folder + "/hq.txt", "--json"])
        #expect(keygen.code == 0, "\(keygen.err)")
        let recipient = try #require(cli.json(keygen.out)["recipient"] as? String)
        let out = cli.folder + "/b.age"
        #expect(try cli.run(["backup", "create", "--out", out, "--recipient", recipient]).code == 0)
        #expect(try cli.run(["backup", "create", "--out", out, "--recipient", recipient]).code == 73)
        #expect(try cli.run(["backup", "create", "--out", cli.folder + "/x.age"]).code == 64)
        #expect(try cli.run(["backup", "verify", out, "--identity", cli.folder + "/hq.txt"]).code == 0)

        // The standard tool opens it too.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/age")
        p.arguments = ["-d", "-i", cli.folder + "/hq.txt", "-o", cli.folder + "/plain.cases", out]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)

        let restored = cli.folder + "/restored/vault.cases"
        let r = try cli.run(["backup", "restore", out, "--to", restored, "--identity", cli.folder + "/hq.txt", "--json"])
        #expect(r.code == 0, "\(r.err)")
        #expect(cli.json(r.out)["cases"] as? Int == 1)
        let shown = try cli.run(["show", id, "--vault", restored])
        #expect(shown.code == 0 && shown.out.contains(canary))

        // Wrong key: 77. Damaged: 65. Neither writes anything.
        let other = cli.folder + "/other.txt"
        #expect(try cli.run(["backup", "keygen", "--out", other]).code == 0)
        #expect(try cli.run(["backup", "verify", out, "--identity", other]).code == 77)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        bytes[bytes.count - 20] ^= 0x04
        let bad = cli.folder + "/bad.age"
        try bytes.write(to: URL(fileURLWithPath: bad))
        let damaged = try cli.run(["backup", "restore", bad, "--to", cli.folder + "/r2/vault.cases", "--identity", cli.folder + "/hq.txt"])
        #expect(damaged.code == 65)
        #expect(damaged.err.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/r2/vault.cases"))
        #expect(try cli.run(["backup", "decrypt", bad, "--out", cli.folder + "/p2", "--identity", cli.folder + "/hq.txt"]).code == 65)
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/p2"))
        #expect(try cli.run(["backup", "verify", cli.folder + "/missing.age", "--identity", other]).code == 66)

        for f in cli.allFiles() {
            let data = FileManager.default.contents(atPath: f) ?? Data()
            #expect(data.range(of: Data(canary.utf8)) == nil, "\(f) holds the canary")
        }
    }
}
