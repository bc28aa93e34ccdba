import CasesCrypto

/// Wrapping and unwrapping the file key for the native recipient types.
enum Stanzas {
    static let x25519Info = Array("age-encryption.org/v1/X25519".utf8)
    static let scryptSaltLabel = Array("age-encryption.org/v1/scrypt".utf8)
    static let zeroNonce = [UInt8](repeating: 0, count: 12)

    // MARK: X25519

    static func wrapX25519(fileKey: SecretBytes, to recipient: AgeX25519Recipient) throws -> AgeStanza {
        let ephemeral = try SecretBytes.random(count: X25519.length)
        let share = try X25519.publicKey(for: ephemeral)
        let shared = try X25519.sharedSecret(secret: ephemeral, publicKey: recipient.publicKey)
        let wrapKey = try shared.withUnsafeBytes {
            try HKDF.deriveKey(ikm: $0, salt: share + recipient.publicKey, info: x25519Info, length: 32)
        }
        return AgeStanza(type: "X25519", arguments: [Base64.encodeString(share)], body: try seal(fileKey, key: wrapKey))
    }

    /// Checks an X25519 stanza's shape; returns its ephemeral share.
    static func validateX25519(_ stanza: AgeStanza) throws -> [UInt8] {
        guard stanza.arguments.count == 1 else { throw AgeError.malformedHeader("an X25519 stanza has the wrong number of arguments") }
        guard let share = Base64.decodeUnpadded(Array(stanza.arguments[0].utf8)), share.count == 32 else {
            throw AgeError.malformedHeader("an X25519 stanza's share is not 32 bytes of canonical base64")
        }
        guard stanza.body.count == Age.fileKeyLength + Age.tagLength else {
            throw AgeError.malformedHeader("an X25519 stanza's body is not 32 bytes")
        }
        return share
    }

    /// The file key if `identity` opens this (already validated) stanza, nil if it does not.
    static func unwrapX25519(_ stanza: AgeStanza, share: [UInt8], identity: AgeX25519Identity) throws -> SecretBytes? {
        let shared: SecretBytes
        do { shared = try X25519.sharedSecret(secret: identity.secretKey, publicKey: share) } catch {
            throw AgeError.malformedHeader("an X25519 stanza's share is a low-order point")
        }
        let wrapKey = try shared.withUnsafeBytes {
            try HKDF.deriveKey(ikm: $0, salt: share + identity.recipient.publicKey, info: x25519Info, length: 32)
        }
        return try open(stanza.body, key: wrapKey)
    }

    // MARK: scrypt

    static func wrapScrypt(fileKey: SecretBytes, passphrase: SecretBytes, logN: Int) throws -> AgeStanza {
        let salt = Random.bytes(16)
        let wrapKey = try Scrypt.deriveKey(length: 32, passphrase: passphrase, salt: scryptSaltLabel + salt, logN: logN)
        return AgeStanza(type: "scrypt", arguments: [Base64.encodeString(salt), String(logN)], body: try seal(fileKey, key: wrapKey))
    }

    /// Checks an scrypt stanza's shape and work factor; returns its salt and logN.
    static func validateScrypt(_ stanza: AgeStanza, maximumLogN: Int) throws -> (salt: [UInt8], logN: Int) {
        guard stanza.arguments.count == 2 else { throw AgeError.malformedHeader("an scrypt stanza has the wrong number of arguments") }
        guard let salt = Base64.decodeUnpadded(Array(stanza.arguments[0].utf8)), salt.count == 16 else {
            throw AgeError.malformedHeader("an scrypt stanza's salt is not 16 bytes of canonical base64")
        }
        // ^[1-9][0-9]*$ : so 0, negative numbers and leading zeros are refused.
        let digits = Array(stanza.arguments[1].utf8)
        guard let first = digits.first, first >= 0x31 && first <= 0x39, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw AgeError.invalidScryptWorkFactor
        }
        guard digits.count <= 4, let logN = Int(stanza.arguments[1]), logN <= maximumLogN else {
            throw AgeError.scryptWorkFactorTooHigh(logN: Int(stanza.arguments[1]) ?? Int.max, limit: maximumLogN)
        }
        guard stanza.body.count == Age.fileKeyLength + Age.tagLength else {
            throw AgeError.malformedHeader("an scrypt stanza's body is not 32 bytes")
        }
        return (salt, logN)
    }

    static func unwrapScrypt(_ stanza: AgeStanza, salt: [UInt8], logN: Int, passphrase: SecretBytes) throws -> SecretBytes? {
        let wrapKey: SecretBytes
        do { wrapKey = try Scrypt.deriveKey(length: 32, passphrase: passphrase, salt: scryptSaltLabel + salt, logN: logN) } catch {
            throw AgeError.cryptoFailure
        }
        return try open(stanza.body, key: wrapKey)
    }

    // MARK: AEAD with the zero nonce

    private static func seal(_ fileKey: SecretBytes, key: SecretBytes) throws -> [UInt8] {
        var out: [UInt8] = []
        try key.withUnsafeBytes { k in try fileKey.withUnsafeBytes { f in try ChaCha20Poly1305.seal(f, nonce: zeroNonce, key: k, into: &out) } }
        return out
    }

    private static func open(_ body: [UInt8], key: SecretBytes) throws -> SecretBytes? {
        var plain: [UInt8] = []
        plain.reserveCapacity(Age.fileKeyLength)
        defer { plain.wipe() }
        do {
            try key.withUnsafeBytes { k in try body.withUnsafeBytes { b in try ChaCha20Poly1305.open(b, nonce: zeroNonce, key: k, into: &plain) } }
        } catch CryptoError.authenticationFailed {
            return nil
        }
        guard plain.count == Age.fileKeyLength else { return nil }
        return try SecretBytes.consuming(&plain)
    }
}
