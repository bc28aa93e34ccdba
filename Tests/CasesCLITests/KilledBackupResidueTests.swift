import CasesCrypto
import CasesTestSupport
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// `cases backup create` and `cases backup restore` killed with SIGKILL at random moments, with
/// and without another connection pinning the vault's WAL, then `cases shred`: no wrapped key
/// and no salt of any keyslot is left in any file under the vault's folder or the temp folder.
/// A copy of the keyslots that a killed process left there would still open, with the
/// passphrase, every case of the shredded vault.
///
/// The moments come from a seeded generator; every failure names the seed, and
/// `CASES_TEST_SEED=N` runs the same moments again.
@Suite(.serialized, .tags(.slow)) struct KilledBackupResidueTests {
    /// A vault as a working day leaves it, and two backups of it.
    struct Template {
        let main: Data
        let wal: Data
        /// Every wrapped key and salt of the vault's keyslots.
        let material: [Data]
        let recipient: String
        let identityFile: String
        /// Taken the normal way, and while another connection pinned the WAL.
        let backups: [String]
    }

    enum Command: String { case create, restore }

    struct Tally {
        var runs = 0, kills = 0
    }

    let seed = TestSeed.value(for: "KilledBackupResidue", default: 20_260_104)

    /// Two caseworkers' slots and the recovery slot, a few hundred cases, and a WAL still beside
    /// the file (the session that wrote them is still open).
    static func makeTemplate(_ cli: CLIHarness) throws -> Template {
        try cli.initVault()
        var bytes = Array("correct horse battery staple".utf8)
        let unlocked = try Vault.open(at: cli.vault).unlock(passphrase: try SecretBytes.consuming(&bytes))
        var second = Array("second caseworker keeps the ledger 7".utf8)
        try unlocked.addKeyslot(passphrase: try SecretBytes.consuming(&second), profile: .interactive, label: "B")
        _ = try Caseload(vault: unlocked).open(Array(SyntheticCaseload(count: longTests ? 1500 : 250, seed: 15)))
        let material = try unlocked.vault.read { db in
            try Data.fetchAll(db, sql: "SELECT wrapped_key FROM keyslot") + Data.fetchAll(db, sql: "SELECT salt FROM keyslot")
        }
        let main = try Data(contentsOf: URL(fileURLWithPath: cli.vault))
        let wal = try Data(contentsOf: URL(fileURLWithPath: cli.vault + "-wal"))
        #expect(material.count == 6)
        #expect(wal.count > 0)

        let identityFile = cli.folder + "/hq-key.txt"
        let keygen = try cli.run(["backup", "keygen", "--out", identityFile, "--json"])
        let recipient = try #require(cli.json(keygen.out)["recipient"] as? String, "\(keygen.err)")
        var backups: [String] = []
        for pinned in [false, true] {
            let path = try copy(main, wal, to: cli.folder + "/backup-source-\(pinned)")
            let pin = pinned ? try Self.pin(path) : nil
            let out = cli.folder + "/template-\(pinned).age"
            let made = try cli.run(["backup", "create", "--out", out, "--recipient", recipient, "--vault", path])
            #expect(made.code == 0, "\(made.err)")
            // The pin held: the backup could not fold the WAL back into the file.
            if pinned { #expect(((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size]) as? Int ?? 0) > 0) }
            try pin?.close()
            backups.append(out)
        }
        return Template(main: main, wal: wal, material: material, recipient: recipient, identityFile: identityFile, backups: backups)
    }

    /// A fresh copy of the vault's files in a new private folder.
    static func copy(_ main: Data, _ wal: Data, to folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder + "/vault.cases"
        try main.write(to: URL(fileURLWithPath: path))
        try wal.write(to: URL(fileURLWithPath: path + "-wal"))
        chmod(path, 0o600)
        chmod(path + "-wal", 0o600)
        return path
    }

    /// A second connection holding a read transaction that started while the WAL had frames, as
    /// `sqlite3 vault.cases` with `BEGIN; SELECT …` open in another terminal does: no checkpoint
    /// can then empty the WAL.
    static func pin(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        try queue.inDatabase { db in
            try db.execute(sql: "BEGIN")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM keyslot")
        }
        return queue
    }

    /// Every file under `folders` that holds a byte sequence of `material`.
    static func holders(of material: [Data], under folders: [String]) -> [String] {
        var found: [String] = []
        for folder in folders {
            let e = FileManager.default.enumerator(atPath: folder)
            while let name = e?.nextObject() as? String {
                let path = folder + "/" + name
                guard let bytes = FileManager.default.contents(atPath: path) else { continue }
                if material.contains(where: { bytes.range(of: $0) != nil }) { found.append(path) }
            }
        }
        return found
    }

    /// The size of the newest file in `folder` whose name has `marker`, or nil if none.
    static func sizeOfFile(in folder: String, containing marker: String) -> Int? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.contains(marker) }.compactMap {
            (try? FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.size]) as? Int
        }.max()
    }

    @Test func killedBackupsAndRestoresLeaveNoKeyslotAfterShred() throws {
        let cli = try CLIHarness()
        let t = try Self.makeTemplate(cli)
        var random = SeededRandom(seed: seed)
        let killsEach = longTests ? 40 : 4
        var tally = Tally()
        var durations: [String: [Double]] = [:]
        var sizes: [String: Int] = [:]

        for command in [Command.create, .restore] {
            for pinned in [false, true] {
                let kind = "\(command.rawValue)\(pinned ? " (WAL pinned)" : "")"
                for n in 0..<(killsEach + 1) {
                    let warmingUp = n == 0
                    let tag = "\(command.rawValue)-\(pinned)-\(n)"
                    let folder = cli.folder + "/" + tag
                    let args: [String]
                    let path: String
                    let growing: String
                    var pin: DatabaseQueue?
                    switch command {
                    case .create:
                        path = try Self.copy(t.main, t.wal, to: folder)
                        if pinned { pin = try Self.pin(path) }
                        args = ["backup", "create", "--out", folder + "/backup.age", "--recipient", t.recipient, "--vault", path]
                        growing = ".backup.age.partial-"
                    case .restore:
                        try FileManager.default.createDirectory(
                            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                        path = folder + "/vault.cases"
                        args = ["backup", "restore", t.backups[pinned ? 1 : 0], "--to", path, "--identity", t.identityFile]
                        growing = ".vault.cases.partial-"
                    }

                    let started = Date()
                    let (child, _, err) = try cli.spawn(args, tag: tag)
                    var how = "finished"
                    if !warmingUp {
                        let span = durations[kind, default: [1]].sorted()[durations[kind, default: [1]].count / 2]
                        if random.chance(50) {
                            // Anywhere in the run, a little past its usual end.
                            let delay = Double(random.below(1_000_000)) / 1_000_000 * span * 1.05
                            how = "after \(Int(delay * 1000)) ms"
                            try waitUntil(seconds: delay + 10, what: "\(kind) run \(n)") {
                                child.hasEnded || Date().timeIntervalSince(started) >= delay
                            }
                        } else {
                            // Once the file it writes has grown to a random size: mid-copy.
                            let target = 1 + random.below(max(sizes[kind, default: 1], 1))
                            how = "at \(target) bytes written"
                            try waitUntil(seconds: span * 4 + 10, what: "\(kind) run \(n)") {
                                child.hasEnded || (Self.sizeOfFile(in: folder, containing: growing) ?? 0) >= target
                            }
                        }
                        child.kill()
                    }
                    let ending = child.wait()
                    let elapsed = Date().timeIntervalSince(started)
                    try pin?.close()
                    tally.runs += 1
                    let what = "\(kind), run \(n), killed \(how), \(ending) (seed \(seed))"
                    if warmingUp {
                        #expect(ending == .exited(0), "\(what): \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
                        durations[kind, default: []].append(elapsed)
                        let written = command == .create ? folder + "/backup.age" : path
                        sizes[kind] = (try? FileManager.default.attributesOfItem(atPath: written)[.size]) as? Int
                        // The control: the search finds the keyslots where they are.
                        if command == .restore { #expect(Self.holders(of: t.material, under: [folder]) == [path], "\(what)") }
                    } else if case .signalled = ending {
                        tally.kills += 1
                    }

                    let shred = try cli.run(["shred", "--yes", "--vault", path])
                    // A restore killed before it wrote anything leaves nothing to shred.
                    #expect(shred.code == 0 || (command == .restore && shred.code == 66), "\(what): shred exited \(shred.code): \(shred.err)")
                    let left = Self.holders(of: t.material, under: [folder, cli.tmp])
                    #expect(left.isEmpty, "\(what): keyslot bytes left in \(left.map { ($0 as NSString).lastPathComponent })")
                    try? FileManager.default.removeItem(atPath: folder)
                }
            }
        }
        print("KilledBackupResidue: \(tally.runs) runs, \(tally.kills) SIGKILLs (seed \(seed))")
        #expect(tally.kills >= killsEach * 4 / 2, "only \(tally.kills) kills landed (seed \(seed))")
    }

    /// Polls `condition` until it holds; records a failure if it does not within `seconds`.
    func waitUntil(seconds: Double, what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else {
                Issue.record("\(what): still running after \(Int(seconds)) s (seed \(seed))")
                return
            }
            usleep(200)
        }
    }
}
