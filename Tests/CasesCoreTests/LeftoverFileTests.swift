import CasesCrypto
import Foundation
import Testing

@testable import CasesCore

/// What a killed `cases` process leaves beside a vault is destroyed at the next open, and only
/// that: a file a live process is writing, and a published vault that a temporary name still
/// links, are kept.
@Suite struct LeftoverFileTests {
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Everything readable through `fd` from the start: what the disk blocks of a removed file
    /// hold once nothing has a name for it.
    static func contents(_ fd: Int32) -> Data {
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while case let n = pread(fd, &chunk, chunk.count, offset), n > 0 {
            out.append(contentsOf: chunk[0..<n])
            offset += off_t(n)
        }
        return out
    }

    @Test func openingAVaultDestroysStaleLeftoversAndSparesLiveOnes() throws {
        let t = try TestVault()
        let material = try VaultShredderTests.keyslotMaterial(t.unlocked)
        let folder = AtomicFile.folder(of: t.path)
        let vaultBytes = VaultShredderTests.bytes(t.path)
        #expect(vaultBytes.range(of: material[0]) != nil)

        // A restore killed while it checked its copy, and an earlier build's backup snapshot.
        let stale = folder + "/.restored.cases.partial-0123456789ab"
        try vaultBytes.write(to: URL(fileURLWithPath: stale))
        try vaultBytes.prefix(4096).write(to: URL(fileURLWithPath: stale + "-wal"))
        try Data(count: 32768).write(to: URL(fileURLWithPath: stale + "-shm"))
        let snapshotFolder = folder + "/.backup-00112233aabb"
        try FileManager.default.createDirectory(atPath: snapshotFolder, withIntermediateDirectories: false)
        try vaultBytes.write(to: URL(fileURLWithPath: snapshotFolder + "/snapshot.cases"))
        let held = [stale, snapshotFolder + "/snapshot.cases"].map { (path: String) -> Int32 in open(path, O_RDONLY | O_CLOEXEC) }
        defer { held.forEach { close($0) } }
        // A restore running now, in this process (the lock is per open file, so this counts).
        let live = try AtomicFile(path: folder + "/other.cases")
        _ = vaultBytes.withUnsafeBytes { write(live.descriptor, $0.baseAddress, $0.count) }
        // Not a name `cases` makes.
        let unrelated = folder + "/.notes.partial-xyz"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: unrelated))

        _ = try Vault.open(at: t.path)
        for gone in [stale, stale + "-wal", stale + "-shm", snapshotFolder] { #expect(!Self.exists(gone), "\(gone) is still there") }
        for fd in held {
            let left = Self.contents(fd)
            #expect(left.count == vaultBytes.count)
            for m in material { #expect(left.range(of: m) == nil, "a destroyed leftover's blocks still hold a keyslot") }
        }
        #expect(VaultShredderTests.bytes(live.temporaryPath) == vaultBytes, "the live copy was touched")
        #expect(Self.exists(unrelated))
    }

    /// A publish killed between its `link` and its `unlink` leaves the published vault under its
    /// temporary name too: the name goes, the vault is untouched.
    @Test func aTemporaryNameOfAPublishedVaultGoesAndTheVaultStays() throws {
        let t = try TestVault()
        _ = try t.caseload.open(sampleDocument())
        try t.unlocked.vault.database.close()
        let before = VaultShredderTests.bytes(t.path)
        let name = AtomicFile.folder(of: t.path) + "/.vault.cases.partial-aaaaaaaaaaaa"
        #expect(link(t.path, name) == 0)

        #expect(try t.reopen().list().cases.count == 1)
        #expect(!Self.exists(name))
        #expect(VaultShredderTests.bytes(t.path) == before)
    }

    @Test func onlyNamesThatCasesMakesAreLeftovers() {
        #expect(LeftoverFile.partialName(of: ".vault.cases.partial-0123456789ab") == ".vault.cases.partial-0123456789ab")
        #expect(LeftoverFile.partialName(of: ".vault.cases.partial-0123456789ab-wal") == ".vault.cases.partial-0123456789ab")
        #expect(LeftoverFile.partialName(of: ".a.partial-b.partial-0123456789ab-journal") == ".a.partial-b.partial-0123456789ab")
        for other in [
            "vault.cases.partial-0123456789ab", ".vault.cases.partial-0123456789AB", ".vault.cases.partial-0123456789a",
            ".vault.cases.partial-0123456789abc", ".vault.cases.partial-0123456789ab-old", ".vault.cases",
        ] {
            #expect(LeftoverFile.partialName(of: other) == nil, "\(other)")
        }
        #expect(LeftoverFile.isSnapshotFolder(".backup-00112233aabb"))
        #expect(!LeftoverFile.isSnapshotFolder(".backup-00112233aab") && !LeftoverFile.isSnapshotFolder("backup-00112233aabb"))
    }
}
