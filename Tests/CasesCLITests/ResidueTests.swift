import Foundation
import Testing

/// Canaries in every field of a case, through open, update, every stage, a note, close, a
/// backup and a WAL checkpoint: no byte of the vault, its WAL, shared memory or journal, the
/// temp folder, the backup or the backup's decrypted payload holds one in plaintext.
/// (There is no purge command yet, so purging is not covered.)
@Suite struct ResidueTests {
    static let canary = "QZRESIDUE"
    static let updated = "QZUPDATED"

    /// Every file the binary could have written, and /dev/shm, where notes are edited.
    static func holders(_ cli: CLIHarness) -> [String] {
        let shm = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).map { "/dev/shm/" + $0 }
        return cli.allFiles() + shm.filter { $0.contains("cases") }
    }

    static func leaks(_ cli: CLIHarness) -> [String] {
        holders(cli).filter { path in
            guard let data = FileManager.default.contents(atPath: path) else { return false }
            return [canary, updated].contains { data.range(of: Data($0.utf8)) != nil }
        }
    }

    @Test func noCanaryInAnyFileAfterUpdateCloseBackupAndCheckpoint() throws {
        let c = Self.canary
        let cli = try CLIHarness()
        try cli.initVault()
        func run(_ args: [String], _ stdin: String? = nil) throws -> CLIHarness.Result {
            let r = try cli.run(args, stdin: stdin)
            #expect(r.code == 0, "\(args): \(r.err)")
            #expect(!r.err.contains(c) && !r.err.contains(Self.updated))
            return r
        }
        let id = try run(["open", "--input", "-"], CLIHarness.caseJSON(c)).out.trimmingCharacters(in: .whitespacesAndNewlines)
        // The update: the principal corrected on the way, so the old name is superseded.
        _ = try run(
            ["advance", id, "--input", "-"],
            #"{"principal": {"full_name": "Pyotr \#(Self.updated)", "current_city": "Riga \#(Self.updated)"}, "assessment": {"level": "high", "likelihood": 4, "impact": 5, "threats": [{"actor": "a \#(c)", "kind": "k \#(c)", "evidence": "e \#(c)"}], "vulnerabilities": "v \#(c)", "capacities": "c \#(c)", "urgency": "u \#(c)"}}"#
        )
        _ = try run(["advance", id, "--input", "-"], #"{"destination": {"country": "GE", "route": "visa_free", "funding": "f \#(c)"}}"#)
        _ = try run(
            ["advance", id, "--input", "-"],
            #"{"arrival": {"arrived_on": "2021-06-01", "country": "GE", "city": "Tbilisi \#(c)", "legal_status": "s \#(c)"}}"#)
        _ = try run(["note", id, "--input", "-"], "note \(c)")
        _ = try run(["close", id, "--outcome", "settled"])
        #expect(try run(["show", id]).out.contains(Self.updated)) // really stored, sealed
        for command in [["list"], ["history", id], ["audit", "verify"], ["due"]] { _ = try run(command) }
        #expect(Self.leaks(cli).isEmpty, "before the checkpoint: \(Self.leaks(cli))")

        let pass = cli.folder + "/backup-pass"
        try "backup words\n".write(toFile: pass, atomically: false, encoding: .utf8)
        _ = try run(["backup", "create", "--out", cli.folder + "/backup.age", "--passphrase", "--backup-passphrase-file", pass])
        _ = try run(["backup", "decrypt", cli.folder + "/backup.age", "--out", cli.folder + "/payload.cases", "--backup-passphrase-file", pass])
        #expect(FileManager.default.fileExists(atPath: cli.folder + "/payload.cases"))

        try VaultInspector(cli).checkpoint()
        let files = Self.holders(cli)
        #expect(files.contains(cli.vault) && files.contains(cli.folder + "/backup.age"))
        #expect(Self.leaks(cli).isEmpty, "after the checkpoint: \(Self.leaks(cli))")

        // The control: a plaintext copy in the temp folder is found, so the search can fail.
        let control = cli.tmp + "/control"
        try "x \(c) y".write(toFile: control, atomically: false, encoding: .utf8)
        #expect(Self.leaks(cli) == [control])
    }
}
