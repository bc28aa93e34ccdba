import CSodium
import CasesCrypto
import Testing

@Suite("Padding")
struct PaddingTests {
    /// `unpad` is written by hand; libsodium's `sodium_unpad` is the reference it must agree with.
    func sodiumUnpad(_ padded: [UInt8], block: Int) -> [UInt8]? {
        var length = 0
        let rc = padded.withUnsafeBufferPointer { sodium_unpad(&length, $0.baseAddress!, padded.count, block) }
        return rc == 0 ? Array(padded[0..<length]) : nil
    }

    @Test func roundTripsEveryLengthAcrossBuckets() throws {
        for length in Array(0...600) + [1023, 1024, 4095, 65_535, 65_536, 70_000] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
            let padded = Padding.pad(payload)
            #expect(padded.count == Padding.bucket(for: length))
            #expect(try Padding.unpad(padded) == payload)
            #expect(sodiumUnpad(padded, block: padded.count) == payload)
        }
    }

    @Test func payloadsEndingInZeroOrMarkerBytesSurvive() throws {
        for payload: [UInt8] in [[0], [0x80], [0x80, 0], [1, 0, 0, 0x80, 0], [UInt8](repeating: 0, count: 255)] {
            #expect(try Padding.unpad(Padding.pad(payload)) == payload)
        }
    }

    @Test func malformedPaddingIsRefusedLikeLibsodium() {
        let bad: [[UInt8]] = [[], [0], [0, 0, 0], [1, 2, 3], [0x80, 1], [0x7F, 0, 0], [0x81]]
        for b in bad {
            #expect(throws: CryptoError.self) { try Padding.unpad(b) }
            if !b.isEmpty { #expect(sodiumUnpad(b, block: b.count) == nil) }
        }
    }
}
