import CasesCrypto
import Foundation
import Testing

@testable import AgeFormat

private let agePath = which("age")
private let keygenPath = which("age-keygen")

@Suite(
    "Interop with the age command",
    .enabled(
        if: agePath != nil && keygenPath != nil,
        "age and age-keygen are not on PATH: install the Debian package `age` to run the interop tests"))
struct InteropTests {
    private func keygen(_ dir: TempDir, _ name: String) throws -> (path: String, identity: AgeX25519Identity) {
        let path = dir.path(name)
        let r = try run(keygenPath!, ["-o", path])
        #expect(r.status == 0)
        let ids = try AgeX25519Identity.parseIdentityFile(secret(String(contentsOfFile: path, encoding: .utf8)))
        #expect(ids.count == 1)
        let y = try run(keygenPath!, ["-y", path])
        #expect(String(decoding: y.out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == ids[0].recipient.description)
        return (path, ids[0])
    }

    private func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
    private func read(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test(arguments: [0, 1, 65_536, 65_537, 3 * 1024 * 1024 + 5])
    func weDecryptWhatAgeEncrypts(size: Int) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let (_, id) = try keygen(dir, "key.txt")
        let plain = pattern(size)
        try write(plain, dir.path("plain"))
        #expect(try run(agePath!, ["-r", id.recipient.description, "-o", dir.path("bin.age"), dir.path("plain")]).status == 0)
        #expect(try run(agePath!, ["-a", "-r", id.recipient.description, "-o", dir.path("arm.age"), dir.path("plain")]).status == 0)
        #expect(try decrypt(read(dir.path("bin.age")), [.x25519(id)]) == plain)
        #expect(try decrypt(read(dir.path("arm.age")), [.x25519(id)]) == plain)
    }

    @Test func weDecryptAgeFilesForSeveralRecipients() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let a = try keygen(dir, "a.txt").identity, b = try keygen(dir, "b.txt").identity
        let plain = pattern(100_000)
        try write(plain, dir.path("plain"))
        #expect(
            try run(agePath!, ["-r", a.recipient.description, "-r", b.recipient.description, "-o", dir.path("x.age"), dir.path("plain")]).status == 0)
        #expect(try decrypt(read(dir.path("x.age")), [.x25519(a)]) == plain)
        #expect(try decrypt(read(dir.path("x.age")), [.x25519(b)]) == plain)
        let stranger = try AgeX25519Identity.generate()
        #expect(ageError { _ = try decrypt(read(dir.path("x.age")), [.x25519(stranger)]) } == .noMatchingIdentity)
    }

    @Test(arguments: [(0, false), (1, false), (65_536, false), (65_537, true), (3 * 1024 * 1024 + 5, false), (200_000, true)])
    func ageDecryptsWhatWeEncrypt(size: Int, armor: Bool) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let (path, fromKeygen) = try keygen(dir, "key.txt")
        // Also an identity we generated, written in age-keygen format for age to read.
        let ours = try AgeX25519Identity.generate()
        let file = try ours.identityFile()
        try write(file.withUnsafeBytes { [UInt8]($0) }, dir.path("ours.txt"))
        let plain = pattern(size)
        try write(try encrypt(plain, [.x25519(fromKeygen.recipient), .x25519(ours.recipient)], armor: armor), dir.path("x.age"))
        for key in [path, dir.path("ours.txt")] {
            let r = try run(agePath!, ["-d", "-i", key, "-o", dir.path("out"), dir.path("x.age")])
            #expect(r.status == 0, "age -d failed: \(String(decoding: r.err, as: UTF8.self))")
            // age creates its output lazily: an empty plaintext leaves no file.
            let out = FileManager.default.fileExists(atPath: dir.path("out")) ? try read(dir.path("out")) : []
            #expect(out == plain)
            try? FileManager.default.removeItem(atPath: dir.path("out"))
        }
    }

    @Test func ageSkipsAnUnknownStanzaBesideAnX25519OneAndSoDoWe() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let (path, id) = try keygen(dir, "key.txt")
        let fileKey = try SecretBytes.random(count: 16)
        let stanzas = [
            AgeStanza(type: "example.org/grease", arguments: ["a", "b"], body: pattern(70)),
            try Stanzas.wrapX25519(fileKey: fileKey, to: id.recipient),
        ]
        let sink = ArrayByteSink()
        let w = try AgeWriter(to: sink, fileKey: fileKey, stanzas: stanzas, armor: false)
        try [UInt8](repeating: 9, count: 1000).withUnsafeBytes { try w.write($0) }
        try w.finish()
        try write(sink.bytes, dir.path("x.age"))
        #expect(try run(agePath!, ["-d", "-i", path, "-o", dir.path("out"), dir.path("x.age")]).status == 0)
        #expect(try read(dir.path("out")) == [UInt8](repeating: 9, count: 1000))
        #expect(try decrypt(sink.bytes, [.x25519(id)]) == [UInt8](repeating: 9, count: 1000))
    }

    @Test func ageRejectsOurTruncatedFileToo() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let (path, id) = try keygen(dir, "key.txt")
        let enc = try encrypt(pattern(2 * 65_536 + 10), [.x25519(id.recipient)])
        try write(Array(enc[0..<(headerLength(enc) + 16 + 2 * 65_552)]), dir.path("cut.age"))
        #expect(try run(agePath!, ["-d", "-i", path, "-o", dir.path("out"), dir.path("cut.age")]).status != 0)
        #expect(ageError { _ = try decrypt(read(dir.path("cut.age")), [.x25519(id)]) } == .truncated)
    }
}
