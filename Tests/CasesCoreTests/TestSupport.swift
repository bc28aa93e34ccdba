import CasesCrypto
import Foundation

@testable import CasesCore

/// A fresh folder under the system temp directory, removed when the test is done with it.
final class TempFolder {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "cases-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Every regular file below the folder.
    func allFiles() -> [String] {
        let e = FileManager.default.enumerator(atPath: path)
        var out: [String] = []
        while let f = e?.nextObject() as? String { out.append(path + "/" + f) }
        return out
    }
}

func secret(_ s: String) throws -> SecretBytes {
    var bytes = Array(s.utf8)
    return try SecretBytes.consuming(&bytes)
}

/// A vault made with the fast `interactive` Argon2id profile (the real algorithm, lower cost).
struct TestVault {
    let folder = TempFolder()
    var path: String { folder.path + "/vault/vault.cases" }
    let unlocked: UnlockedVault
    let recovery: RecoveryCode
    static let passphrase = "correct horse battery staple"

    init() throws {
        let p = folder.path + "/vault/vault.cases"
        (unlocked, recovery) = try Vault.create(at: p, passphrase: try secret(Self.passphrase), profile: .interactive, label: "tester")
    }

    var caseload: Caseload { Caseload(vault: unlocked) }

    func reopen() throws -> Caseload {
        Caseload(vault: try Vault.open(at: path).unlock(passphrase: try secret(Self.passphrase)))
    }
}

/// A complete intake document; `canary` goes into every text field.
func sampleDocument(canary: String = "Ivanov") -> OpenDocument {
    OpenDocument(
        principal: Principal(
            fullName: "Pyotr \(canary)", aliases: ["P. \(canary)"], birthYear: 1985, citizenship: CountryCode("RU"),
            currentCountry: CountryCode("RU"), currentCity: "City \(canary)", languages: ["ru \(canary)"],
            contact: Contact(signal: "sig-\(canary)", email: "\(canary)@example.org", phone: "+7 \(canary)", intermediary: "via \(canary)"),
            segment: .journalist, reason: .criminalProsecution,
            consent: Consent(givenOn: ISODate("2021-03-02"), channel: "signal \(canary)")),
        family: [FamilyMember(relation: "child", fullName: "Child \(canary)", birthYear: 2015, needs: "needs \(canary)")],
        notes: "first note \(canary)")
}

func fileContains(_ path: String, _ needle: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    return data.range(of: Data(needle.utf8)) != nil
}

extension Caseload {
    /// Every case, whole, newest activity first.
    func allCases() throws -> [CaseFile] {
        try list().cases.map { try show($0.id) }
    }
}
