import CasesCrypto
import Testing

private func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}

@Suite("HKDF")
struct HKDFTests {
    private func okm(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws -> [UInt8] {
        try HKDF.deriveKey(ikm: ikm, salt: salt, info: info, length: length).withUnsafeBytes { [UInt8]($0) }
    }

    @Test func rfc5869TestCase1BasicSHA256() throws {
        let out = try okm(
            ikm: [UInt8](repeating: 0x0b, count: 22), salt: hex("000102030405060708090a0b0c"),
            info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(out == hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"))
    }

    @Test func rfc5869TestCase2LongInputs() throws {
        let out = try okm(ikm: Array(0x00...0x4f), salt: Array(0x60...0xaf), info: Array(0xb0...0xff), length: 82)
        #expect(
            out
                == hex(
                    "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                        + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                        + "cc30c58179ec3e87c14c01d5c1f3434f1d87"))
    }

    @Test func rfc5869TestCase3EmptySaltAndInfo() throws {
        let out = try okm(ikm: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [], length: 42)
        #expect(out == hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"))
    }

    @Test func refusesOutputLongerThan255Blocks() {
        #expect(throws: CryptoError.self) { try HKDF.deriveKey(ikm: [1], salt: [], info: [], length: 255 * 32 + 1) }
    }
}
