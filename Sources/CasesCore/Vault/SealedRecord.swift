import CasesCrypto

/// One sealed record: a padded, AEAD-encrypted payload bound to its vault, table and row.
///
/// Layout: `format (1) ‖ nonce (24) ‖ ciphertext ‖ tag (16)`. The associated data names the
/// vault, the table, the row id and the format, so a sealed record copied onto another row,
/// into another table or into another vault fails authentication.
public enum SealedRecord {
    public static let format: UInt8 = 1

    static func associatedData(vaultID: [UInt8], table: String, row: String) -> [UInt8] {
        Array("cases.sealed-record".utf8) + [0] + vaultID + Array(table.utf8) + [0] + Array(row.utf8) + [0, format]
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
        var padded = try XChaCha20Poly1305.open(UnsafeRawBufferPointer(rebasing: sealed.dropFirst()), associatedData: associatedData(vaultID: vaultID, table: table, row: row), key: key)
        defer { padded.wipe() }
        return try Padding.unpad(padded)
    }
}
