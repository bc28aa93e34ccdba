import CasesTestSupport
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// A vault put back to an earlier state (rows deleted with SQLite, or an older copy) is caught
/// at the next unlock through this laptop's record of it, kept outside the vault; nothing is
/// changed or published until a caseworker accepts it with `cases audit accept-rollback`.
@Suite struct RollbackAnchorCLITests {
    static func stateFolder(_ cli: CLIHarness) -> String { cli.folder + "/.local/state/cases" }

    static func anchors(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).map { folder + "/" + $0 }
    }

    /// A vault with `cases` cases and one release for 2021; the case ids.
    static func vault(cases: Int) throws -> (CLIHarness, [String]) {
        let cli = try CLIHarness()
        try cli.initVault()
        var ids: [String] = []
        for _ in 0..<cases {
            let r = try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON())
            #expect(r.code == 0, "\(r.err)")
            ids.append(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let published = try cli.run(["stats", "--year", "2021"])
        #expect(published.code == 0, "\(published.err)")
        return (cli, ids)
    }

    /// Changes the vault file the way someone holding it would, with SQLite alone.
    static func raw(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    static func events(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? 0 }
    }

    /// Nothing is published and nothing is written; the sentence names what is missing and
    /// what to do.
    static func expectRefused(_ cli: CLIHarness, naming missing: String, vault: String? = nil) throws {
        let path = vault ?? cli.vault
        let extra = vault.map { ["--vault", $0] } ?? []
        let before = try events(path)
        let stats = try cli.run(["stats", "--year", "2023", "--dp", "--epsilon", "0.5"] + extra)
        #expect(stats.code == 65 && stats.out.isEmpty, "stats: \(stats.code) \(stats.out) \(stats.err)")
        #expect(stats.err.contains(missing) && stats.err.contains("cases audit accept-rollback"), "\(stats.err)")
        let stored = try cli.run(["stats", "--year", "2021"] + extra)
        #expect(stored.code == 65 && stored.out.isEmpty, "a stored release was published again: \(stored.out)")
        let opened = try cli.run(["open", "--input", "-"] + extra, stdin: CLIHarness.caseJSON())
        #expect(opened.code == 65 && opened.err.contains(missing), "open: \(opened.code) \(opened.err)")
        let audit = try cli.run(["audit", "verify"] + extra)
        #expect(audit.code == 65, "audit verify passed: \(audit.out)")
        #expect(try events(path) == before)
    }

    @Test func deletedReleasesAreCaughtAndNothingIsPublished() throws {
        let (cli, _) = try Self.vault(cases: 3)
        #expect(try cli.run(["stats", "--year", "2022", "--dp", "--epsilon", "0.5"]).code == 0)
        try Self.raw(cli.vault, "DELETE FROM release")

        let list = try cli.run(["list"])
        #expect(list.code == 0 && list.err.contains("2 published releases were removed"), "\(list.err)")
        try Self.expectRefused(cli, naming: "2 published releases were removed")
        let audit = try cli.run(["audit", "verify"])
        #expect(audit.err.contains("2 published releases were removed"), "\(audit.err)")
    }

    @Test func deletedLastEventsAndTheirCasesAreCaught() throws {
        let (cli, ids) = try Self.vault(cases: 4)
        let gone = try ids.suffix(2).map { try #require(CaseID(parsing: $0)).compact }
        try Self.raw(cli.vault, "DELETE FROM event WHERE seq > 2; DELETE FROM case_snapshot WHERE case_id IN ('\(gone[0])', '\(gone[1])')")
        try Self.expectRefused(cli, naming: "the last 2 events are missing")
        let audit = try cli.run(["audit", "verify", "--json"])
        #expect((cli.json(audit.err)["error"] as? [String: Any])?["code"] as? String == "integrity")
        #expect(audit.err.contains("the last 2 events are missing"), "\(audit.err)")
    }

    @Test func aDeletedCaseRowIsCaught() throws {
        let (cli, ids) = try Self.vault(cases: 3)
        let id = try #require(CaseID(parsing: ids[1])).compact
        try Self.raw(cli.vault, "DELETE FROM case_snapshot WHERE case_id = '\(id)'")
        try Self.expectRefused(cli, naming: "1 case record was removed")
    }

    @Test func aRestoredBackupIsRefusedUntilAcceptedAndTheAcceptanceIsAudited() throws {
        let (cli, _) = try Self.vault(cases: 2)
        let backupPass = cli.folder + "/backup-pass"
        try Data("tangerine lighthouse orbit velvet 17\n".utf8).write(to: URL(fileURLWithPath: backupPass))
        let backup = cli.folder + "/b.age"
        let made = try cli.run(["backup", "create", "--out", backup, "--passphrase", "--backup-passphrase-file", backupPass])
        #expect(made.code == 0, "\(made.err)")
        for _ in 0..<2 { #expect(try cli.run(["open", "--input", "-"], stdin: CLIHarness.caseJSON()).code == 0) }
        #expect(try cli.run(["stats", "--year", "2022", "--dp", "--epsilon", "0.5"]).code == 0)

        let restored = cli.folder + "/restored/vault.cases"
        let r = try cli.run(["backup", "restore", backup, "--to", restored, "--backup-passphrase-file", backupPass])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("older than this laptop's record") && r.err.contains("accept-rollback"), "\(r.err)")
        try Self.expectRefused(cli, naming: "the last 2 events are missing and 1 published release was removed", vault: restored)

        // Asks first: with no terminal and no --yes, nothing is accepted.
        let unasked = try cli.run(["audit", "accept-rollback", "--vault", restored])
        #expect(unasked.code == 64, "\(unasked.err)")
        #expect(try cli.run(["open", "--input", "-", "--vault", restored], stdin: CLIHarness.caseJSON()).code == 65)

        let accepted = try cli.run(["audit", "accept-rollback", "--yes", "--vault", restored])
        #expect(accepted.code == 0 && accepted.out.contains("Accepted"), "\(accepted.err)")
        let audit = try cli.run(["audit", "verify", "--vault", restored, "--json"])
        #expect(audit.code == 0, "\(audit.err)")
        let vaultEvents = try #require(cli.json(audit.out)["vault_events"] as? [[String: Any]])
        #expect(vaultEvents.count == 1)
        #expect(vaultEvents.first?["kind"] as? String == "rollback_accepted")
        #expect((vaultEvents.first?["detail"] as? String)?.contains("the last 2 events are missing") == true)
        #expect(try cli.run(["audit", "verify", "--vault", restored]).out.contains("accepted an older vault"))
        #expect(try cli.run(["open", "--input", "-", "--vault", restored], stdin: CLIHarness.caseJSON()).code == 0)
        #expect(try cli.run(["stats", "--year", "2021", "--vault", restored]).code == 0)
        #expect(try cli.run(["audit", "accept-rollback", "--yes", "--vault", restored]).out.contains("nothing to accept"))
    }

    /// On a terminal the command names what is missing and asks for the vault's file name; a
    /// wrong answer accepts nothing.
    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func onATerminalAcceptRollbackAsksFirst() throws {
        let (cli, _) = try Self.vault(cases: 1)
        try Self.raw(cli.vault, "DELETE FROM release")
        func answer(_ typed: String) throws -> CLIHarness.Result {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ShellTests.scriptTool)
            p.arguments = ["-qfec", "exec \(CLIHarness.binary) audit accept-rollback", "/dev/null"]
            p.environment = [
                "PATH": "/usr/bin:/bin", "HOME": cli.folder, "TMPDIR": cli.tmp, "CASES_VAULT": cli.vault,
                "NO_COLOR": "1", "CASES_PASSPHRASE_FILE": cli.passFile,
            ]
            let out = Pipe(), input = Pipe()
            p.standardOutput = out
            p.standardError = out
            p.standardInput = input
            try p.run()
            let shown = ShellTests.Stream()
            let done = DispatchSemaphore(value: 0)
            let fd = out.fileHandleForReading.fileDescriptor
            Thread.detachNewThread {
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(fd, &chunk, chunk.count)
                    if n > 0 { shown.append(Data(chunk[..<n])); continue }
                    if n < 0 && errno == EINTR { continue }
                    break
                }
                done.signal()
            }
            Wait.until("the question to confirm: \(shown.text)") { shown.text.contains("to confirm: ") }
            #expect(shown.text.contains("1 published release was removed"), "the question does not say what is missing: \(shown.text)")
            // Only once asked: writing to a command that already ended would kill the test (SIGPIPE).
            if shown.text.contains("to confirm: ") { input.fileHandleForWriting.write(Data((typed + "\r").utf8)) }
            if done.wait(timeout: .now() + 60) == .timedOut {
                Issue.record("accept-rollback did not end: \(shown.text)")
                kill(p.processIdentifier, SIGKILL)
            }
            p.waitUntilExit()
            return CLIHarness.Result(code: p.terminationStatus, out: shown.text, err: "")
        }
        let refused = try answer("not-the-name")
        #expect(refused.code != 0 && refused.out.contains("nothing was accepted"), "\(refused.out)")
        #expect(try cli.run(["stats", "--year", "2021"]).code == 65)
        let accepted = try answer("vault.cases")
        #expect(accepted.code == 0 && accepted.out.contains("Accepted"), "\(accepted.out)")
        #expect(try cli.run(["stats", "--year", "2021"]).code == 0)
    }

    @Test func aTamperedRecordIsReportedAndRefusedUntilAccepted() throws {
        let (cli, _) = try Self.vault(cases: 2)
        let anchor = try #require(Self.anchors(in: Self.stateFolder(cli)).first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: anchor))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: anchor))

        let list = try cli.run(["list"])
        #expect(list.code == 0 && list.err.contains("was altered or damaged"), "\(list.err)")
        let stats = try cli.run(["stats", "--year", "2021"])
        #expect(stats.code == 65 && stats.out.isEmpty && stats.err.contains("altered or damaged"), "\(stats.err)")
        #expect(try cli.run(["audit", "verify"]).code == 65)
        #expect(try cli.run(["audit", "accept-rollback", "--yes"]).code == 0)
        #expect(try cli.run(["stats", "--year", "2021"]).code == 0)
        #expect(try cli.run(["audit", "verify"]).code == 0)
    }

    /// First use on this laptop (or a deleted record): a record is made from the vault as it is,
    /// with a note once, and rollbacks are caught from then on. A new vault needs no note.
    @Test func aMissingRecordIsStartedAgainWithANote() throws {
        let (cli, _) = try Self.vault(cases: 2)
        #expect(!(try cli.run(["list"]).err.contains("note:")))
        let anchor = try #require(Self.anchors(in: Self.stateFolder(cli)).first)
        unlink(anchor)

        let first = try cli.run(["list"])
        #expect(first.code == 0 && first.err.contains("no record of this vault's last state"), "\(first.err)")
        #expect(FileManager.default.fileExists(atPath: anchor))
        #expect(try cli.run(["list"]).err.isEmpty)
        try Self.raw(cli.vault, "DELETE FROM release")
        try Self.expectRefused(cli, naming: "1 published release was removed")
    }

    /// The record's name, size and permissions say nothing about the caseload.
    @Test func theRecordShowsNothingOfTheCaseload() throws {
        let small = try CLIHarness()
        try small.initVault()
        let (large, _) = try Self.vault(cases: 12)
        var sizes: Set<Int> = []
        for cli in [small, large] {
            let folder = Self.stateFolder(cli)
            let files = Self.anchors(in: folder)
            #expect(files.count == 1)
            let file = try #require(files.first)
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            sizes.insert((attributes[.size] as? Int) ?? -1)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect((try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int) == 0o700)
            let id = try #require(try DatabaseQueue(path: cli.vault).read { db in try Data.fetchOne(db, sql: "SELECT vault_id FROM vault") })
            let name = (file as NSString).lastPathComponent
            #expect(name.count == 32 && name.allSatisfy(\.isHexDigit))
            #expect(!name.contains(id.hexString))
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)).range(of: id) == nil)
        }
        #expect(sizes.count == 1, "record sizes differ: \(sizes)")
    }

    @Test func theStateFolderIsChosenByTheEnvironmentOrAnOption() throws {
        let cli = try CLIHarness()
        let byEnvironment = cli.folder + "/by-env"
        #expect(try cli.run(["init", "--kdf", "interactive", "--label", "tester"], env: ["CASES_STATE_DIR": byEnvironment]).code == 0)
        #expect(Self.anchors(in: byEnvironment).count == 1)
        #expect(Self.anchors(in: Self.stateFolder(cli)).isEmpty)
        let byXDG = cli.folder + "/xdg"
        #expect(try cli.run(["list"], env: ["XDG_STATE_HOME": byXDG]).code == 0)
        #expect(Self.anchors(in: byXDG + "/cases").count == 1)
        let byOption = cli.folder + "/by-option"
        #expect(try cli.run(["list", "--state-dir", byOption], env: ["CASES_STATE_DIR": byEnvironment]).code == 0)
        #expect(Self.anchors(in: byOption).count == 1)
    }

    @Test func shredRemovesTheRecord() throws {
        let (cli, _) = try Self.vault(cases: 1)
        #expect(Self.anchors(in: Self.stateFolder(cli)).count == 1)
        let shred = try cli.run(["shred", "--yes"])
        #expect(shred.code == 0, "\(shred.err)")
        #expect(Self.anchors(in: Self.stateFolder(cli)).isEmpty)
    }
}
