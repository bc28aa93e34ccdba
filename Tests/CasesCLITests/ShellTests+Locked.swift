import Foundation
import Testing

/// The locked shell on a pseudo-terminal, where the caseworker types the passphrase: nothing
/// typed while it is locked is echoed back, kept for the Up key, or quoted in an error.
extension ShellTests {
    static let right = "correct horse battery staple"

    /// The first unlock, typed on the terminal, then `lock`.
    static let unlockThenLock: [Step] = [
        .waitFor("Vault passphrase: "),
        .keys(Self.right + "\r"),
        .waitFor("]> "),
        .keys("lock\r"),
        .waitFor("Locked;"),
    ]

    /// After a wrong passphrase the shell asks again at once, echo still off. Before, it went
    /// back to its prompt with the command kept, and the passphrase typed next was echoed after
    /// the command, kept in the history and quoted in the command's error.
    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func onATerminalAWrongPassphraseIsAskedForAgainWithoutEcho() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let steps: [Step] =
            Self.unlockThenLock + [
                .keys("show 7QKM-2XAPV\r"),
                .waitForCount("Vault passphrase: ", times: 2),
                .keys("wrong horse battery staple\r"),
                .waitFor("does not open"),
                .waitForCount("Vault passphrase: ", times: 3), // asked again, not back at the prompt
                .keys(Self.right + " tbilisi\r"), // wrong again, typed as the caseworker would
                .waitForCount("does not open", times: 2),
                .waitForCount("Vault passphrase: ", times: 4),
                .keys(Self.right + "\r"),
                .waitFor("Unlocked."),
                .waitFor("type the command again"), // `show` failed: its message could quote the line
                .keys("\u{1B}[A"), // Up: nothing typed while locked comes back
                .keys("list --json\r"),
                .waitFor("{\"cases\":[]"),
                .keys("exit\r"),
            ]
        let r = try Self.shell(cli, [], terminal: true, passphraseFile: false, steps)
        #expect(r.code == 0, "\(r.out)")
        #expect(!r.out.contains("correct horse"), "a passphrase was echoed: \(r.out)")
        #expect(!r.out.contains("tbilisi"), "\(r.out)")
        #expect(r.out.components(separatedBy: "show 7QKM-2XAPV").count == 2, "the locked line came back: \(r.out)")
        #expect(!r.out.contains("No case 7QKM-2XAPV"), "\(r.out)")
    }

    /// A passphrase typed at the locked prompt itself (where it is echoed, as any command is)
    /// runs as nothing after the unlock: its error is not shown and Up does not bring it back.
    @Test(.enabled(if: ShellTests.haveScript, "needs util-linux script for a pseudo-terminal"))
    func onATerminalALineTypedWhileLockedIsNotKeptOrQuoted() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let steps: [Step] =
            Self.unlockThenLock + [
                .keys("staple horse battery\r"), // the passphrase, typed at the wrong prompt
                .waitForCount("Vault passphrase: ", times: 2),
                .keys(Self.right + "\r"),
                .waitFor("type the command again"),
                .keys("\u{1B}[A\r"), // Up then Enter: an empty line, which runs nothing
                .keys("list --json\r"),
                .waitFor("{\"cases\":[]"),
                .keys("exit\r"),
            ]
        let r = try Self.shell(cli, [], terminal: true, passphraseFile: false, steps)
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.components(separatedBy: "staple horse battery").count == 2, "the locked line was shown again: \(r.out)")
        #expect(!r.out.contains("Unexpected argument"), "\(r.out)")
    }
}
