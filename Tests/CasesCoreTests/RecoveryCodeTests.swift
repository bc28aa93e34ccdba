import CasesCore
import CasesCrypto
import Foundation
import Testing

/// Recovery codes, made and parsed in sodium memory.
@Suite struct RecoveryCodeTests {
    @Test func aGeneratedCodeParsesBackToItselfGroupedOrNot() throws {
        for _ in 0..<200 {
            let code = try RecoveryCode.generate()
            #expect(code.characters.count == 26)
            let back = try RecoveryCode(parsing: try code.grouped())
            #expect(back.characters.isEqual(to: code.characters))
            var lower = code.characters.withUnsafeBytes { Array($0) }.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            #expect(try RecoveryCode(parsing: try SecretBytes.consuming(&lower)).characters.isEqual(to: code.characters))
        }
    }

    @Test func aWrongLengthOrCheckCharacterIsRefused() throws {
        let code = try RecoveryCode.generate()
        var ascii = code.characters.withUnsafeBytes { Array($0) }
        var short = Array(ascii.dropLast())
        #expect(throws: VaultError.malformedRecoveryCode) { try RecoveryCode(parsing: try SecretBytes.consuming(&short)) }
        var long = ascii + [UInt8(ascii: "0")]
        #expect(throws: VaultError.malformedRecoveryCode) { try RecoveryCode(parsing: try SecretBytes.consuming(&long)) }
        ascii[25] = ascii[25] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: VaultError.malformedRecoveryCode) { try RecoveryCode(parsing: try SecretBytes.consuming(&ascii)) }
    }
}
