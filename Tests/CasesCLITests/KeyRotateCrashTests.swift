import CasesCrypto
import CasesTestSupport
import Foundation
import Testing

@testable import CasesCore

/// `cases key rotate` killed with SIGKILL at random moments: after every kill the vault is
/// either the old one (every old slot opens it, the old recovery code included) or the new one
/// (only the kept passphrase and the new recovery code do), never a mix; `audit verify` passes
/// and every case is there; and once the vault is new, no byte of any old keyslot is left in
/// any file under its folder.
@Suite(.serialized, .tags(.slow)) struct KeyRotateCrashTests {
    struct Template {
        let folder: String
        let recoveryFile: String
        let secondFile: String
        let cases: Int
        /// Every wrapped key and salt of the old keyslots.
        let material: [Data]
        let main: Data
    }

    static func makeTemplate(_ cli: CLIHarness) throws -> Template {
        let made = try cli.run(["init", "--kdf", "interactive", "--label", "tester", "--json"])
        #expect(made.code == 0, "\(made.err)")
        let folder = cli.folder + "/template"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let recoveryFile = cli.folder + "/recovery", secondFile = cli.folder + "/second"
        try Data(((cli.json(made.out)["recovery_code"] as? String ?? "") + "\n").utf8).write(to: URL(fileURLWithPath: recoveryFile))
        try Data("second caseworker horse battery 7\n".utf8).write(to: URL(fileURLWithPath: secondFile))
        let cases = 1500
        let material: [Data]
        do {
            var bytes = Array("correct horse battery staple".utf8)
            let unlocked = try Vault.open(at: cli.vault).unlock(passphrase: try SecretBytes.consuming(&bytes))
            var second = Array("second caseworker horse battery 7".utf8)
            try unlocked.addKeyslot(passphrase: try SecretBytes.consuming(&second), profile: .interactive, label: "B")
            let load = Caseload(vault: unlocked)
            _ = try load.open(Array(SyntheticCaseload(count: cases, seed: 17)))
            _ = try load.publish(try TableSpec(period: Period(year: 2021)))
            try unlocked.setUnlockPolicy(shredAfter: 50)
            material = try unlocked.vault.read { db in
                try Data.fetchAll(db, sql: "SELECT wrapped_key FROM keyslot") + Data.fetchAll(db, sql: "SELECT salt FROM keyslot")
            }
            unlocked.vault.foldWAL()
        }
        try FileManager.default.copyItem(atPath: cli.vault, toPath: folder + "/vault.cases")
        let t = Template(
            folder: folder, recoveryFile: recoveryFile, secondFile: secondFile, cases: cases, material: material,
            main: try Data(contentsOf: URL(fileURLWithPath: folder + "/vault.cases")))
        #expect(material.count == 6)
        return t
    }

    @Test func sigkillLeavesTheOldVaultOrTheNewOneAndNoOldKeyslotBeside() throws {
        let seed = TestSeed.value(for: "KeyRotateCrash", default: 20_260_103)
        var rng = SeededRandom(seed: seed)
        let cli = try CLIHarness()
        let t = try Self.makeTemplate(cli)
        let wantedKills = longTests ? 200 : 24
        var durations: [Double] = []
        var kills = 0, killedAfterCommit = 0, old = 0, new = 0

        for n in 0..<(wantedKills + 3) {
            let what = "run \(n) (seed \(seed))"
            let folder = cli.folder + "/run\(n)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let path = folder + "/vault.cases"
            try t.main.write(to: URL(fileURLWithPath: path))
            chmod(path, 0o600)
            let warmingUp = n < 3
            let started = Date()
            let child = try ChildProcess(
                CLIHarness.binary, ["key", "rotate", "--yes", "--json", "--vault", path], environment: cli.environment,
                stdout: folder + "/out", stderr: folder + "/err")
            var afterCommit = false
            if !warmingUp {
                let span = durations.sorted()[durations.count / 2]
                switch rng.below(3) {
                case 0:
                    // Right after the commit reached the WAL, while the old pages are still in the
                    // file: the moment a rotation is most likely to leave both keys' pages about.
                    let deadline = Date().addingTimeInterval(span * 2)
                    // Seen twice, 1 ms apart: a WAL caught while SQLite rewrites or removes it can
                    // look committed for an instant.
                    func committed() -> Bool {
                        Self.rotationHasCommitted(path)
                            && {
                                usleep(1000); return Self.rotationHasCommitted(path)
                            }()
                    }
                    while !committed() && Date() < deadline { usleep(500) }
                    afterCommit = committed()
                case let third:
                    // Anywhere over the run, or over its later part, where it writes (the start
                    // is process launch and Argon2id).
                    let from = third == 1 ? 0 : span * 0.4
                    usleep(UInt32((from + (span * 1.02 - from) * Double(rng.next() >> 11) / Double(1 << 53)) * 1_000_000))
                }
                child.kill()
            }
            let ending = child.wait()
            if warmingUp {
                #expect(ending == .exited(0), "\(what): \((try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? "")")
                durations.append(Date().timeIntervalSince(started))
            } else if case .signalled = ending {
                kills += 1
                if afterCommit { killedAfterCommit += 1 }
            }
            #expect(ending == .exited(0) || ending == .signalled(SIGKILL), "\(what): \(ending)")

            let isNew = try check(path, t, after: what)
            if isNew { new += 1 } else { old += 1 }
            if afterCommit { #expect(isNew, "\(what): killed after its commit, the vault is the old one") }
            if ending == .exited(0) {
                // A rotation that said it was done is done, and its code opens the vault.
                #expect(isNew, "\(what): the rotation exited 0 but the vault is the old one")
                let out = (try? String(contentsOfFile: folder + "/out", encoding: .utf8)) ?? ""
                let code = try #require(cli.json(out)["recovery_code"] as? String, "\(what): \(out)")
                try Data((code + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/recovery"))
                #expect(try cli.run(["list", "--vault", path, "--recovery-file", folder + "/recovery"]).code == 0, "\(what)")
            }
            try? FileManager.default.removeItem(atPath: folder)
        }
        print(
            "KeyRotateCrash: seed \(seed); \(kills) SIGKILLs (\(killedAfterCommit) right after the commit); vault old after \(old) runs, new after \(new)"
        )
        #expect(kills >= wantedKills / 2, "seed \(seed)")
        // Without kills between the commit and the checkpoint the test would prove little.
        #expect(killedAfterCommit >= wantedKills / 6, "seed \(seed): only \(killedAfterCommit) kills landed after the commit")
    }

    /// Whether the rotation has committed and its checkpoint not yet emptied the WAL: the vault
    /// is in the WAL mode a rotation alone uses (its index in the process's memory, so no
    /// `-shm` file), the WAL holds more than a few frames, and its last whole frame is a commit
    /// frame (its "database size" field is set). The unlock policy's commits before the rotation
    /// are a frame or two each, in a WAL that, as it is folded and deleted, briefly has no
    /// `-shm` beside it either; the rotation's one transaction is hundreds of frames.
    static func rotationHasCommitted(_ vault: String) -> Bool {
        let path = vault + "-wal"
        guard !FileManager.default.fileExists(atPath: vault + "-shm"), let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 32 + 24, (try? handle.seek(toOffset: 8)) != nil,
            let header = try? handle.read(upToCount: 4), header.count == 4
        else { return false }
        let pageSize = UInt64(header.reduce(0) { $0 << 8 | UInt32($1) })
        guard pageSize >= 512 else { return false }
        let frames = (size - 32) / (24 + pageSize)
        guard frames > 16, (try? handle.seek(toOffset: 32 + (frames - 1) * (24 + pageSize) + 4)) != nil,
            let commit = try? handle.read(upToCount: 4), commit.count == 4
        else { return false }
        return commit.contains { $0 != 0 }
    }

    /// Checks the vault at `path` after a run, and says whether it is the new one.
    func check(_ path: String, _ t: Template, after what: String) throws -> Bool {
        let cli = try CLIHarness()
        // The next command opens it as a caseworker would (recovering from the WAL).
        let slots = try cli.run(["key", "list", "--json", "--vault", path])
        #expect(slots.code == 0, "\(what): the kept passphrase does not open the vault: \(slots.err)")
        let count = (cli.json(slots.out)["keyslots"] as? [Any])?.count ?? 0
        let oldRecovery = try cli.run(["list", "--vault", path, "--recovery-file", t.recoveryFile]).code
        let second = try cli.run(["list", "--vault", path, "--passphrase-file", t.secondFile], passphrase: false).code
        let isNew = oldRecovery != 0
        if isNew {
            #expect(
                oldRecovery == 77 && second == 77 && count == 2, "\(what): a mix: old recovery \(oldRecovery), second slot \(second), \(count) slots")
            for file in FileManager.default.enumerator(atPath: (path as NSString).deletingLastPathComponent)?.allObjects as? [String] ?? [] {
                let bytes = FileManager.default.contents(atPath: (path as NSString).deletingLastPathComponent + "/" + file) ?? Data()
                for m in t.material { #expect(bytes.range(of: m) == nil, "\(what): \(file) still holds an old keyslot") }
            }
        } else {
            #expect(second == 0 && count == 3, "\(what): a mix: the old recovery code opens, second slot \(second), \(count) slots")
        }
        let audit = try cli.run(["audit", "verify", "--vault", path])
        #expect(audit.code == 0, "\(what): \(audit.out) \(audit.err)")
        let listed = try cli.run(["list", "--json", "--vault", path])
        #expect((cli.json(listed.out)["cases"] as? [Any])?.count == t.cases, "\(what): cases lost")
        return isNew
    }
}
