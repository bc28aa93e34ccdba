import CasesCrypto

/// One sealed record: a padded, AEAD-encrypted payload bound to its vault, table and row.
///
/// Layout: `format (1) ‖ nonce (24) ‖ ciphertext ‖ tag (16)`. The associated data names the
/// vault, the table, the row id and the format, so a sealed record copied onto another row,
/// into another table or into another vault fails authentication.
public enum SealedRecord {
    public static let format: UInt8 = 1

    static func associatedData(vaultID: [UInt8], table: String, row: String) -> [UInt8] {
        var ad = associatedDataPrefix(vaultID: vaultID, table: table)
        appendRow(row, to: &ad)
        return ad
    }

    /// Completes the associated data after its table's prefix: `row ‖ 0 ‖ format`.
    static func appendRow(_ row: String, to associatedData: inout [UInt8]) {
        associatedData += row.utf8
        associatedData += [0, format]
    }

    /// The part of the associated data every row of a table shares.
    static func associatedDataPrefix(vaultID: [UInt8], table: String) -> [UInt8] {
        Array("cases.sealed-record".utf8) + [0] + vaultID + Array(table.utf8) + [0]
    }

    /// Pads `plaintext` to its bucket and seals it.
    public static func seal(_ plaintext: [UInt8], key: SecretBytes, vaultID: [UInt8], table: String, row: String) throws -> [UInt8] {
        var padded = Padding.pad(plaintext)
        defer { padded.wipe() }
        let sealed = try XChaCha20Poly1305.seal(padded, associatedData: associatedData(vaultID: vaultID, table: table, row: row), key: key)
        return [format] + sealed
    }

    /// Authenticates and opens a sealed record; throws ``CryptoError/authenticationFailed`` on any change.
    public static func open(_ sealed: [UInt8], key: SecretBytes, vaultID: [UInt8], table: String, row: String) throws -> [UInt8] {
        try sealed.withUnsafeBytes { try open($0, key: key, vaultID: vaultID, table: table, row: row) }
    }

    /// Opens a sealed record read in place.
    public static func open(_ sealed: UnsafeRawBufferPointer, key: SecretBytes, vaultID: [UInt8], table: String, row: String) throws -> [UInt8] {
        guard sealed.first == format else { throw CryptoError.authenticationFailed }
        var padded = try XChaCha20Poly1305.open(
            UnsafeRawBufferPointer(rebasing: sealed.dropFirst()), associatedData: associatedData(vaultID: vaultID, table: table, row: row), key: key)
        defer { padded.wipe() }
        return try Padding.unpad(padded)
    }

    /// Opens many records of one table with one buffer: no allocation per record, and the
    /// plaintext, wiped by ``wipe()``, never leaves it. For `list`, which opens every summary.
    public struct Opener: ~Copyable {
        private let key: SecretBytes
        private var associatedData: [UInt8]
        private let prefixCount: Int
        private var scratch: [UInt8] = []

        public init(key: SecretBytes, vaultID: [UInt8], table: String) {
            self.key = key
            associatedData = SealedRecord.associatedDataPrefix(vaultID: vaultID, table: table)
            prefixCount = associatedData.count
        }

        /// Authenticates the record at `row`, and calls `body` with its unpadded plaintext.
        public mutating func open<R>(_ sealed: UnsafeRawBufferPointer, row: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
            guard sealed.first == format else { throw CryptoError.authenticationFailed }
            associatedData.removeSubrange(prefixCount...)
            SealedRecord.appendRow(row, to: &associatedData)
            let box = UnsafeRawBufferPointer(rebasing: sealed.dropFirst())
            let needed = max(box.count - XChaCha20Poly1305.overhead, 1)
            if scratch.count < needed {
                scratch.wipe()
                scratch = [UInt8](repeating: 0, count: needed)
            }
            let (ad, key) = (associatedData, self.key)
            let count = try scratch.withUnsafeMutableBytes { try XChaCha20Poly1305.open(box, associatedData: ad, key: key, into: $0) }
            return try scratch.withUnsafeBufferPointer { plain in
                let end = try Padding.unpaddedLength(UnsafeBufferPointer(rebasing: plain[0..<count]))
                return try body(UnsafeBufferPointer(rebasing: plain[0..<end]))
            }
        }

        public mutating func wipe() { scratch.wipe() }
    }
}
