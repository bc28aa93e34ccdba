import CSodium

/// X25519 Diffie-Hellman (`crypto_scalarmult`), for age recipients.
public enum X25519 {
    public static let length = Int(crypto_scalarmult_BYTES)

    /// The public key for a 32-byte secret scalar.
    public static func publicKey(for secret: SecretBytes) throws -> [UInt8] {
        Sodium.ready()
        guard secret.count == length else { throw CryptoError.invalidLength("X25519 secret key") }
        var out = [UInt8](repeating: 0, count: length)
        _ = secret.withUnsafeBytes { s in crypto_scalarmult_base(&out, s.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        return out
    }

    /// The shared secret; throws if it is all zeros (a low-order point), as age requires.
    public static func sharedSecret(secret: SecretBytes, publicKey: [UInt8]) throws -> SecretBytes {
        Sodium.ready()
        guard secret.count == length, publicKey.count == length else { throw CryptoError.invalidLength("X25519 key") }
        let out = try SecretBytes(count: length)
        let rc = out.withUnsafeMutableBytes { o in
            secret.withUnsafeBytes { s in
                crypto_scalarmult(o.baseAddress!.assumingMemoryBound(to: UInt8.self), s.baseAddress!.assumingMemoryBound(to: UInt8.self), publicKey)
            }
        }
        // libsodium returns -1 for an all-zero result.
        guard rc == 0 else { throw CryptoError.invalidParameter("X25519 shared secret is zero") }
        return out
    }
}
