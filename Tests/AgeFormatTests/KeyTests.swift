import CasesCrypto
import Testing

@testable import AgeFormat

@Suite("AgeX25519Recipient")
struct AgeX25519RecipientTests {
    // From the C2SP age specification.
    static let specRecipient = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

    @Test func parsesAndReencodesTheSpecExample() throws {
        let r = try AgeX25519Recipient(parsing: Self.specRecipient)
        #expect(r.publicKey.count == 32)
        #expect(r.description == Self.specRecipient)
    }

    @Test func rejectsUppercaseWrongPrefixBadChecksumAndWrongLength() {
        #expect(throws: AgeError.self) { try AgeX25519Recipient(parsing: Self.specRecipient.uppercased()) }
        #expect(throws: AgeError.self) { try AgeX25519Recipient(parsing: "agf1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj") }
        #expect(throws: AgeError.self) { try AgeX25519Recipient(parsing: String(Self.specRecipient.dropLast()) + "q") }
        #expect(throws: AgeError.self) { try AgeX25519Recipient(parsing: Bech32.encode(hrp: "age", bytes: [UInt8](repeating: 1, count: 31))) }
        #expect(throws: AgeError.self) { try AgeX25519Recipient(parsing: "") }
    }

    @Test func parsesARecipientsFileWithCommentsAndBlankLines() throws {
        let a = try AgeX25519Identity.generate().recipient, b = try AgeX25519Identity.generate().recipient
        let file = "# office\n\n\(a)\r\n# other\n\(b)\n"
        #expect(try AgeX25519Recipient.parseRecipientsFile(file) == [a, b])
        let e = ageError { _ = try AgeX25519Recipient.parseRecipientsFile("# only a comment\n") }
        #expect(e?.kind == .invalidInput)
        let bad = ageError { _ = try AgeX25519Recipient.parseRecipientsFile("\(a)\n nope\n") }
        #expect(bad == .invalidRecipient("line 2 of the recipients file is not an age1… recipient"))
    }
}

@Suite("AgeX25519Identity")
struct AgeX25519IdentityTests {
    // From the C2SP age specification: this identity's recipient is the spec's recipient.
    static let specIdentity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"

    @Test func specIdentityHasTheSpecRecipientAndReencodes() throws {
        let id = try AgeX25519Identity(parsing: secret(Self.specIdentity))
        #expect(id.recipient.description == AgeX25519RecipientTests.specRecipient)
        let encoded = try id.encoded().withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        #expect(encoded == Self.specIdentity)
    }

    @Test func rejectsLowercaseAndWrongPrefix() throws {
        #expect(throws: AgeError.self) { try AgeX25519Identity(parsing: secret(Self.specIdentity.lowercased())) }
        let wrongPrefix = Bech32.encode(hrp: "age-secret-kez-", bytes: [UInt8](repeating: 1, count: 32)).uppercased()
        #expect(throws: AgeError.self) { try AgeX25519Identity(parsing: secret(wrongPrefix)) }
    }

    @Test func generatedIdentitiesAreDistinctAndRoundTripThroughTheirFile() throws {
        let a = try AgeX25519Identity.generate(), b = try AgeX25519Identity.generate()
        #expect(a.recipient != b.recipient)
        let file = try a.identityFile(created: 0)
        let text = file.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        #expect(text.hasPrefix("# created: 1970-01-01T00:00:00Z\n# public key: \(a.recipient)\nAGE-SECRET-KEY-1"))
        let parsed = try AgeX25519Identity.parseIdentityFile(file)
        #expect(parsed.count == 1 && parsed[0].recipient == a.recipient)
    }

    @Test func identityFileMayHoldSeveralKeysCommentsBlankLinesAndCRLF() throws {
        let text =
            "# one\r\n\(Self.specIdentity)\r\n\n# two\n"
            + (try AgeX25519Identity.generate().encoded().withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        let ids = try AgeX25519Identity.parseIdentityFile(secret(text))
        #expect(ids.count == 2)
        #expect(ids[0].recipient.description == AgeX25519RecipientTests.specRecipient)
    }

    @Test func identityFileErrorsNameTheLineButNotTheKey() throws {
        let e = ageError { _ = try AgeX25519Identity.parseIdentityFile(secret("# c\n\(Self.specIdentity)X\n")) }
        #expect(e == .invalidIdentity("line 2 of the identity file is not an AGE-SECRET-KEY-1… key"))
        #expect(!(e?.description.contains("GFPYY") ?? true))
        #expect(ageError { _ = try AgeX25519Identity.parseIdentityFile(secret("# nothing\n\n")) } == .noIdentityInFile)
    }
}
