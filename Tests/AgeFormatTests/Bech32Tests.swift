import Testing

@testable import AgeFormat

@Suite("Bech32")
struct Bech32Tests {
    // BIP 173 "Test vectors": valid Bech32 strings.
    static let valid = [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ]

    // BIP 173 invalid strings, each with the reason the BIP gives.
    static let invalid: [(String, Bech32.Error)] = [
        ("\u{20}1nwldj5", .invalidCharacter), // HRP character out of range
        ("\u{7F}1axkwrx", .invalidCharacter), // HRP character out of range
        ("\u{80}1eym55h", .invalidCharacter), // HRP character out of range
        ("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", .tooLong),
        ("pzry9x0s0muk", .missingSeparator), // no separator character
        ("1pzry9x0s0muk", .emptyHumanReadablePart), // empty HRP
        ("x1b4n0q5v", .invalidCharacter), // invalid data character
        ("li1dgmt3", .checksumTooShort), // too short checksum
        ("de1lg7wt\u{FF}", .invalidCharacter), // invalid character in checksum
        ("A1G7SGD8", .invalidChecksum), // checksum calculated with uppercase form of HRP
        ("10a06t8", .emptyHumanReadablePart), // empty HRP
        ("1qzzfhee", .emptyHumanReadablePart), // empty HRP
    ]

    @Test(arguments: valid)
    func acceptsBIP173ValidStringsAndReencodesThem(_ s: String) throws {
        let (hrp, values) = try Bech32.decode(s)
        #expect(Bech32.encode(hrp: hrp.lowercased(), values: values) == s.lowercased())
    }

    @Test(arguments: invalid)
    func rejectsBIP173InvalidStringsForTheRightReason(_ s: String, _ reason: Bech32.Error) {
        #expect(throws: reason) { try Bech32.decode(s) }
    }

    @Test func rejectsMixedCase() {
        #expect(throws: Bech32.Error.mixedCase) { try Bech32.decode("A12uEL5L") }
    }

    @Test func rejectsAFlippedCharacter() {
        #expect(throws: Bech32.Error.invalidChecksum) { try Bech32.decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx") }
    }

    @Test func lengthLimitCanBeLiftedAsAgeDoes() throws {
        let long = Bech32.encode(hrp: "age", bytes: [UInt8](repeating: 0xAB, count: 100))
        #expect(long.count > 90)
        #expect(throws: Bech32.Error.tooLong) { try Bech32.decode(long) }
        #expect(try Bech32.decodeBytes(long, maxLength: nil).bytes == [UInt8](repeating: 0xAB, count: 100))
    }

    @Test func bytesRoundTripThroughFiveBitGroups() throws {
        for n in 0..<40 {
            let bytes = pattern(n, seed: UInt8(n))
            let s = Bech32.encode(hrp: "test", bytes: bytes)
            let d = try Bech32.decodeBytes(s)
            #expect(d.hrp == "test" && d.bytes == bytes)
        }
    }

    @Test func rejectsNonZeroOrExcessPaddingBits() throws {
        // One 5-bit group holds no whole byte: excess padding.
        #expect(throws: Bech32.Error.invalidPadding) { try Bech32.decodeBytes(Bech32.encode(hrp: "a", values: [0])) }
        // Two groups = 10 bits: 8 for a byte, 2 padding bits that must be zero.
        #expect(throws: Bech32.Error.invalidPadding) { try Bech32.decodeBytes(Bech32.encode(hrp: "a", values: [0, 1])) }
        #expect(try Bech32.decodeBytes(Bech32.encode(hrp: "a", values: [0, 0])).bytes == [0])
    }
}

@Suite("Base64")
struct Base64Tests {
    private func unpadded(_ s: String) -> [UInt8]? { Base64.decodeUnpadded(Array(s.utf8)) }
    private func padded(_ s: String) -> [UInt8]? { Base64.decodePadded(Array(s.utf8)) }

    @Test func encodesRFC4648VectorsWithAndWithoutPadding() {
        let vectors = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
        for (plain, b64) in vectors {
            #expect(String(decoding: Base64.encode(Array(plain.utf8), padded: false), as: UTF8.self) == b64)
            #expect(unpadded(b64) == Array(plain.utf8))
            let pad = b64 + String(repeating: "=", count: (4 - b64.count % 4) % 4)
            #expect(String(decoding: Base64.encode(Array(plain.utf8), padded: true), as: UTF8.self) == pad)
            #expect(padded(pad) == Array(plain.utf8))
        }
    }

    @Test func unpaddedRejectsPaddingNonCanonicalAndForeignCharacters() {
        #expect(unpadded("Zg==") == nil)
        #expect(unpadded("Zh") == nil) // unused bits set: non-canonical "f"
        #expect(unpadded("Zm9=") == nil)
        #expect(unpadded("Z") == nil) // impossible length
        #expect(unpadded("Zm9v\n") == nil)
        #expect(unpadded("Zm-v") == nil) // URL alphabet
        #expect(unpadded("Zm9 v") == nil)
    }

    @Test func paddedRejectsMissingExtraOrMisplacedPadding() {
        #expect(padded("Zg") == nil)
        #expect(padded("Zg=") == nil)
        #expect(padded("Zg===") == nil)
        #expect(padded("Z===") == nil)
        #expect(padded("Zm8==") == nil)
        #expect(padded("Zm=v") == nil)
        #expect(padded("Zh==") == nil)
        #expect(padded("Zm9=") == nil) // non-canonical "fo"
    }
}
