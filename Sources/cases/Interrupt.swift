import CasesCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Ctrl-C inside `cases shell` on a terminal: it abandons the command that is waiting for the
/// caseworker, not the shell.
///
/// The shell runs each command inside its own process, on its unlocked key, so it cannot end a
/// command the way bash ends a child. While it runs, SIGINT only raises a flag. The
/// handler is installed without `SA_RESTART`, so the read a command is blocked in (a question,
/// a passphrase, `--input -` on the terminal) returns `EINTR`, and each of those places calls
/// ``check()``, which throws ``ShellError/interrupted``: nothing was stored yet, and the shell
/// prints its prompt again. A command that is computing rather than waiting (an import, a backup)
/// runs to its end; the flag is cleared before the next one.
enum Interrupt {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0
    nonisolated(unsafe) private static var mainThread = pthread_self()
    nonisolated(unsafe) private static var previous = sigaction()

    /// From now on SIGINT raises the flag instead of ending the process.
    static func catchSIGINT() {
        mainThread = pthread_self()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            // Only the main thread waits for the caseworker; a signal that landed on another
            // thread is passed on, so the main thread's read is the one interrupted.
            if pthread_equal(pthread_self(), Interrupt.mainThread) == 0 {
                pthread_kill(Interrupt.mainThread, SIGINT)
                return
            }
            Interrupt.requested = 1
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0 // no SA_RESTART
        sigaction(SIGINT, &action, &previous)
        // A parent may have started us with SIGINT blocked (util-linux `script` does).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// SIGINT ends the process again, as before ``catchSIGINT()``.
    static func releaseSIGINT() {
        sigaction(SIGINT, &previous, nil)
        requested = 0
    }

    static func clear() { requested = 0 }

    /// Throws ``ShellError/interrupted`` (once) if Ctrl-C was pressed since the last ``clear()``.
    static func check() throws {
        guard requested != 0 else { return }
        requested = 0
        throw ShellError.interrupted
    }
}
