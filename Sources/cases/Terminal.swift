import CasesCore
import CasesCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Everything that talks to a person at a terminal: prompts, hidden passphrase entry, colour.
enum Terminal {
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Colour only on a terminal, and never with NO_COLOR set.
    static var useColour: Bool { stderrIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    /// A line on stderr. Never traps: when stderr is a file on a full disk, the exit code is
    /// all that can still be said (`FileHandle.write(_:)` would stop the process with SIGILL).
    static func message(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Reads a passphrase from the controlling terminal with echo off, straight into sodium memory.
    static func readSecret(prompt: String) throws -> SecretBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw SessionError.noTerminal }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { throw SessionError.noTerminal }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ICANON)
        // Echo off and keys typed ahead dropped first, then the prompt: a key typed after the
        // prompt appears is never dropped, and none is ever echoed.
        tcsetattr(fd, TCSAFLUSH, &quiet)
        _ = write(fd, prompt, prompt.utf8.count)
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            _ = write(fd, "\n", 1)
        }
        // A Ctrl-C typed ahead, before the read began, raised the flag but interrupts no read:
        // without this check the next keys (the shell's next command) became the passphrase.
        try Interrupt.check()
        return try SecretInput.firstLine(fromDescriptor: fd, source: "the terminal", onSignal: Interrupt.check)
    }

    /// A visible line from stdin (for case details, not secrets); nil at end of input. Throws
    /// ``ShellError/interrupted`` on Ctrl-C inside `cases shell`.
    static func ask(_ question: String) throws -> String? {
        // Inside `cases shell` fed by a pipe, the next lines are the shell's commands.
        if Session.inShell && !stdinIsTerminal { return nil }
        try Interrupt.check()
        FileHandle.standardError.write(Data(question.utf8))
        do {
            return try readLineOfStdin()
        } catch ShellError.interrupted {
            message("") // the terminal echoed ^C after the question; the error goes below it
            throw ShellError.interrupted
        }
    }

    /// One line from stdin without its newline; nil at end of input. Read with `read(2)`, not
    /// Swift's `readLine`, which retries a read interrupted by a signal and then spins for ever
    /// on the stream's error flag.
    private static func readLineOfStdin() throws -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(STDIN_FILENO, &byte, 1)
            if n == 1 {
                if byte == UInt8(ascii: "\n") { break }
                bytes.append(byte)
            } else if n == 0 {
                if bytes.isEmpty { return nil }
                break
            } else if errno == EINTR {
                try Interrupt.check()
            } else {
                return nil
            }
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Everything on stdin until its end, read with `read(2)` so that Ctrl-C inside
    /// `cases shell` stops it.
    static func readAllOfStdin() throws -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(STDIN_FILENO, &chunk, chunk.count)
            if n > 0 {
                data.append(contentsOf: chunk[..<n])
            } else if n == 0 {
                return data
            } else if errno == EINTR {
                try Interrupt.check()
            } else {
                throw InputFileError.unreadable("stdin")
            }
        }
    }
}
