import CSodium

/// HMAC-SHA256 (`crypto_auth_hmacsha256`).
public enum HMACSHA256 {
    public static let length = Int(crypto_auth_hmacsha256_BYTES)

    /// HMAC-SHA256 of `message` under a key of any length.
    public static func authenticate(_ message: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> [UInt8] {
        Sodium.ready()
        var state = crypto_auth_hmacsha256_state()
        var empty: UInt8 = 0
        _ = crypto_auth_hmacsha256_init(&state, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? withUnsafePointer(to: &empty) { $0 }, key.count)
        if let m = message.baseAddress, message.count > 0 {
            _ = crypto_auth_hmacsha256_update(&state, m.assumingMemoryBound(to: UInt8.self), UInt64(message.count))
        }
        var out = [UInt8](repeating: 0, count: length)
        _ = crypto_auth_hmacsha256_final(&state, &out)
        sodium_memzero(&state, MemoryLayout.size(ofValue: state))
        return out
    }

    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { m in key.withUnsafeBytes { k in authenticate(m, key: k) } }
    }
}

/// HKDF-SHA256 (RFC 5869), written here because libsodium 1.0.18 has no `crypto_kdf_hkdf_*`.
public enum HKDF {
    /// Extract-then-expand: `length` bytes (at most 255 × 32) from input keying material `ikm`.
    public static func deriveKey(ikm: UnsafeRawBufferPointer, salt: [UInt8], info: [UInt8], length: Int) throws -> SecretBytes {
        guard length <= 255 * HMACSHA256.length else { throw CryptoError.invalidLength("HKDF output") }
        // RFC 5869 §2.2: an absent salt is HashLen zero bytes.
        let saltBytes = salt.isEmpty ? [UInt8](repeating: 0, count: HMACSHA256.length) : salt
        var prk = saltBytes.withUnsafeBytes { s in HMACSHA256.authenticate(ikm, key: s) }
        defer { prk.wipe() }
        let okm = try SecretBytes(count: length)
        var previous: [UInt8] = []
        var written = 0
        var counter: UInt8 = 1
        while written < length {
            var block = previous + info + [counter]
            previous.wipe()
            previous = HMACSHA256.authenticate(block, key: prk)
            block.wipe()
            let n = min(previous.count, length - written)
            okm.withUnsafeMutableBytes { o in
                for i in 0..<n { o[written + i] = previous[i] }
            }
            written += n
            counter &+= 1
        }
        previous.wipe()
        return okm
    }

    public static func deriveKey(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws -> SecretBytes {
        try ikm.withUnsafeBytes { (i) -> SecretBytes in try deriveKey(ikm: i, salt: salt, info: info, length: length) }
    }
}
