import CasesCrypto
import Foundation
import GRDB
import Testing

@testable import CasesCore

/// The fixtures of format 1.0 in `Tests/Fixtures/` (written by `Scripts/make-fixtures`) still
/// read, byte for byte. The vault was made by `cases` itself; the sealed records were written
/// from docs/format.md by the script, under a fixed master key and fixed nonces, without this
/// code. A failure here means this build no longer reads vaults that exist.
@Suite struct GoldenFixtureTests {
    static func text(_ name: String) throws -> String {
        try String(contentsOf: FixtureFiles.url(name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func hex(_ name: String) throws -> [UInt8] {
        let digits = Array(try text("sealed-1.0/\(name).hex").utf8)
        #expect(digits.count % 2 == 0, "\(name)")
        return stride(from: 0, to: digits.count - 1, by: 2).map { i in
            UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) ?? 0
        }
    }

    static func masterKey() throws -> MasterKey {
        var bytes = try hex("master-key")
        return try MasterKey(secret: try SecretBytes.consuming(&bytes))
    }

    static func bytes(_ key: SecretBytes) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    // MARK: - The vault

    @Test func theFormatOneVaultOpensAndEveryCaseReads() throws {
        let folder = TempFolder()
        let path = folder.path + "/vault/vault.cases"
        try FixtureFiles.copy("vault-1.0.cases", to: path)
        let vault = try Vault.open(at: path)
        let unlocked = try vault.unlock(passphrase: try secret(try Self.text("vault-1.0.passphrase")))
        #expect(unlocked.damagedKeyslots.isEmpty)
        let caseload = Caseload(vault: unlocked)
        let (cases, damaged) = try caseload.list()
        #expect(damaged.isEmpty)

        let listed = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: FixtureFiles.url("vault-1.0.list.json"))) as? [String: Any])
        let expected = try #require(listed["cases"] as? [[String: Any]])
        #expect(cases.map(\.id.description) == expected.compactMap { $0["id"] as? String })
        #expect(cases.map(\.fullName) == expected.map { $0["name"] as? String })
        #expect(cases.map(\.stage.rawValue) == expected.compactMap { $0["stage"] as? String })
        for summary in cases {
            let c = try caseload.show(summary.id)
            #expect(CaseSummary(c) == summary)
            #expect(!(try caseload.history(summary.id)).isEmpty)
        }
        #expect(cases.count == 6)
        let audit = try caseload.verifyAudit()
        #expect(audit.ok, "\(audit.firstBreak ?? "")")

