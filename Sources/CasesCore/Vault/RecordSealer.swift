import CasesCrypto
import Foundation

/// Seals many records with one set of buffers, for an import that seals hundreds of thousands:
/// a record is written, padded and encrypted in place, the sealed bytes returned are its only
/// allocation, and nonces are drawn from the system's generator 128 at a time instead of one
/// system call each. The output is exactly ``SealedRecord/seal(_:key:vaultID:table:row:)``'s
/// (the same layout, padding and associated data; tested). The plaintext buffer is wiped after
/// each record, so it holds nothing between records.
struct RecordSealer: ~Copyable {
    private let key: SecretBytes
    private let vaultID: [UInt8]
    private var writer = RecordWriter()
    private var associatedData: [UInt8] = []
    /// Each table's shared part of the associated data.
    private var prefixes: [String: [UInt8]] = [:]
    private var nonces = [UInt8](repeating: 0, count: XChaCha20Poly1305.nonceLength * 128)
    private var nextNonce: Int

    init(key: SecretBytes, vaultID: [UInt8]) {
        self.key = key
        self.vaultID = vaultID
        nextNonce = nonces.count
        writer.bytes.reserveCapacity(4096)
    }

    /// Seals a record in its binary form (``BinaryRecord``), padded to the bucket of its length
    /// or of `floor`, whichever is larger.
    mutating func seal<T: BinaryRecord>(_ value: T, table: String, row: String, floor: Int = 0) throws -> Data {
        writer.bytes.append(T.marker)
        value.write(to: &writer)
        return try sealWritten(table: table, row: row, floor: floor)
    }

    /// Seals the bytes `write` puts down (a case summary's own encoding), padded as above.
    mutating func seal(table: String, row: String, floor: Int = 0, _ write: (inout RecordWriter) -> Void) throws -> Data {
        write(&writer)
        return try sealWritten(table: table, row: row, floor: floor)
    }

    private mutating func sealWritten(table: String, row: String, floor: Int) throws -> Data {
        let length = writer.bytes.count
        let bucket = Padding.bucket(for: max(length, floor))
        // ISO/IEC 7816-4 padding, as `sodium_pad` writes it: 0x80, then zeros to the bucket.
        writer.bytes.append(0x80)
        writer.bytes.append(contentsOf: repeatElement(0, count: bucket - length - 1))
        defer {
            writer.bytes.wipe()
            writer.bytes.removeAll(keepingCapacity: true)
        }
        let prefix = prefixes[table] ?? SealedRecord.associatedDataPrefix(vaultID: vaultID, table: table)
        prefixes[table] = prefix
        associatedData.removeAll(keepingCapacity: true)
        associatedData += prefix
        SealedRecord.appendRow(row, to: &associatedData)
        if nextNonce == nonces.count {
            nonces.withUnsafeMutableBytes { Random.fill($0) }
            nextNonce = 0
        }
        var out = Data(count: 1 + bucket + XChaCha20Poly1305.overhead)
        let (start, key) = (nextNonce, self.key)
        try out.withUnsafeMutableBytes { o in
            o[0] = SealedRecord.format
            try writer.bytes.withUnsafeBytes { plain in
                try nonces.withUnsafeBytes { n in
                    try associatedData.withUnsafeBytes { ad in
                        try XChaCha20Poly1305.seal(
                            plain, nonce: UnsafeRawBufferPointer(rebasing: n[start..<start + XChaCha20Poly1305.nonceLength]),
                            associatedData: ad, key: key, into: UnsafeMutableRawBufferPointer(rebasing: o[1...]))
                    }
                }
            }
        }
        nextNonce += XChaCha20Poly1305.nonceLength
        return out
    }
}
