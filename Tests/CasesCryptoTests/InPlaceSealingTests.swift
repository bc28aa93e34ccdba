import CasesCrypto
import Testing

/// The in-place forms an import uses (no copies, nonces drawn in bulk) agree with the
/// array forms, and with a published vector.
@Suite("In-place sealing and MACs")
struct InPlaceSealingTests {
    @Test func keyedBLAKE2bMatchesTheReferenceVectorInBothForms() throws {
        // BLAKE2 reference KAT (blake2b-kat.txt, keyed): key 00…3f, empty input, 64-byte output.
        let key = try [UInt8](0...63).withUnsafeBytes { try SecretBytes(copying: $0) }
        let expected: [UInt8] = [
            0x10, 0xeb, 0xb6, 0x77, 0x00, 0xb1, 0x86, 0x8e, 0xfb, 0x44, 0x17, 0x98, 0x7a, 0xcf, 0x46, 0x90,
            0xae, 0x9d, 0x97, 0x2f, 0xb7, 0xa5, 0x90, 0xc2, 0xf0, 0x28, 0x71, 0x79, 0x9a, 0xaa, 0x47, 0x86,
            0xb5, 0xe9, 0x96, 0xe8, 0xf0, 0xf4, 0xeb, 0x98, 0x1f, 0xc2, 0x14, 0xb0, 0x05, 0xf4, 0x2d, 0x2f,
            0xf4, 0x23, 0x34, 0x99, 0x39, 0x16, 0x53, 0xdf, 0x7a, 0xef, 0xcb, 0xc1, 0x3f, 0xc5, 0x15, 0x68,
        ]
        #expect(KeyedHash.mac([], key: key, length: 64) == expected)
        var out = [UInt8](repeating: 0, count: 64)
        out.withUnsafeMutableBytes { KeyedHash.mac([], key: key, length: 64, into: $0) }
        #expect(out == expected)
    }

    @Test func macOverPartsReadInPlaceEqualsTheArrayForm() throws {
        let key = try SecretBytes.random(count: 32)
        let message = (0..<700).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for cuts in [[0, 0], [0, 700], [32, 40], [1, 699], [350, 351]] {
            let parts = [Array(message[0..<cuts[0]]), Array(message[cuts[0]..<cuts[1]]), Array(message[cuts[1]...])]
            var out = [UInt8](repeating: 0, count: 32)
            parts[0].withUnsafeBytes { a in
                parts[1].withUnsafeBytes { b in
                    parts[2].withUnsafeBytes { c in
                        out.withUnsafeMutableBytes { KeyedHash.mac([a, b, c], key: key, into: $0) }
                    }
                }
            }
            #expect(out == KeyedHash.mac(parts, key: key))
            #expect(out == KeyedHash.mac([message], key: key))
        }
    }

    @Test func sealingIntoABufferOpensWithTheArrayForm() throws {
        let key = try SecretBytes.random(count: XChaCha20Poly1305.keyLength)
        let nonce = Random.bytes(XChaCha20Poly1305.nonceLength)
        let ad: [UInt8] = Array("row 7".utf8)
        for plain in [[UInt8](), [1], [UInt8](repeating: 0xAB, count: 4096)] {
            var sealed = [UInt8](repeating: 0, count: plain.count + XChaCha20Poly1305.overhead)
            try plain.withUnsafeBytes { p in
                try nonce.withUnsafeBytes { n in
                    try ad.withUnsafeBytes { a in
                        try sealed.withUnsafeMutableBytes { try XChaCha20Poly1305.seal(p, nonce: n, associatedData: a, key: key, into: $0) }
                    }
                }
            }
            #expect(Array(sealed[0..<nonce.count]) == nonce)
            #expect(try XChaCha20Poly1305.open(sealed, associatedData: ad, key: key) == plain)
            #expect(throws: CryptoError.authenticationFailed) { try XChaCha20Poly1305.open(sealed, associatedData: [], key: key) }
        }
        // The output must be exactly the sealed length; a short nonce is refused.
        var short = [UInt8](repeating: 0, count: 10)
        #expect(throws: CryptoError.invalidLength("sealed output")) {
            try [UInt8]([1, 2]).withUnsafeBytes { p in
                try nonce.withUnsafeBytes { n in
                    try short.withUnsafeMutableBytes {
                        try XChaCha20Poly1305.seal(p, nonce: n, associatedData: UnsafeRawBufferPointer(start: nil, count: 0), key: key, into: $0)
                    }
                }
            }
        }
        #expect(throws: CryptoError.invalidLength("nonce")) {
            try [UInt8]([1]).withUnsafeBytes { p in
                try nonce.prefix(8).withUnsafeBytes { n in
                    try short.withUnsafeMutableBytes {
                        try XChaCha20Poly1305.seal(
                            p, nonce: UnsafeRawBufferPointer(n), associatedData: UnsafeRawBufferPointer(start: nil, count: 0), key: key, into: $0)
                    }
                }
            }
        }
    }
}
