import CasesCrypto
import Foundation
import Testing

/// `constantTimeEqual`, the one comparison for MACs and tags.
@Suite struct ConstantTimeTests {
    @Test func equalOnlyForTheSameBytesWhateverTheContainer() {
        let mac = Array(0..<32).map { UInt8($0 * 7 & 0xFF) }
        #expect(constantTimeEqual(mac, mac))
        #expect(constantTimeEqual(Data(mac), mac))
        #expect(constantTimeEqual(mac, Data(mac)[...]))
        #expect(constantTimeEqual(mac.lazy.map { $0 }, Data(mac)))
        for i in [0, 15, 31] {
            var other = mac
            other[i] ^= 1
            #expect(!constantTimeEqual(Data(other), Data(mac)), "byte \(i)")
        }
        #expect(!constantTimeEqual(mac, mac.dropLast()))
        #expect(constantTimeEqual([UInt8](), Data()))
    }
}
