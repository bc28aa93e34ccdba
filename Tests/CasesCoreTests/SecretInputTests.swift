import CasesCore
import CasesCrypto
import Foundation
import Testing

/// Secrets read from files go straight into sodium memory, whole or by first line.
@Suite struct SecretInputTests {
    @Test func anIdentityFileIsReadWholeIntoSodiumMemory() throws {
        let folder = TempFolder()
        let path = folder.path + "/hq-key.txt"
        let text = "# created: 2026-01-01T00:00:00Z\r\n# public key: age1example\nAGE-SECRET-KEY-1EXAMPLE\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let read = try SecretInput.contents(ofFile: path)
        #expect(read.withUnsafeBytes { Array($0) } == Array(text.utf8))
    }

    @Test func aFileLargerThanAnyKeyFileIsRefusedByName() throws {
        let folder = TempFolder()
        let path = folder.path + "/big"
        try Data(count: 70_000).write(to: URL(fileURLWithPath: path))
        #expect(throws: SecretInputError.fileTooLarge(path, 65536)) { try SecretInput.contents(ofFile: path) }
        #expect(throws: SecretInputError.fileMissing(path + "-none")) { try SecretInput.contents(ofFile: path + "-none") }
    }
}
