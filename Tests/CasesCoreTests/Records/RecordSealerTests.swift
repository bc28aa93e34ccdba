import CasesCrypto
import Foundation
import Testing

@testable import CasesCore

/// ``RecordSealer`` (an import's sealer, buffers and nonces reused) must write exactly what
/// ``SealedRecord/seal(_:key:vaultID:table:row:)`` writes, up to the random nonce.
@Suite struct RecordSealerTests {
    let key: SecretBytes
    let vaultID = Random.bytes(16)

    init() throws { key = try SecretBytes.random(count: XChaCha20Poly1305.keyLength) }

    /// Events with notes of every size around the padding buckets' edges.
    func event(noteLength: Int) -> CaseEvent {
        var e = CaseEvent(caseId: CaseID.random(), kind: .noted, at: "2024-01-02T03:04:05Z", actor: "ab12")
        e.note = String(repeating: "ж", count: noteLength / 2) + String(repeating: "x", count: noteLength % 2)
        return e
    }

    @Test func sealsWhatSealedRecordSealsAndOpensTheSame() throws {
        var sealer = RecordSealer(key: key, vaultID: vaultID)
        for length in [0, 1, 150, 200, 221, 222, 223, 224, 300, 500, 1000, 4000, 70_000, 140_000] {
            let e = event(noteLength: length)
            let plain = e.binaryEncoded()
            let sealed = try sealer.seal(e, table: "event", row: "42")
            let reference = try SealedRecord.seal(plain, key: key, vaultID: vaultID, table: "event", row: "42")
            #expect(sealed.count == reference.count, "bucket differs at \(length)")
            #expect(sealed.first == SealedRecord.format)
            let opened = try SealedRecord.open(Array(sealed), key: key, vaultID: vaultID, table: "event", row: "42")
            #expect(opened == plain)
            #expect(try opened.withUnsafeBufferPointer { try CaseEvent(binary: $0) } == e)
        }
    }

    @Test func aSealedRecordIsBoundToItsRowTableAndVault() throws {
        var sealer = RecordSealer(key: key, vaultID: vaultID)
        let sealed = Array(try sealer.seal(event(noteLength: 10), table: "event", row: "7"))
        #expect(throws: CryptoError.authenticationFailed) { try SealedRecord.open(sealed, key: key, vaultID: vaultID, table: "event", row: "8") }
        #expect(throws: CryptoError.authenticationFailed) {
            try SealedRecord.open(sealed, key: key, vaultID: vaultID, table: "case_snapshot", row: "7")
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try SealedRecord.open(sealed, key: key, vaultID: Random.bytes(16), table: "event", row: "7")
        }
        var flipped = sealed
        flipped[flipped.count / 2] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try SealedRecord.open(flipped, key: key, vaultID: vaultID, table: "event", row: "7") }
    }

    /// Nonces come from a pool refilled from the system's generator: never one twice, across refills.
    @Test func everyRecordGetsItsOwnNonceAcrossPoolRefills() throws {
        var sealer = RecordSealer(key: key, vaultID: vaultID)
        var nonces = Set<Data>()
        let e = event(noteLength: 3)
        for i in 0..<1000 {
            let sealed = try sealer.seal(e, table: "event", row: String(i))
            nonces.insert(sealed.subdata(in: 1..<(1 + XChaCha20Poly1305.nonceLength)))
        }
        #expect(nonces.count == 1000)
    }

    /// The summary path (its own encoding) and the case snapshot path open like any record.
    @Test func summariesAndSnapshotsOpenThroughTheVault() throws {
        let t = try TestVault()
        let id = try t.caseload.open(sampleDocument(canary: "Sealer"))
        let c = try t.caseload.show(id)
        var sealer = t.unlocked.makeSealer()
        let (snapshot, summary) = try t.caseload.sealCase(c, with: &sealer)
        #expect(try t.unlocked.open(CaseFile.self, sealed: snapshot, table: Caseload.snapshotTable, row: id.compact) == c)
        let plain = try SealedRecord.open(
            Array(summary), key: t.unlocked.key.records, vaultID: t.unlocked.vault.vaultID,
            table: Caseload.summaryTable, row: id.compact)
        #expect(try CaseSummary(decoding: plain, expected: id) == CaseSummary(c))
    }
}
