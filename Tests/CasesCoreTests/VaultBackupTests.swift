import AgeFormat
import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

@Suite struct VaultBackupTests {
    static var ageAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/age") }

    func filledVault(cases n: Int = 3) throws -> (TestVault, [CaseID]) {
        let t = try TestVault()
        var ids: [CaseID] = []
        for _ in 0..<n {
            let id = try t.caseload.open(sampleDocument())
            _ = try t.caseload.advance(id, document: CaseloadTests.assessment)
            ids.append(id)
        }
        return (t, ids)
    }

    func restoreUnlock(_ v: Vault) throws -> UnlockedVault { try v.unlock(passphrase: try secret(TestVault.passphrase)) }

    @Test func backupRestoresToAnIdenticalCaseload() throws {
        let (t, ids) = try filledVault()
        let identity = try AgeX25519Identity.generate()
        let out = t.folder.path + "/backup.age"
        try VaultBackup.create(vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)])
        let verified = try VaultBackup.verify(file: out, identities: [.x25519(identity)])
        #expect(verified.bytes > 0)
        let target = t.folder.path + "/restored/vault.cases"
        let summary = try VaultBackup.restore(file: out, to: target, identities: [.x25519(identity)], unlock: restoreUnlock)
        #expect(summary.cases == 3)
        let restored = Caseload(vault: try restoreUnlock(try Vault.open(at: target)))
        for id in ids { #expect(try restored.show(id) == t.caseload.show(id)) }
        #expect(try restored.verifyAudit().ok)
        var st = stat()
        stat(target, &st)
        #expect(st.st_mode & 0o777 == 0o600)
    }

    @Test func restoreRefusesToOverwriteAndWrongKeys() throws {
        let (t, _) = try filledVault(cases: 1)
        let identity = try AgeX25519Identity.generate()
        let out = t.folder.path + "/backup.age"
        try VaultBackup.create(vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)])
        #expect(throws: StorageError.exists(out)) {
            try VaultBackup.create(vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)])
        }
        #expect(throws: StorageError.exists(t.path)) {
            try VaultBackup.restore(file: out, to: t.path, identities: [.x25519(identity)], unlock: restoreUnlock)
        }
        let stranger = try AgeX25519Identity.generate()
        let target = t.folder.path + "/r/vault.cases"
        do {
            _ = try VaultBackup.restore(file: out, to: target, identities: [.x25519(stranger)], unlock: restoreUnlock)
            Issue.record("restored with the wrong identity")
        } catch let e as BackupError {
            #expect(e.kind == .auth)
        }
        // A wrong vault passphrase after a good decryption: still nothing at the target.
        #expect(throws: VaultError.wrongPassphrase) {
            try VaultBackup.restore(
                file: out, to: target, identities: [.x25519(identity)],
                unlock: { try $0.unlock(passphrase: try secret("wrong")) })
        }
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.folder.path + "/r").isEmpty)
    }

    @Test func damagedBackupsAreRejectedAndWriteNothing() throws {
        let (t, _) = try filledVault(cases: 2)
        let identity = try AgeX25519Identity.generate()
        let out = t.folder.path + "/backup.age"
        try VaultBackup.create(vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)])
        let good = try Data(contentsOf: URL(fileURLWithPath: out))
        let variants: [(String, Data)] = [
            ("truncated", good.prefix(good.count - 100)),
            (
                "flipped payload byte",
                {
                    var d = good; d[d.count - 40] ^= 1; return d
                }()
            ),
            (
                "flipped header byte",
                {
                    var d = good; d[30] ^= 1; return d
                }()
            ),
            ("appended", good + Data([0])),
        ]
        for (name, bytes) in variants {
            let bad = t.folder.path + "/bad-\(name.replacingOccurrences(of: " ", with: "-")).age"
            try bytes.write(to: URL(fileURLWithPath: bad))
            let target = t.folder.path + "/out-\(name.count)/vault.cases"
            do {
                _ = try VaultBackup.restore(file: bad, to: target, identities: [.x25519(identity)], unlock: restoreUnlock)
                Issue.record("\(name) backup restored")
            } catch let e as BackupError {
                // A damaged stanza can read as an unknown recipient type: exit 65 either way.
                #expect([.integrity, .invalidInput].contains(e.kind), "\(name): \(e)")
            }
            #expect(!FileManager.default.fileExists(atPath: target), "\(name) left a vault")
            #expect(throws: BackupError.self) { try VaultBackup.verify(file: bad, identities: [.x25519(identity)]) }
            let plain = t.folder.path + "/plain-\(name.count)"
            #expect(throws: BackupError.self) { try VaultBackup.decrypt(file: bad, output: plain, identities: [.x25519(identity)]) }
            #expect(!FileManager.default.fileExists(atPath: plain), "\(name) left a decrypted file")
        }
        // No snapshot or partial file is left beside the vault.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: t.folder.path + "/vault").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func backupOfSomethingElseIsNotRestored() throws {
        let f = TempFolder()
        let identity = try AgeX25519Identity.generate()
        let input = f.path + "/notes.txt"
        try Data("just text".utf8).write(to: URL(fileURLWithPath: input))
        let enc = f.path + "/notes.age"
        let p = Process()
        guard Self.ageAvailable else { return }
        p.executableURL = URL(fileURLWithPath: "/usr/bin/age")
        p.arguments = ["-r", identity.recipient.description, "-o", enc, input]
        try p.run(); p.waitUntilExit()
        #expect(throws: BackupError.notAVaultBackup) {
            try VaultBackup.restore(file: enc, to: f.path + "/v/vault.cases", identities: [.x25519(identity)], unlock: restoreUnlock)
        }
    }

    @Test(.enabled(if: VaultBackupTests.ageAvailable)) func theStandardAgeToolOpensABackup() throws {
        let (t, ids) = try filledVault()
        let identity = try AgeX25519Identity.generate()
        let keyFile = t.folder.path + "/hq.txt"
        try NewFile.write(try identity.identityFile(), to: keyFile)
        for armor in [false, true] {
            let out = t.folder.path + "/backup-\(armor).age"
            try VaultBackup.create(vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)], armor: armor)
            let plain = t.folder.path + "/plain-\(armor).cases"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/age")
            p.arguments = ["-d", "-i", keyFile, "-o", plain, out]
            try p.run(); p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            let db = try DatabaseQueue(path: plain)
            #expect(try db.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
            #expect(try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM case_snapshot") } == ids.count)
        }
    }

    /// While another connection pins the WAL, the backup is taken from a copy in memory: no file
    /// but the vault's own appears beside it while the backup runs, and it restores the same
    /// caseload, the newest case too.
    @Test func aBackupWhileTheWALIsPinnedWritesNoCopyBesideTheVault() throws {
        let (t, ids) = try filledVault()
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        let pin = try DatabaseQueue(path: t.path, configuration: config)
        try pin.inDatabase { db in
            try db.execute(sql: "BEGIN")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM keyslot")
        }
        let newest = try t.caseload.open(sampleDocument(canary: "Newest"))
        let folder = AtomicFile.folder(of: t.path)
        let seen = Box<Set<String>>([])
        let identity = try AgeX25519Identity.generate()
        let out = t.folder.path + "/backup.age"
        try VaultBackup.create(
            vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)],
            progress: { _, _ in
                seen.value.formUnion((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            })
        #expect(!seen.value.isEmpty)
        #expect(seen.value.subtracting(["vault.cases", "vault.cases-wal", "vault.cases-shm"]).isEmpty, "\(seen.value)")
        let wal = try FileManager.default.attributesOfItem(atPath: t.path + "-wal")[.size] as? Int
        #expect((wal ?? 0) > 0, "the pin kept the WAL from being folded")
        try pin.close()

        let target = t.folder.path + "/restored/vault.cases"
        let summary = try VaultBackup.restore(file: out, to: target, identities: [.x25519(identity)], unlock: restoreUnlock)
        #expect(summary.cases == ids.count + 1)
        let restored = Caseload(vault: try restoreUnlock(try Vault.open(at: target)))
        for id in ids + [newest] { #expect(try restored.show(id) == t.caseload.show(id)) }
    }

    /// A restore whose checks fail overwrites the decrypted vault before it removes it: the
    /// blocks it leaves hold no keyslot.
    @Test func aRefusedRestoreOverwritesTheDecryptedCopy() throws {
        let (t, _) = try filledVault(cases: 1)
        let material = try VaultShredderTests.keyslotMaterial(t.unlocked)
        let identity = try AgeX25519Identity.generate()
        let out = t.folder.path + "/backup.age"
        try VaultBackup.create(vault: t.unlocked.vault, output: out, recipients: [.x25519(identity.recipient)])
        let held = Box<Int32>(-1)
        #expect(throws: VaultError.wrongPassphrase) {
            try VaultBackup.restore(
                file: out, to: t.folder.path + "/r/vault.cases", identities: [.x25519(identity)],
                unlock: { candidate in
                    // The candidate is the decrypted file under its temporary name; this descriptor
                    // reads its blocks after the name is gone.
                    held.value = open(candidate.path, O_RDONLY | O_CLOEXEC)
                    #expect(VaultShredderTests.bytes(candidate.path).range(of: material[0]) != nil)
                    throw VaultError.wrongPassphrase
                })
        }
        defer { close(held.value) }
        #expect(held.value >= 0)
        var left = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while case let n = read(held.value, &chunk, chunk.count), n > 0 { left.append(contentsOf: chunk[0..<n]) }
        #expect(left.count > 0)
        for m in material { #expect(left.range(of: m) == nil, "the refused copy still holds a keyslot") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.folder.path + "/r").isEmpty)
    }
}

/// A mutable cell a closure fills in.
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}
