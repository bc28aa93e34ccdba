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
        Session.shellOptions = global
        defer {
            Session.unlocked = nil // wipes the key: this was its last reference
            Session.shellOptions = nil
        }
        let session = Session(options: global)
        Session.unlocked = try session.unlock(try session.open())
        // Ctrl-C at the first passphrase ends the shell; from here on it abandons one command.
        if Terminal.stdinIsTerminal {
            Interrupt.catchSIGINT()
        }
        defer { Interrupt.releaseSIGINT() }
        var loop = ShellLoop(session: session, idle: TimeInterval(idleTimeout))
        try loop.run()
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
        case .failedWhileLocked: "The line typed while the shell was locked did not work as a command; its message is not shown, as that line may hold your passphrase, so type the command again."
        }
    }
}

/// The read–run loop, independent of where lines come from (a terminal or a pipe).
struct ShellLoop {
    let session: Session
    let idle: TimeInterval
    let vaultName: String
    let source: any LineSource
    /// Unlock attempts that failed in a row; three end the shell.
    var failures = 0

    init(session: Session, idle: TimeInterval) {
        self.session = session
        self.idle = idle
        vaultName = (session.vaultPath as NSString).lastPathComponent
        if Terminal.stdinIsTerminal {
            source = LineEditor(completer: ShellCompleter())
        } else {
            source = PipeLineReader()
        }
    }

    var locked: Bool { Session.unlocked == nil }

    func prompt(secondsLeft: Int?) -> String {
        guard let s = secondsLeft, !locked else { return "cases \(vaultName) [locked]> " }
        return "cases \(vaultName) [\(s / 60):\(String(format: "%02d", s % 60))]> "
    }

    mutating func run() throws {
        var pending = ""
        while true {
            let event = source.read(initial: pending, idle: locked ? nil : idle) { self.prompt(secondsLeft: $0) }
            pending = ""
            switch event {
            case .eof:
                lock(reason: nil)
                return
            case .idle(let partial):
                lock(reason: "Locked after \(Int(idle)) s without input; the key is wiped. Press Enter to unlock (the passphrase is asked for without being shown).")
                pending = partial
            case .line(let line):
                // A line typed at the locked prompt may be the passphrase itself (a caseworker
                // who expects to be asked for it types it there): it never enters the history, and if
                // it fails as a command its message, which could quote it, is not shown.
                let typedWhileLocked = locked && source.isInteractive
                let words: [String]
                do {
                    words = try ShellWords.split(line)
                } catch let e as any CasesError {
                    _ = Output.report(e, json: false)
                    if !typedWhileLocked { source.remember(line) } // so Up brings it back to fix the quote
                    continue
                }
                var args = words
                if args.first == "cases" { args.removeFirst() } // typed out of habit
                switch args.first {
                case nil:
                    if locked { _ = try unlockAgain() }
                    continue
                case "exit", "quit":
                    lock(reason: nil)
                    return
                case "lock":
                    lock(reason: "Locked; the key is wiped. Press Enter to unlock (the passphrase is asked for without being shown).")
                    continue
                case "help":
                    help(args.dropFirst().first)
                    continue
                default:
                    break
                }
                if locked {
                    guard try unlockAgain() else { continue }
                }
                execute(args, quiet: typedWhileLocked)
                if !typedWhileLocked { source.remember(line) }
            }
        }
    }

    /// Asks for the passphrase (or recovery code) again; false when it was refused.
    ///
    /// A wrong passphrase typed on the terminal is asked for again at once, with echo still
    /// off. Going back to the prompt instead made a caseworker who thought they were being
    /// asked again type the passphrase onto the command line: echoed, kept for the Up key, and
    /// quoted back in the command's error.
    mutating func unlockAgain() throws -> Bool {
        while true {
            do {
                Session.unlocked = try session.unlock(try session.open())
                failures = 0
                Terminal.message("Unlocked.")
                return true
            } catch VaultError.shreddedByPolicy(let n) {
                throw VaultError.shreddedByPolicy(n) // nothing is left to unlock: the shell ends
            } catch ShellError.interrupted {
                return false // Ctrl-C at the passphrase: not a failed try
            } catch let e as any CasesError {
                _ = Output.report(e, json: false)
                failures += 1
                if failures >= 3 { throw ShellError.tooManyFailures }
                guard e.kind == .auth, source.isInteractive, session.asksForSecretOnTerminal else { return false }
            }
        }
    }

    /// Drops the unlocked vault (its key is wiped with the last reference) and the history.
    func lock(reason: String?) {
        let wasUnlocked = Session.unlocked != nil
        Session.unlocked = nil
        source.forget()
        if let reason, wasUnlocked { Terminal.message(reason) }
    }

