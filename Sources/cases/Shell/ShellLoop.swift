import ArgumentParser
import CasesCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The read–run loop, independent of where lines come from (a terminal or a pipe).
struct ShellLoop {
    let session: Session
    let shell: ShellSession
    let idle: TimeInterval
    let vaultName: String
    let source: any LineSource
    /// Unlock attempts that failed in a row; three end the shell.
    var failures = 0

    init(session: Session, shell: ShellSession, idle: TimeInterval) {
        self.session = session
        self.shell = shell
        self.idle = idle
        vaultName = (session.vaultPath as NSString).lastPathComponent
        if Terminal.stdinIsTerminal {
            source = LineEditor(completer: ShellCompleter(shell: shell))
        } else {
            source = PipeLineReader()
        }
    }

    var locked: Bool { shell.unlocked == nil }

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
                lock(
                    reason:
                        "Locked after \(Int(idle)) s without input; the key is wiped. Press Enter to unlock (the passphrase is asked for without being shown)."
                )
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
                shell.unlocked = try session.unlock(try session.open())
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
        let wasUnlocked = shell.unlocked != nil
        shell.unlocked = nil
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
