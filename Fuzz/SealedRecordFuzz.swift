// libFuzzer target for sealed-record decoding: SealedRecord.open (format byte, nonce, AEAD,
// then Padding.unpad) with a fixed key, Padding.unpad on raw input, and a seal/open round trip
// of the input as plaintext. Built by Fuzz/run.sh; not part of the Swift package.
import CasesCrypto

private let key: SecretBytes = {
    var k = [UInt8](repeating: 0x42, count: 32)
    return try! SecretBytes.consuming(&k)
}()
private let vaultID = [UInt8](repeating: 7, count: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func sealedRecordFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // 1. Arbitrary bytes as a stored record: refused (nobody without the key can forge one),
    //    never a crash. The seeds include genuine records, which must open.
    let plain = try? SealedRecord.open(bytes, key: key, vaultID: vaultID, table: "case_snapshot", row: "FUZZ0CASE")
    if let plain {
        precondition(plain.count < bytes.count, "opened to more bytes than it holds")
    }
    //    The buffer-reusing opener `list` uses agrees with it on every input.
    var opener = SealedRecord.Opener(key: key, vaultID: vaultID, table: "case_snapshot")
    let viaOpener = try? bytes.withUnsafeBytes { try opener.open($0, row: "FUZZ0CASE") { Array($0) } }
    opener.wipe()
    precondition(viaOpener == plain, "the opener and open disagree")

    // 2. The padding reader on its own: whatever it returns is a prefix of the input.
    if let unpadded = try? Padding.unpad(bytes) {
        precondition(unpadded.count < bytes.count && Array(bytes.prefix(unpadded.count)) == unpadded)
    }

    // 3. The input as a plaintext: sealed, it opens to itself under the same binding, and to
    //    nothing under another row.
    let sealed = try! SealedRecord.seal(bytes, key: key, vaultID: vaultID, table: "event", row: "1")
    precondition(try! SealedRecord.open(sealed, key: key, vaultID: vaultID, table: "event", row: "1") == bytes)
    precondition((try? SealedRecord.open(sealed, key: key, vaultID: vaultID, table: "event", row: "2")) == nil)
    return 0
}
