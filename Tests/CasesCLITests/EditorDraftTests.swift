import CasesTestSupport
import Foundation
import Testing

/// The `$EDITOR` draft of a note, in /dev/shm, when `cases note` is stopped with the editor
/// open: SIGHUP, SIGTERM and SIGINT remove it at once; after SIGKILL the next start does.
@Suite struct EditorDraftTests {
    /// A fake editor: writes a draft, says where, and waits until the test lets it go.
    struct FakeEditor {
        let script: String, marker: String, release: String

        init(_ cli: CLIHarness) throws {
            script = cli.folder + "/editor.sh"
            marker = cli.folder + "/draft-path"
            release = cli.folder + "/release"
            let text = """
                #!/bin/sh
                printf 'a note about someone\\n' > "$1"
                printf '%s' "$1" > '\(marker).tmp' && mv '\(marker).tmp' '\(marker)'
                while [ ! -e '\(release)' ]; do sleep 0.02; done
                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: script))
            chmod(script, 0o700)
        }

        /// The draft's path, once the editor has it open.
        func draft() throws -> String {
            try Self.waitUntil("the editor to start") { FileManager.default.fileExists(atPath: marker) }
            return try String(contentsOfFile: marker, encoding: .utf8)
        }

        func letGo() { FileManager.default.createFile(atPath: release, contents: nil) }

        /// Polls `done` every 20 ms; after 20 s records a failure naming `what`.
        static func waitUntil(_ what: String, _ done: () -> Bool) throws {
            Wait.until(what, done)
        }
    }

    /// The pid of the `cases` that made `draft`, from its name (`cases-note-PID-…`).
    static func owner(_ draft: String) throws -> pid_t {
        let name = (draft as NSString).lastPathComponent
        return try #require(pid_t(name.dropFirst("cases-note-".count).prefix { $0 != "-" }))
    }

    static func alive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    /// Runs `cases note ID` on a pseudo-terminal with the fake editor, sends `signal` to it while
    /// the editor is open, then calls `after` with the draft's path.
    static func noteStopped(by signal: Int32, after: @escaping @Sendable (CLIHarness, String) throws -> Void) throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let id = try cli.run(["open", "--input", try ShellTests.caseFile(cli)]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let editor = try FakeEditor(cli)
        let r = try ShellTests.shell(
            cli, [id], terminal: true, command: "note", env: ["EDITOR": editor.script],
            [
                .run {
                    let draft = try editor.draft()
                    #expect(FileManager.default.fileExists(atPath: draft))
                    let pid = try owner(draft)
                    kill(pid, signal)
                    try FakeEditor.waitUntil("cases to end") { !alive(pid) }
                    try after(cli, draft)
                    editor.letGo()
                }
            ])
        #expect(r.code != 0, "\(r.out)")
        let notes = (cli.json(try cli.run(["show", id, "--json"]).out)["case"] as? [String: Any])?["notes"] as? [Any]
        #expect(notes?.count == 1, "the stopped note was not stored (the case came with one)")
    }

    @Test(
        .enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"),
        arguments: [SIGHUP, SIGTERM, SIGINT])
    func aCatchableSignalRemovesTheDraftAtOnce(signal: Int32) throws {
        try Self.noteStopped(by: signal) { _, draft in
            #expect(!FileManager.default.fileExists(atPath: draft), "signal \(signal) left \(draft)")
        }
    }

    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func afterSIGKILLTheNextStartRemovesTheDraft() throws {
        // A draft whose process is alive (this test's) is not touched.
        let live = "/dev/shm/cases-note-\(getpid())-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: live, contents: Data("draft".utf8), attributes: [.posixPermissions: 0o600])
        defer { unlink(live) }
        try Self.noteStopped(by: SIGKILL) { cli, draft in
            // SIGKILL cannot be caught, so only a start removes the draft: this one, or a `cases`
            // of another suite running at the same time (the sweep covers every dead owner's
            // draft), so whether it is still here at this moment is not asserted.
            let listed = try cli.run(["list"])
            #expect(listed.code == 0)
            #expect(!FileManager.default.fileExists(atPath: draft), "the next start left \(draft)")
        }
        #expect(FileManager.default.fileExists(atPath: live), "a live process's draft was removed")
    }
}
