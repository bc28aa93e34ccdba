import Foundation

/// Runs the built `cases` binary in a private temp folder, as a caseworker's shell would.
final class CLIHarness: @unchecked Sendable {
    let folder: String
    let passFile: String
    var vault: String { folder + "/vault/vault.cases" }
    let tmp: String

    static let binary: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [dir.appendingPathComponent("cases").path]
        // swift-testing may run from a helper; fall back to the package's build folder.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/cases").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    init() throws {
        folder = NSTemporaryDirectory() + "cases-cli-" + UUID().uuidString
        tmp = folder + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        passFile = folder + "/pass"
        try Data("correct horse battery staple\n".utf8).write(to: URL(fileURLWithPath: passFile))
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    struct Result {
        var code: Int32
        var out: String
        var err: String
    }

    /// Runs `cases ARGS` with the vault and passphrase file in the environment (as scripts do).
    @discardableResult
    func run(_ args: [String], stdin: String? = nil, env extra: [String: String] = [:], passphrase: Bool = true) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        var env = ["PATH": "/usr/bin:/bin", "HOME": folder, "TMPDIR": tmp, "CASES_VAULT": vault, "NO_COLOR": "1"]
        if passphrase { env["CASES_PASSPHRASE_FILE"] = passFile }
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outBox = Box<Data>(Data())
        let group = DispatchGroup()
        group.enter()
        let reader = out.fileHandleForReading
        DispatchQueue.global().async {
            outBox.value = reader.readDataToEndOfFile(); group.leave()
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let outData = outBox.value
        p.waitUntilExit()
        return Result(code: p.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    func initVault() throws {
        let r = try run(["init", "--kdf", "interactive", "--label", "tester"])
        precondition(r.code == 0, "init failed: \(r.err)")
    }

    func json(_ s: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any] ?? [:]
    }

    /// Every file under the test folder (vault, WAL, journal, temp).
    func allFiles() -> [String] {
        let e = FileManager.default.enumerator(atPath: folder)
        var out: [String] = []
        while let f = e?.nextObject() as? String { out.append(folder + "/" + f) }
        return out
    }

    static func caseJSON(_ canary: String = "Ivanov") -> String {
        """
        {"principal": {"full_name": "Pyotr \(canary)", "aliases": ["P \(canary)"], "birth_year": 1985, "citizenship": "RU",
          "segment": "journalist", "reason": "criminal_prosecution", "current_country": "RU", "current_city": "Moscow \(canary)",
          "languages": ["ru \(canary)"],
          "contact": {"signal": "sig \(canary)", "email": "\(canary)@example.org", "phone": "+7 \(canary)", "intermediary": "via \(canary)"},
          "consent": {"given_on": "2021-03-02", "channel": "signal \(canary)"}},
         "family": [{"relation": "child", "full_name": "Child \(canary)", "birth_year": 2015, "needs": "school \(canary)"}],
         "caseworker": "cw \(canary)",
         "notes": "first \(canary)"}
        """
    }
}

/// A mutable cell shared with one background reader; the DispatchGroup orders the accesses.
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}
