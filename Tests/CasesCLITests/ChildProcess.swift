import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whether the deeper reliability runs are asked for (`CASES_LONG_TESTS=1`); CI runs the short ones.
let longTests = ProcessInfo.processInfo.environment["CASES_LONG_TESTS"] == "1"

/// A child process started with `posix_spawn` and reaped only by ``wait()``.
///
/// Foundation's `Process` reaps its children in the background, so a pid it has reaped could be
/// reused by the time a test sends SIGKILL. Here the child stays a zombie until `wait()`, so
/// `kill()` can only ever reach the process this test started.
final class ChildProcess {
    let pid: pid_t
    private var reaped = false

    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Starts `executable ARGS` with exactly `environment`, stdin from `stdin` (or /dev/null),
    /// stdout and stderr to the named files.
    init(
        _ executable: String, _ arguments: [String], environment: [String: String],
        stdin: String = "/dev/null", stdout: String, stderr: String
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        pid = child
    }

    /// Sends SIGKILL; harmless if the child already ended (it is a zombie until reaped).
    func kill() {
        precondition(!reaped)
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Whether the child has ended, without reaping it (so ``kill()`` still reaches only it).
    var hasEnded: Bool {
        precondition(!reaped)
        var info = siginfo_t()
        // Linux zeroes `info` when no child has changed state (WNOHANG); WNOWAIT leaves it a zombie.
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_signo == SIGCHLD
    }

    /// Reaps the child and says how it ended.
    @discardableResult
    func wait() -> Ending {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
    }

    deinit {
        if !reaped {
            _ = Glibc.kill(pid, SIGKILL)
            wait()
        }
    }
}

extension CLIHarness {
    /// The environment `run` gives the binary.
    var environment: [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": folder, "TMPDIR": tmp, "CASES_VAULT": vault, "NO_COLOR": "1", "CASES_PASSPHRASE_FILE": passFile]
    }

    /// Starts `cases ARGS` without waiting; its output goes to files under the harness folder.
    func spawn(_ args: [String], stdin: String = "/dev/null", tag: String) throws -> (ChildProcess, out: String, err: String) {
        let out = folder + "/\(tag).out", err = folder + "/\(tag).err"
        return (try ChildProcess(Self.binary, args, environment: environment, stdin: stdin, stdout: out, stderr: err), out, err)
    }

    /// Runs `cases ARGS` under `sh` with the file-size limit set to `blocks` (of 512 bytes, as
    /// dash counts them) and SIGXFSZ ignored, so a write past the limit fails with EFBIG, as on a
    /// full disk, instead of killing the process.
    func runLimited(_ args: [String], fileSizeBlocks blocks: Int, tag: String) throws -> Result {
        let out = folder + "/\(tag).out", err = folder + "/\(tag).err"
        let script = "trap '' XFSZ; ulimit -f \(blocks); exec \"$0\" \"$@\""
        let child = try ChildProcess("/bin/sh", ["-c", script, Self.binary] + args, environment: environment, stdout: out, stderr: err)
        guard case .exited(let code) = child.wait() else { return Result(code: -1, out: "", err: "killed by a signal") }
        defer { unlink(out); unlink(err) }
        return Result(
            code: code, out: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            err: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}
