import CasesTestSupport
import Foundation
import Testing

/// `cases shell` driven through a pipe, as a script would: one unlock, many commands.
@Suite(.tags(.slow)) struct ShellTests {
    enum Step {
        case line(String)
        case run(@Sendable () throws -> Void)
        /// Bytes as typed on a keyboard, no newline added.
        case keys(String)
        /// Waits (up to 20 s, else the test fails) until stdout contains this text.
        case waitFor(String)
        /// Waits (up to 20 s, else the test fails) until stdout contains this text `times`
        /// times: for a message that an earlier step already printed once.
        case waitForCount(String, times: Int)
        /// Waits (up to 20 s, else the test fails) until stderr contains this text.
        case waitForError(String)
        /// Waits until the prompt is the last thing shown: the command before has printed
        /// everything and the line editor reads keys again.
        case waitForPrompt
        /// Waits until the line editor has taken the line typed at the last prompt (its newline
        /// is shown), so that the keys that follow reach the command it runs.
        case waitForLineTaken
    }

    /// Starts `cases shell ARGS`, feeds the steps to its stdin one by one, closes stdin, and
    /// waits for it to end.
    /// With `terminal`, the shell runs on a pseudo-terminal made by util-linux `script`, so its
    /// line editor (raw mode, Tab, arrows, Ctrl-C) is what reads the keys; stdout then carries
    /// everything the terminal shows.
    /// Without `passphraseFile`, every unlock asks on the terminal. `command`: another command
    /// than `shell`, for its questions on a terminal.
    static func shell(
        _ cli: CLIHarness, _ args: [String] = [], terminal: Bool = false, passphraseFile: Bool = true,
        command: String = "shell", env extra: [String: String] = [:], _ steps: [Step]
    ) throws -> CLIHarness.Result {
        let p = Process()
        if terminal {
            p.executableURL = URL(fileURLWithPath: scriptTool)
            // `exec`: no sh between script and the shell, which a Ctrl-C on the terminal would end.
            p.arguments = ["-qfec", (["exec", CLIHarness.binary, command] + args).joined(separator: " "), "/dev/null"]
        } else {
            p.executableURL = URL(fileURLWithPath: CLIHarness.binary)
            p.arguments = [command] + args
        }
        p.environment = ["PATH": "/usr/bin:/bin", "HOME": cli.folder, "TMPDIR": cli.tmp, "CASES_VAULT": cli.vault, "NO_COLOR": "1"]
        if passphraseFile { p.environment?["CASES_PASSPHRASE_FILE"] = cli.passFile }
        for (k, v) in extra { p.environment?[k] = v }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        let outBox = Stream(), errBox = Stream()
        let group = DispatchGroup()
        // Plain blocking reads on a thread per pipe until end of file (no readabilityHandler,
        // whose end-of-file callback proved unreliable under load).
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            group.enter()
            let fd = pipe.fileHandleForReading.fileDescriptor
            Thread.detachNewThread {
                var chunk = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = read(fd, &chunk, chunk.count)
                    if n > 0 { box.append(Data(chunk[..<n])); continue }
                    if n < 0 && errno == EINTR { continue }
                    break
                }
                group.leave()
            }
        }
        for step in steps {
            switch step {
            case .line(let l): input.fileHandleForWriting.write(Data((l + "\n").utf8))
            case .keys(let k): input.fileHandleForWriting.write(Data(k.utf8))
            case .run(let f): try f()
            case .waitFor(let text):
                waitUntil("\"\(text)\" on stdout", outBox) { $0.contains(text) }
            case .waitForCount(let text, let times):
                waitUntil("\"\(text)\" \(times) times on stdout", outBox) { $0.components(separatedBy: text).count - 1 >= times }
            case .waitForError(let text):
                waitUntil("\"\(text)\" on stderr", errBox) { $0.contains(text) }
            case .waitForPrompt:
                waitUntil("the prompt", outBox) { $0.hasSuffix(Self.promptEnd) }
            case .waitForLineTaken:
                waitUntil("the line to be taken", outBox) { text in
                    text.range(of: Self.promptEnd, options: .backwards).map { text[$0.upperBound...].contains("\n") } ?? false
                }
            }
        }
        try? input.fileHandleForWriting.close()
        // A shell that does not end fails its test instead of hanging the suite.
        if group.wait(timeout: .now() + 120) == .timedOut {
            Issue.record("the shell did not end within 120 s of its last step: \(outBox.text.suffix(2000))")
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            group.wait()
        }
        p.waitUntilExit()
        return CLIHarness.Result(code: p.terminationStatus, out: outBox.text, err: errBox.text)
    }

    /// How every prompt of the shell ends (`cases vault.cases [4:59]> `).
    static let promptEnd = "]> "

    /// Polls `out` until `done` holds; after 20 s records a failure naming what never came.
    static func waitUntil(_ what: String, _ out: Stream, _ done: (String) -> Bool) {
        Wait.until("\(what); it showed: \(out.text.suffix(1000))") { done(out.text) }
    }

    /// Bytes from one of the child's pipes, appended on a reader thread and read from the test's.
    final class Stream: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    static let scriptTool = "/usr/bin/script"
    static var haveScript: Bool { FileManager.default.isExecutableFile(atPath: scriptTool) }

    static func caseFile(_ cli: CLIHarness) throws -> String {
        let path = cli.folder + "/case.json"
        try Data(CLIHarness.caseJSON().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func severalCommandsWithOneUnlock() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let file = try Self.caseFile(cli)
        let id = try cli.run(["open", "--input", file]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        // A second unlock would need the passphrase file: take it away once the shell is open.
        let pass = cli.passFile
        let r = try Self.shell(
            cli, [],
            [
                .line("help"),
                .waitFor("never written to disk"),
                .run { try FileManager.default.removeItem(atPath: pass) },
                .line("open --input '\(file)'"),
                .line("list --json"),
                .line("show \"\(id)\""),
                .line("exit"),
            ])
        #expect(r.code == 0, "\(r.err)")
        #expect(!r.err.contains("error"), "\(r.err)")
        // What the commands printed after the help text (whose last line ends "without input.").
        let after = r.out.components(separatedBy: "seconds without input.\n").last ?? ""
        let lines = after.split(separator: "\n").map(String.init)
        let newID = try #require(lines.first)
        #expect(newID.count == 10 && newID != id)
        let listed = (cli.json(lines[1])["cases"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(Set(listed) == [id, newID])
        #expect(r.out.contains("Case \(id)"))
        #expect(r.out.contains("Pyotr Ivanov"))
    }

    @Test func aFailingCommandLeavesTheShellOpen() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let file = try Self.caseFile(cli)
        let r = try Self.shell(
            cli, [],
            [
                .line("show 7QKM-2XAPV"),
                .line("list --bogus"),
                .line("frobnicate"),
                .line("show 'unterminated"),
                .line("open"),
                .line("cases open --input \(file)"),
                .line("list"),
            ]) // then end of input: Ctrl-D
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("--bogus"))
        #expect(r.err.contains("frobnicate"))
        #expect(r.err.contains("quote is not closed"))
        #expect(r.err.contains("--input FILE"), "open without input must not swallow the shell's stdin")
        #expect(r.out.contains("Pyotr Ivanov"), "the commands after the failures still ran: \(r.out) \(r.err)")
    }

    @Test func exitEndsWithStatusZeroAndSkipsTheRest() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let file = try Self.caseFile(cli)
        let r = try Self.shell(cli, [], [.line("exit"), .line("open --input \(file)")])
        #expect(r.code == 0)
        #expect(r.out.isEmpty)
        #expect(try cli.run(["list", "--json"]).out.contains("\"cases\":[]"))
    }

    @Test func helpNamesTheCommandsAndSaysThereIsNoHistoryFile() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let r = try Self.shell(cli, [], [.line("help"), .line("quit")])
        #expect(r.code == 0)
        for name in ["open", "list", "show", "lock", "exit"] { #expect(r.out.contains("  \(name)")) }
        #expect(r.out.contains("never written to disk"))
        let usage = try cli.run(["shell", "--help"])
        #expect(usage.out.contains("Example"))
    }

    @Test func idleLockThenTheNextCommandReadsThePassphraseFileAgain() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let file = try Self.caseFile(cli)
        let r = try Self.shell(
            cli, ["--idle-timeout", "1"],
            [
                .line("open --input \(file)"),
                .waitForError("Locked after 1 s"),
                .line("list --json"),
                .line("exit"),
            ])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("Locked after 1 s"))
        #expect(r.err.contains("Unlocked."))
        #expect(r.out.contains("\"cases\":[{"), "\(r.out) \(r.err)")
    }

    @Test func afterAnIdleLockAWrongPassphraseRunsNothing() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let file = try Self.caseFile(cli)
        let pass = cli.passFile
        let r = try Self.shell(
            cli, ["--idle-timeout", "1"],
            [
                .line("list"),
                .waitForError("Locked after 1 s"),
                .run { try Data("not the passphrase\n".utf8).write(to: URL(fileURLWithPath: pass)) },
                .line("open --input \(file)"),
                .line("lock"),
                .line("exit"),
            ])
        #expect(r.code == 0)
        #expect(r.err.contains("passphrase does not open"), "\(r.err)")
        #expect(!r.err.contains("Unlocked."))
        try Data("correct horse battery staple\n".utf8).write(to: URL(fileURLWithPath: pass))
        #expect(try cli.run(["list", "--json"]).out.contains("\"cases\":[]"), "the locked shell opened nothing")
    }

    @Test func threeRefusedUnlocksEndTheShellWith77() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let pass = cli.passFile
        let r = try Self.shell(
            cli, [],
            [
                .line("help"),
                .waitFor("never written to disk"), // the first unlock has happened
                .line("lock"),
                .run { try Data("not the passphrase\n".utf8).write(to: URL(fileURLWithPath: pass)) },
                .line("list"), .line("list"), .line("list"), .line("list"),
            ])
        #expect(r.code == 77)
        #expect(r.err.components(separatedBy: "passphrase does not open").count == 4) // three refusals
    }

    @Test func noHistoryFileIsWritten() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let before = Set(cli.allFiles())
        let r = try Self.shell(cli, [], [.line("list"), .line("show 7QKM-2XAPV"), .line("help"), .line("exit")])
        #expect(r.code == 0)
        // Only the vault's own SQLite side files may come and go; nothing else under HOME or the vault folder.
        let added = Set(cli.allFiles()).subtracting(before).filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
        #expect(added.isEmpty, "\(added)")
        let mentions = cli.allFiles().filter { $0.lowercased().contains("hist") }
        #expect(mentions.isEmpty, "\(mentions)")
    }

    @Test func theShellDoesNotNest() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let r = try Self.shell(cli, [], [.line("shell"), .line("list --json")])
        #expect(r.code == 0)
        #expect(r.err.contains("already in `cases shell`"))
        #expect(r.out.contains("\"cases\""))
    }

    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func onATerminalTabCompletesAndHistoryRecalls() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", try Self.caseFile(cli)]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let r = try Self.shell(
            cli, [], terminal: true,
            [
                .waitFor("]> "),
                .keys("sho\t\(id.prefix(2))\t\r"), // Tab: `show `, then the whole case id
                .waitFor("Case \(id)"),
                .keys("garbage\u{03}"), // Ctrl-C drops the line unrun
                .keys("\u{1B}[A\r"), // up: `show ID` again
                .waitFor("Principal   Pyotr Ivanov"),
                .waitForPrompt,
                .keys("exit\r"),
            ])
        #expect(r.code == 0)
        #expect(r.out.components(separatedBy: "Case \(id)").count == 3, "\(r.out)")
        #expect(!r.out.contains("Unexpected argument 'garbage'"))
        #expect(r.out.contains("^C"))
    }

    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func onATerminalAnIdleLockKeepsWhatWasTyped() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let r = try Self.shell(
            cli, ["--idle-timeout", "1"], terminal: true,
            [
                .waitFor("]> "),
                .keys("li"),
                .waitFor("Locked after 1 s"), // locks while `li` waits on the line
                .keys("st --json\r"),
                .waitFor("\"cases\""),
                .keys("\u{04}"), // Ctrl-D on an empty line leaves
            ])
        #expect(r.code == 0)
        #expect(r.out.contains("[locked]> li"))
        #expect(r.out.contains("Unlocked."))
        #expect(r.out.contains("{\"cases\":[]"))
    }

    /// Ctrl-C while a command waits for the caseworker (its questions, a new passphrase, a note
    /// on stdin) abandons that command and stores nothing; while a command computes, it does not
    /// stop it. Either way the shell stays open and unlocked: the passphrase file is gone once it
    /// has unlocked, so every later command runs on the shell's key.
    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func onATerminalCtrlCDuringACommandLeavesTheShellOpenAndUnlocked() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", try Self.caseFile(cli)]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let pass = cli.passFile
        let generated = cli.folder + "/generated.jsonl"
        let r = try Self.shell(
            cli, [], terminal: true,
            [
                .waitFor("]> "),
                .run { try FileManager.default.removeItem(atPath: pass) },
                .keys("open\r"),
                .waitFor("Full name"),
                .keys("Anna Example\u{03}"), // during a question
                .waitForCount("nothing was stored.", times: 1),
                .keys("key add --label x\r"),
                .waitFor("New passphrase"),
                .keys("half a passphrase\u{03}"), // during a passphrase, echo off
                .waitForCount("nothing was stored.", times: 2),
                .keys("note \(id) --input -\r"),
                .waitFor("then press Ctrl-D"), // note is reading stdin now
                .keys("a note never finished\u{03}"), // while stdin is read to its end
                .waitForCount("nothing was stored.", times: 3),
                .keys("demo generate --count 3000 --seed 1 --out \(generated)\r"),
                .waitForLineTaken,
                .keys("\u{03}"), // while it computes
                .keys("list --json\r"),
                .waitFor("{\"cases\":[{"),
                .waitForPrompt,
                .keys("exit\r"),
            ])
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.components(separatedBy: "Interrupted; nothing was stored.").count == 4, "\(r.out)")
        #expect(!r.out.contains("Unlocked."), "the shell never locked")
        #expect(!r.out.contains("passphrase file"), "no command needed the passphrase file: \(r.out)")
        try Data("correct horse battery staple\n".utf8).write(to: URL(fileURLWithPath: pass))
        let listed = cli.json(try cli.run(["list", "--json"]).out)["cases"] as? [[String: Any]]
        #expect(listed?.count == 1, "the interrupted open stored nothing")
        let shown = cli.json(try cli.run(["show", id, "--json"]).out)["case"] as? [String: Any]
        #expect((shown?["notes"] as? [Any])?.count == 1, "the interrupted note stored nothing")
        #expect((cli.json(try cli.run(["key", "list", "--json"]).out)["keyslots"] as? [Any])?.count == 2, "no slot was added")
        let lines = (try? String(contentsOfFile: generated, encoding: .utf8))?.split(separator: "\n").count
        #expect(lines == 3000, "a computing command runs to its end")
    }

    /// A shell unlocked on vault A lends its key to no other vault: a command naming vault B
    /// needs B's own passphrase, and B's cases are B's; A's key still serves A afterwards.
    @Test func aSessionOnOneVaultDoesNotServeAnother() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let idA = try cli.run(["open", "--input", try Self.caseFile(cli)]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let vaultB = cli.folder + "/b/vault.cases", passB = cli.folder + "/passB"
        try Data("the other vault mango tundra 4\n".utf8).write(to: URL(fileURLWithPath: passB))
        #expect(try cli.run(["init", "--kdf", "interactive", "--vault", vaultB, "--passphrase-file", passB]).code == 0)
        let idB = try cli.run(["open", "--input", try Self.caseFile(cli), "--vault", vaultB, "--passphrase-file", passB]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let pass = cli.passFile
        let r = try Self.shell(
            cli, [],
            [
                .line("help"),
                .waitFor("never written to disk"), // A is unlocked
                .run { try FileManager.default.removeItem(atPath: pass) },
                .line("list --json"),
                .line("list --json --vault \(vaultB)"), // no passphrase for B: refused
                .line("list --json --vault \(vaultB) --passphrase-file \(passB)"),
                .line("show \(idA) --vault \(vaultB) --passphrase-file \(passB)"),
                .line("list --json --vault \(cli.folder)/vault/../vault/vault.cases"), // A under another spelling
                .line("exit"),
            ])
        #expect(r.code == 0, "\(r.err)")
        let lists = r.out.split(separator: "\n").map { cli.json(String($0))["cases"] as? [[String: Any]] }.compactMap { $0 }
        #expect(lists.map { $0.compactMap { $0["id"] as? String } } == [[idA], [idB], [idA]], "\(r.out)")
        #expect(r.err.contains("passphrase file"), "B asked for its own passphrase: \(r.err)")
        #expect(r.err.contains("No case \(idA)"), "\(r.err)")
    }

    /// A vault file replaced under an open shell (another vault moved to its path) is not read
    /// with the old key: the shell locks, and the shell's passphrase does not open the new file.
    @Test func aVaultReplacedUnderTheShellIsNotOpenedWithTheOldKey() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        _ = try cli.run(["open", "--input", try Self.caseFile(cli)])
        let other = cli.folder + "/b/vault.cases", passB = cli.folder + "/passB"
        try Data("the other vault mango tundra 4\n".utf8).write(to: URL(fileURLWithPath: passB))
        #expect(try cli.run(["init", "--kdf", "interactive", "--vault", other, "--passphrase-file", passB]).code == 0)
        let vault = cli.vault
        let r = try Self.shell(
            cli, [],
            [
                .line("help"),
                .waitFor("never written to disk"),
                .run { guard rename(other, vault) == 0 else { throw POSIXError(.EIO) } },
                .line("list --json"), // the old key would still read A's case from the moved-away file
                .line("list --json"), // the shell is locked now: its passphrase does not open B
                .line("exit"),
            ])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("replaced while the shell was open"), "\(r.err)")
        #expect(r.err.components(separatedBy: "passphrase does not open").count == 3, "\(r.err)")
        #expect(!r.out.contains("\"cases\""), "\(r.out)")
    }

    /// With the unlock policy on, wrong passphrases after an idle lock count like any others:
    /// the third shreds the vault and ends the shell (77), before the shell's own three-try rule.
    @Test func afterAnIdleLockThePolicyShredsAndTheShellEnds() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        #expect(try cli.run(["key", "policy", "--shred-after", "3", "--yes"]).code == 0)
        let pass = cli.passFile
        let r = try Self.shell(
            cli, ["--idle-timeout", "1"],
            [
                .line("list"),
                .waitForError("Locked after 1 s"),
                .run { try Data("not the passphrase\n".utf8).write(to: URL(fileURLWithPath: pass)) },
                .line("list"), .line("list"), .line("list"), .line("list"),
            ])
        #expect(r.code == 77)
        #expect(r.err.contains("2 more wrong tries") && r.err.contains("1 more wrong try"), "\(r.err)")
        #expect(r.err.contains("has shredded it"), "\(r.err)")
        #expect(!r.err.contains("Three unlock attempts"))
        try Data("correct horse battery staple\n".utf8).write(to: URL(fileURLWithPath: pass))
        #expect(try cli.run(["list"]).code == 65)
    }
}