    /// Runs one command through the same parser and error mapping as `cases COMMAND`. `quiet`:
    /// a failure is reported without its message (see ``run()``).
    func execute(_ args: [String], quiet: Bool = false) {
        let json = args.contains("--json")
        Interrupt.clear()
        defer { Interrupt.clear() }
        do {
            var command = try Cases.parseAsRoot(args)
            if command is Shell { throw ShellError.nested }
            try command.run()
            if command is Shred { lock(reason: "The vault is shredded; the shell is locked.") }
        } catch let e as any CasesError {
            if quiet { Terminal.message(ShellError.failedWhileLocked.description) } else { _ = Output.report(e, json: json) }
        } catch {
            let message = Cases.fullMessage(for: error)
            if quiet && Cases.exitCode(for: error) != .success {
                Terminal.message(ShellError.failedWhileLocked.description)
            } else if message.isEmpty {
                // a bare ExitCode: nothing to say
            } else if Cases.exitCode(for: error) == .success {
                Output.line(message)
            } else {
                Terminal.message(message)
            }
        }
        fflush(nil) // every stdio stream, so a command's print() output comes before the next prompt
    }

    func help(_ topic: String?) {
        if let topic {
            execute([topic, "--help"])
            return
        }
        var lines = ["Commands (type `help COMMAND` or `COMMAND --help` for details):"]
        for type in Cases.configuration.subcommands where type != Shell.self && type.configuration.shouldDisplay {
            lines.append("  " + type._commandName.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + type.configuration.abstract)
        }
        lines.append("")
        lines.append("Shell:")
        lines.append("  help       this list")
        lines.append("  lock       lock now: the key is wiped, Enter asks for the passphrase")
        lines.append("  exit, quit leave (so does Ctrl-D); the shell locks first")
        lines.append("")
        lines.append("Tab completes command names and case ids; up and down recall earlier lines.")
        lines.append("History is kept in memory only, never written to disk, and forgotten on lock.")
        lines.append("The shell locks itself after \(Int(idle)) seconds without input.")
        for l in lines { Output.line(l) }
    }
}

// MARK: - Splitting a line into words

/// Splits a typed line into words the way a POSIX shell would for quoting: blanks separate
/// words, 'single quotes' keep everything literally, "double quotes" keep blanks and honour
/// \" \\ \$ \`, and a backslash outside quotes escapes the next character; `#` at the start
/// of a word begins a comment.
///
/// Written here rather than borrowed because nothing in Foundation does it, and handing the
/// line to /bin/sh would also expand variables, globs and `$(…)` — running other programs and
/// putting the line into another process's argv, which this shell exists to avoid.
enum ShellWords {
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var it = Array(line).makeIterator()
        while let c = it.next() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "#" where !inWord:
                return words
            case "'":
                inWord = true
                var closed = false
                while let q = it.next() {
                    if q == "'" { closed = true; break }
                    current.append(q)
                }
                if !closed { throw ShellError.unterminatedQuote }
            case "\"":
                inWord = true
                var closed = false
                while let q = it.next() {
                    if q == "\"" { closed = true; break }
                    if q == "\\" {
                        guard let n = it.next() else { throw ShellError.unterminatedQuote }
                        if !["\"", "\\", "$", "`"].contains(n) { current.append("\\") }
                        current.append(n)
                    } else {
                        current.append(q)
                    }
                }
                if !closed { throw ShellError.unterminatedQuote }
            case "\\":
                guard let n = it.next() else { throw ShellError.danglingBackslash }
                inWord = true
                current.append(n)
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

// MARK: - Completion

/// Candidates for Tab: command names first, a group's subcommands second, case ids after.
struct ShellCompleter {
    static let builtins = ["exit", "help", "lock", "quit"]

    func candidates(words: [String], prefix: String) -> [String] {
        let all: [String]
        if words.isEmpty {
            all = Cases.configuration.subcommands.filter { $0 != Shell.self }.map { $0._commandName } + Self.builtins
        } else if words.count == 1, let group = Cases.configuration.subcommands.first(where: { $0._commandName == words[0] }),
                  !group.configuration.subcommands.isEmpty {
            all = group.configuration.subcommands.map { $0._commandName }
        } else if words.count == 1 && words[0] == "help" {
            all = Cases.configuration.subcommands.filter { $0 != Shell.self }.map { $0._commandName }
        } else if prefix.hasPrefix("-") {
            all = []
        } else {
            all = caseIDs()
        }
        return all.filter { $0.lowercased().hasPrefix(prefix.lowercased()) }.sorted()
    }

    /// The ids of the open vault's cases; none while the shell is locked.
    func caseIDs() -> [String] {
        guard let vault = Session.unlocked, let list = try? Caseload(vault: vault).list() else { return [] }
        return list.cases.map { $0.id.description }
    }
}
