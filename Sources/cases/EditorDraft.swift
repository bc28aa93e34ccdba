import CasesCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The file in /dev/shm (memory, never the disk) where `$EDITOR` writes a note, and what
/// removes it when `cases` is stopped while the editor is open.
///
/// SIGHUP (the terminal closed), SIGTERM and SIGINT empty and remove the draft at once, stop
/// the editor (so a later save cannot write the file again), and then end `cases` as the signal
/// would have; inside `cases shell` SIGINT abandons the note instead, as it does any command
/// waiting for the caseworker. SIGKILL cannot be caught: the draft's name carries the pid of
/// the `cases` that made it, and every start removes the drafts whose process is gone.
enum EditorDraft {
    static let folder = "/dev/shm"
    static let prefix = "cases-note-"

    // Read by the signal handler, which may touch nothing else: a C string and two integers.
    nonisolated(unsafe) private static var activePath: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var editorPID: pid_t = 0
    nonisolated(unsafe) private static var abandonOnSIGINT: sig_atomic_t = 0
    static let signals = [SIGHUP, SIGTERM, SIGINT]
    nonisolated(unsafe) private static var blockedBefore = sigset_t()

    /// Runs `$EDITOR` on a new draft and returns what was written; nil if no draft can be made.
    static func edit() throws -> String? {
        let path = "\(folder)/\(prefix)\(getpid())-\(UUID().uuidString)"
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        close(fd)
        let previous = watch(path)
        defer {
            unwatch(previous)
            destroy(path)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `exec`: the pid is the editor's own, so a signal forwarded to it reaches it.
        p.arguments = ["-c", "exec $EDITOR \"$1\"", "sh", path]
        try p.run()
        editorPID = p.processIdentifier
        p.waitUntilExit()
        editorPID = 0
        var data = FileManager.default.contents(atPath: path) ?? Data()
        defer { data.resetBytes(in: 0..<data.count) }
        try Interrupt.check() // Ctrl-C inside `cases shell`: the note is abandoned
        return String(decoding: data, as: UTF8.self)
    }

    /// Overwrites the draft with zeros, then removes it.
    private static func destroy(_ path: String) {
        if let h = FileHandle(forUpdatingAtPath: path) {
            let size = (try? h.seekToEnd()) ?? 0
            try? h.seek(toOffset: 0)
            try? h.write(contentsOf: Data(count: Int(size)))
            try? h.synchronize()
            try? h.close()
        }
        unlink(path)
    }

    private static func watch(_ path: String) -> [sigaction] {
        abandonOnSIGINT = Session.inShell ? 1 : 0
        activePath = strdup(path)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in EditorDraft.onSignal(sig) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        let previous = signals.map { sig in
            var old = sigaction()
            sigaction(sig, &action, &old)
            return old
        }
        // A parent may have started us with them blocked (util-linux `script` does).
        var set = sigset_t()
        sigemptyset(&set)
        for sig in signals { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, &blockedBefore)
        return previous
    }

    private static func unwatch(_ previous: [sigaction]) {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in signals { sigaddset(&set, sig) }
        pthread_sigmask(SIG_BLOCK, &set, nil) // no handler may read the path while it is freed
        for (sig, var action) in zip(signals, previous) { sigaction(sig, &action, nil) }
        let path = activePath
        activePath = nil
        pthread_sigmask(SIG_SETMASK, &blockedBefore, nil)
        free(path)
    }

    /// Async-signal-safe calls only: open, ftruncate, close, unlink, kill, signal, raise.
    private static func onSignal(_ sig: Int32) {
        if let path = activePath {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd >= 0 {
                _ = ftruncate(fd, 0)
                close(fd)
            }
            unlink(path)
        }
        if editorPID > 0 { kill(editorPID, SIGTERM) }
        if sig == SIGINT && abandonOnSIGINT != 0 {
            Interrupt.requested = 1
            return
        }
        signal(sig, SIG_DFL)
        raise(sig)
    }

    /// Empties and removes every draft whose `cases` process is gone (killed with SIGKILL while
    /// its editor was open). Only this user's regular files; a draft whose pid is alive, or
    /// whose name carries none, is left alone.
    static func sweepStale() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            let path = folder + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == getuid() else { continue }
            destroy(path)
        }
    }
}
