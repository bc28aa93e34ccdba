import CasesCrypto
import Foundation
import Testing

@testable import AgeFormat

@Suite("AgeEncryptor and AgeDecryptor round trips")
struct RoundTripTests {
    static let sizes = [0, 1, 65_535, 65_536, 65_537, 3 * 65_536, 5 * 1024 * 1024 + 123]

    @Test(arguments: sizes)
    func x25519RoundTripThroughRealFiles(size: Int) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let plain = pattern(size, seed: UInt8(size % 251))
        try Data(plain).write(to: URL(fileURLWithPath: dir.path("plain")))
        let id = try AgeX25519Identity.generate()

        let inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: dir.path("plain")))
        _ = FileManager.default.createFile(atPath: dir.path("enc.age"), contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path("enc.age")))
        var reports: [Int64] = []
        try AgeEncryptor.encrypt(
            from: FileDescriptorByteSource(fileDescriptor: inHandle.fileDescriptor),
            to: FileDescriptorByteSink(fileDescriptor: outHandle.fileDescriptor),
            recipients: [.x25519(id.recipient)]
        ) { reports.append($0) }
        try inHandle.close(); try outHandle.close()
        #expect(reports == reports.sorted())
        #expect((reports.last ?? 0) == Int64(size))

        // Binary file size: header + 16-byte nonce + one tag per chunk (at least one chunk).
        let enc = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path("enc.age"))))
        let chunks = max(1, (size + 65_535) / 65_536)
        #expect(enc.count == headerLength(enc) + 16 + size + 16 * chunks)

        let encHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: dir.path("enc.age")))
        _ = FileManager.default.createFile(atPath: dir.path("dec"), contents: nil)
        let decHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path("dec")))
        var decReports: [Int64] = []
        try AgeDecryptor.decrypt(
            from: FileDescriptorByteSource(fileDescriptor: encHandle.fileDescriptor),
            to: FileDescriptorByteSink(fileDescriptor: decHandle.fileDescriptor),
            identities: [.x25519(id)]
        ) { decReports.append($0) }
        try encHandle.close(); try decHandle.close()
        #expect(decReports.last == Int64(enc.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("dec"))) == Data(plain))
    }

    @Test(arguments: [0, 1, 47, 48, 49, 65_536, 200_000])
    func armoredRoundTrip(size: Int) throws {
        let id = try AgeX25519Identity.generate()
        let plain = pattern(size)
        let enc = try encrypt(plain, [.x25519(id.recipient)], armor: true)
        let text = String(decoding: enc, as: UTF8.self)
        #expect(text.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"))
        #expect(text.hasSuffix("\n-----END AGE ENCRYPTED FILE-----\n"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 64 })
        #expect(try decrypt(enc, [.x25519(id)]) == plain)
    }

    @Test func passphraseRoundTripWithALowWorkFactor() throws {
        let plain = pattern(100_000)
        let enc = try encrypt(plain, [.passphrase(secret("correct horse battery staple"), logN: 10)])
        let header = try AgeDecryptor.readHeader(from: ArrayByteSource(enc))
        #expect(header.isPassphraseProtected)
        #expect(header.stanzas.count == 1 && header.stanzas[0].arguments[1] == "10")
        #expect(try decrypt(enc, [.passphrase(secret("correct horse battery staple"))]) == plain)
        // Several candidate passphrases: the right one is found.
        #expect(try decrypt(enc, [.passphrase(secret("wrong")), .passphrase(secret("correct horse battery staple"))]) == plain)
    }

    @Test func defaultPassphraseWorkFactorIsAge18() throws {
        let enc = try encrypt([1, 2, 3], [.passphrase(secret("pass"))])
        #expect(try AgeDecryptor.readHeader(from: ArrayByteSource(enc)).stanzas[0].arguments[1] == "18")
        #expect(try decrypt(enc, [.passphrase(secret("pass"))]) == [1, 2, 3])
    }

    @Test func everyRecipientCanDecryptAndIdentityOrderDoesNotMatter() throws {
        let ids = try (0..<3).map { _ in try AgeX25519Identity.generate() }
        let plain = pattern(70_000)
        let enc = try encrypt(plain, ids.map { .x25519($0.recipient) })
        #expect(try AgeDecryptor.readHeader(from: ArrayByteSource(enc)).stanzas.count == 3)
        for id in ids { #expect(try decrypt(enc, [.x25519(id)]) == plain) }
        let stranger = try AgeX25519Identity.generate()
        #expect(try decrypt(enc, [.x25519(stranger), .x25519(ids[2])]) == plain)
    }

    @Test func writerAcceptsWritesOfAnySize() throws {
        let id = try AgeX25519Identity.generate()
        let plain = pattern(3 * 65_536 + 7)
        let sink = ArrayByteSink()
        let writer = try AgeWriter(to: sink, recipients: [.x25519(id.recipient)])
        var i = 0, step = 1
        while i < plain.count {
            let n = min(step, plain.count - i)
            try plain.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[i..<(i + n)])) }
            i += n
            step = step * 3 + 1
        }
        try writer.finish()
        #expect(try decrypt(sink.bytes, [.x25519(id)]) == plain)
    }

    @Test func decryptingIntoADiscardingSinkVerifiesWithoutWriting() throws {
        let id = try AgeX25519Identity.generate()
        let enc = try encrypt(pattern(150_000), [.x25519(id.recipient)])
        let sink = DiscardingByteSink()
        try AgeDecryptor.decrypt(from: ArrayByteSource(enc), to: sink, identities: [.x25519(id)])
        #expect(sink.count == 150_000)
    }

    @Test func encryptionRefusesNoRecipientsAndAMixedPassphrase() throws {
        let id = try AgeX25519Identity.generate()
        #expect(ageError { _ = try encrypt([1], []) }?.kind == .invalidInput)
        #expect(ageError { _ = try encrypt([1], [.x25519(id.recipient), .passphrase(secret("p"), logN: 10)]) }?.kind == .invalidInput)
        #expect(ageError { _ = try encrypt([1], [.passphrase(secret("p"), logN: 10), .passphrase(secret("q"), logN: 10)]) }?.kind == .invalidInput)
        #expect(ageError { _ = try encrypt([1], [.passphrase(secret("p"), logN: 23)]) }?.kind == .invalidInput)
        #expect(ageError { _ = try encrypt([1], [.passphrase(secret("p"), logN: 0)]) }?.kind == .invalidInput)
    }

    @Test func eachFileHasAFreshFileKeyAndNonce() throws {
        let id = try AgeX25519Identity.generate()
        let a = try encrypt([1, 2, 3], [.x25519(id.recipient)]), b = try encrypt([1, 2, 3], [.x25519(id.recipient)])
        #expect(a != b)
        #expect(a.suffix(16 + 3 + 16) != b.suffix(16 + 3 + 16))
    }
}
