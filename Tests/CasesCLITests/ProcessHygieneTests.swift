import Foundation
import Testing

/// What another process, or a crash, can see of a running `cases`.
@Suite(.serialized) struct ProcessHygieneTests {
    /// Whether this machine writes core files at all (core_pattern "core", a plain process
    /// aborting with an unlimited core limit): the control that makes the next test able to fail.
    static let coresAreWritten: Bool = {
        let dir = NSTemporaryDirectory() + "cases-core-control-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -c unlimited && exec /bin/sleep 30"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        guard (try? p.run()) != nil else { return false }
        // Aborted once sh has become sleep, so that the core would be sleep's own.
        let deadline = Date().addingTimeInterval(20)
        while (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/cmdline", encoding: .utf8))?.hasPrefix("/bin/sleep") != true,
            Date() < deadline
        { usleep(10_000) }
        kill(p.processIdentifier, SIGABRT)
        p.waitUntilExit()
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).contains { $0.hasPrefix("core") }
    }()

    /// Starts `cases import -` with a core limit of "unlimited", feeds it half a document holding
    /// a canary, and returns once it has unlocked and waits for the rest.
    static func startWaitingImport(_ cli: CLIHarness, canary: String) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -c unlimited && exec \"$0\" import - --format jsonl", CLIHarness.binary]
        p.currentDirectoryURL = URL(fileURLWithPath: cli.tmp)
        p.environment = ["CASES_VAULT": cli.vault, "CASES_PASSPHRASE_FILE": cli.passFile, "HOME": cli.folder, "PATH": "/usr/bin:/bin"]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data("{\"principal\": {\"full_name\": \"\(canary)".utf8))
        var waited = 0
        while waited < 100, (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/cmdline", encoding: .utf8))?.contains("import") != true {
            usleep(50_000); waited += 1
        }
        usleep(500_000)
        return (p, input)
    }

    @Test func noPassphraseOrCaseTextInProcCmdlineOrEnviron() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let canary = "PROCCANARY"
        let (p, input) = try Self.startWaitingImport(cli, canary: canary)
        let pid = p.processIdentifier
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
        #expect(!cmdline.isEmpty)
        #expect(environ.range(of: Data("CASES_PASSPHRASE_FILE".utf8)) != nil) // we are reading the right process
        for secret in ["correct horse battery staple", canary] {
            #expect(cmdline.range(of: Data(secret.utf8)) == nil, "argv holds \(secret)")
            #expect(environ.range(of: Data(secret.utf8)) == nil, "environment holds \(secret)")
        }
        // Started with an unlimited core limit, the process lowered it to 0 itself.
        let limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        #expect(core.split(separator: " ").filter { !$0.isEmpty }.dropFirst(4).prefix(2) == ["0", "0"], "\(core)")
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
    }

    @Test(.enabled(if: ProcessHygieneTests.coresAreWritten, "this machine writes no core files even for a plain process"))
    func abortWhileUnlockedLeavesNoCore() throws {
        let cli = try CLIHarness()
        try cli.initVault()
        let (p, _) = try Self.startWaitingImport(cli, canary: "CORECANARY")
        kill(p.processIdentifier, SIGABRT)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        let left = try FileManager.default.contentsOfDirectory(atPath: cli.tmp)
        #expect(!left.contains { $0.hasPrefix("core") }, "a core file was written: \(left)")
    }
}
