import ArgumentParser
import CasesCore
import CasesCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `cases shell`: unlock once, then run any `cases` command by name until exit or the idle lock.
struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Unlock once, then run commands by name until you exit or the shell locks itself.",
        discussion: """
            Type any cases command without the leading `cases`: `list`, `show ID`, \
            `open --input case.json`. Tab completes command names and case ids; up and down \
            recall earlier lines. The history lives in memory only and is never written to \
            disk (there is no history file), and locking forgets it.

            After --idle-timeout seconds without a key press the shell locks: the key is \
            wiped from memory and Enter asks for the passphrase again, without showing it \
            (or reads --passphrase-file if given); a wrong one is asked for again at once. A \
            line typed while the shell is locked is never kept for the Up key, and if it fails \
            as a command its message is not shown. `lock` locks at once; `exit`, `quit` or Ctrl-D \
            lock and leave. Inside the shell, stdin belongs to the shell: give case details \
            with --input FILE.

            Example:
              cases shell --idle-timeout 120
              cases vault.cases [1:59]> list --stage intake
              cases vault.cases [1:59]> show 7QKM-2XAPV
              cases vault.cases [1:59]> exit
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Lock after this many seconds without input.", valueName: "seconds"))
    var idleTimeout: Int = 300

    func validate() throws {
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be a positive number of seconds.") }
    }

    func run() throws {
        guard !Session.inShell else { throw ShellError.nested }
        let shell = ShellSession(options: global)
        defer { shell.unlocked = nil } // wipes the key: this was its last reference
        let session = Session(options: global)
        shell.unlocked = try session.unlock(try session.open())
        // Ctrl-C at the first passphrase ends the shell; from here on it abandons one command.
        if Terminal.stdinIsTerminal {
            Interrupt.catchSIGINT()
        }
        defer { Interrupt.releaseSIGINT() }
        var loop = ShellLoop(session: session, shell: shell, idle: TimeInterval(idleTimeout))
        try Session.$shell.withValue(shell) { try loop.run() }
    }
}

enum ShellError: CasesError {
    case nested
    case unterminatedQuote
    case danglingBackslash
    case tooManyFailures
    case interrupted
    case failedWhileLocked

    var kind: FailureKind {
        switch self {
        case .tooManyFailures: .auth
        case .interrupted, .failedWhileLocked: .invalidInput
        default: .usage
        }
    }
    var description: String {
        switch self {
        case .nested: "You are already in `cases shell`; type the command itself."
        case .unterminatedQuote: "A quote is not closed; close it or escape it with a backslash."
        case .danglingBackslash: "The line ends with a backslash; remove it or escape it as \\\\."
        case .tooManyFailures: "Three unlock attempts failed; the shell has ended and the vault stays locked."
        case .interrupted: "Interrupted; nothing was stored."
        case .failedWhileLocked:
            "The line typed while the shell was locked did not work as a command; its message is not shown, as that line may hold your passphrase, so type the command again."
        }
    }
}