        let recovery = try RecoveryCode(parsing: try secret(try Self.text("vault-1.0.recovery")))
        #expect(try Vault.open(at: path).unlock(recoveryCode: recovery).damagedKeyslots.isEmpty)
    }

    // MARK: - Sealed records with known keys

    @Test func subKeysDeriveFromTheMasterKeyAsDocumented() throws {
        let key = try Self.masterKey()
        #expect(Self.bytes(key.records) == (try Self.hex("subkey-records")))
        #expect(Self.bytes(key.audit) == (try Self.hex("subkey-audit")))
        #expect(Self.bytes(key.ledger) == (try Self.hex("subkey-ledger")))
        #expect(Self.bytes(key.blindIndex) == (try Self.hex("subkey-blind-index")))
        #expect(Self.bytes(key.labels) == (try Self.hex("subkey-labels")))
        #expect(Self.bytes(key.anchor) == (try Self.hex("subkey-anchor")))
        #expect(Self.bytes(key.keyslots) == (try Self.hex("subkey-keyslots")))
    }

    /// Opens `name.sealed` and requires exactly `name.plain`; then seals the plaintext again
    /// with the fixture's nonce and requires the same sealed bytes (layout, padding and
    /// associated data all as documented).
    static func openedPlain(_ name: String, table: String, row: String) throws -> [UInt8] {
        let key = try masterKey()
        let vaultID = try hex("vault-id")
        let sealed = try hex("\(name).sealed")
        let plain = try hex("\(name).plain")
        #expect(try SealedRecord.open(sealed, key: key.records, vaultID: vaultID, table: table, row: row) == plain, "\(name)")

        let padded = Padding.pad(plain)
        #expect(padded.count == Padding.bucket(for: plain.count))
        var again = [UInt8](repeating: 0, count: padded.count + XChaCha20Poly1305.overhead)
        let ad = SealedRecord.associatedData(vaultID: vaultID, table: table, row: row)
        try padded.withUnsafeBytes { p in
            try sealed[1..<25].withUnsafeBytes { n in
                try ad.withUnsafeBytes { a in
                    try again.withUnsafeMutableBytes { try XChaCha20Poly1305.seal(p, nonce: n, associatedData: a, key: key.records, into: $0) }
                }
            }
        }
        #expect([SealedRecord.format] + again == sealed, "\(name) sealed again")
        return plain
    }

    @Test func aSealedCaseRecordOpensAndEncodesToTheSameBytes() throws {
        let plain = try Self.openedPlain("case-record", table: "case_snapshot", row: "V9BDFX27M")
        let c = try plain.withUnsafeBufferPointer { try CaseFile(binary: $0) }
        #expect(c.id.compact == "V9BDFX27M")
        #expect(c.principal.fullName == "Fixture Person Ǆemal Иванов")
        #expect(c.principal.aliases == ["F. P.", ""])
        #expect(c.principal.contact?.phone == nil)
        #expect(c.stage == .arrival && c.version == 3 && c.eventSeqs == [7, 8, 9])
        #expect(c.arrival?.checkins?.first?.note == "settling in")
        #expect(c.binaryEncoded() == plain)
    }

    @Test func aSealedSummaryOpensAndEncodesToTheSameBytes() throws {
        let plain = try Self.openedPlain("summary", table: Caseload.summaryTable, row: "V9BDFX27M")
        let summary = try CaseSummary(decoding: plain)
        #expect(summary.encoded() == plain)
        let whole = try Self.hex("case-record.plain").withUnsafeBufferPointer { try CaseFile(binary: $0) }
        #expect(CaseSummary(whole) == summary)
    }

    @Test func sealedEventRowsOpenEncodeToTheSameBytesAndChain() throws {
        let one = try Self.openedPlain("event", table: "event", row: "7")
        let opened = try one.withUnsafeBufferPointer { try CaseEvent(binary: $0) }
        #expect(opened.kind == .opened && opened.opened?.principal.birthYear == 1985)
        #expect(opened.binaryEncoded() == one)

        let two = try Self.openedPlain("event-group", table: "event", row: "9")
        let group = try two.withUnsafeBufferPointer { try EventGroup(binary: $0) }
        #expect(group.events.map(\.kind) == [.advanced, .noted])
        #expect(group.binaryEncoded() == two)

        let audit = try Self.masterKey().audit
        let mac7 = Caseload.chainMAC(previous: Data(count: 32), seq: 7, sealed: Data(try Self.hex("event.sealed")), key: audit)
        #expect(Array(mac7) == (try Self.hex("event.mac")))
        let mac9 = Caseload.chainMAC(previous: mac7, seq: 9, sealed: Data(try Self.hex("event-group.sealed")), key: audit)
        #expect(Array(mac9) == (try Self.hex("event-group.mac")))
    }

    @Test func theKeyslotUnwrapsTheMasterKeyAndIsAuthentic() throws {
        let cost = try Self.text("sealed-1.0/keyslot-cost.txt").split(separator: "\n").map { Int64($0.split(separator: " ")[1]) ?? 0 }
        let slot = Keyslot(
            slotID: Data(try Self.hex("keyslot-id")), kind: .passphrase, salt: Data(try Self.hex("keyslot-salt")),
            opsLimit: cost[0], memLimit: cost[1], wrappedKey: Data(try Self.hex("keyslot-wrapped-key")),
            sealedLabel: Data(try Self.hex("keyslot-sealed-label")), mac: Data(try Self.hex("keyslot-mac")))
        let vaultID = try Self.hex("vault-id")
        let unwrapped = try #require(try slot.unwrap(secret: try secret(try Self.text("vault-1.0.passphrase")), vaultID: vaultID))
        #expect(Self.bytes(unwrapped) == (try Self.hex("master-key")))
        let key = try Self.masterKey()
        #expect(slot.isAuthentic(master: key, vaultID: vaultID))
        let label = try SealedRecord.open(
            try Self.hex("keyslot-sealed-label"), key: key.labels, vaultID: vaultID, table: "keyslot", row: slot.displayID)
        #expect(String(decoding: label, as: UTF8.self) == "fixture")
    }
}
