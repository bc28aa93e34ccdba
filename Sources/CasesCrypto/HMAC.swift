import CSodium

/// HMAC-SHA256 (`crypto_auth_hmacsha256`).
public enum HMACSHA256 {
    public static let length = Int(crypto_auth_hmacsha256_BYTES)

    /// HMAC-SHA256 of `message` under a key of any length.
    public static func authenticate(_ message: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        out.withUnsafeMutableBytes { o in authenticate([message], key: key, into: o) }
        return out
    }

    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { m in key.withUnsafeBytes { k in authenticate(m, key: k) } }
    }

    /// HMAC-SHA256 of the concatenation of `parts`, written into `out` (``length`` bytes), so a
    /// MAC that is itself key material can go straight into sodium memory. The state is wiped.
    /// `out` may overlap a part: it is written only after every part is read.
    public static func authenticate(_ parts: [UnsafeRawBufferPointer], key: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count == length)
        Sodium.ready()
        var state = crypto_auth_hmacsha256_state()
        var empty: UInt8 = 0
        _ = crypto_auth_hmacsha256_init(
            &state, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? withUnsafePointer(to: &empty) { $0 }, key.count)
        for part in parts {
            if let m = part.baseAddress, part.count > 0 {
                _ = crypto_auth_hmacsha256_update(&state, m.assumingMemoryBound(to: UInt8.self), UInt64(part.count))
            }
        }
        _ = crypto_auth_hmacsha256_final(&state, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        sodium_memzero(&state, MemoryLayout.size(ofValue: state))
    }
}

/// HKDF-SHA256 (RFC 5869), written here because libsodium 1.0.18 has no `crypto_kdf_hkdf_*`.
///
/// The pseudo-random key and every block T(i) live in sodium memory; nothing derived from the
/// input key is ever in a Swift array.
public enum HKDF {
    /// Extract-then-expand: `length` bytes (at most 255 × 32) from input keying material `ikm`.
    public static func deriveKey(ikm: UnsafeRawBufferPointer, salt: [UInt8], info: [UInt8], length: Int) throws -> SecretBytes {
        guard length <= 255 * HMACSHA256.length else { throw CryptoError.invalidLength("HKDF output") }
        // RFC 5869 §2.2: an absent salt is HashLen zero bytes.
        let saltBytes = salt.isEmpty ? [UInt8](repeating: 0, count: HMACSHA256.length) : salt
        let prk = try SecretBytes(count: HMACSHA256.length)
        prk.withUnsafeMutableBytes { p in saltBytes.withUnsafeBytes { s in HMACSHA256.authenticate([ikm], key: s, into: p) } }
        let okm = try SecretBytes(count: length)
        let block = try SecretBytes(count: HMACSHA256.length)
        var written = 0
        var counter: UInt8 = 1
        while written < length {
            let n = min(HMACSHA256.length, length - written)
            block.withUnsafeMutableBytes { t in
                prk.withUnsafeBytes { k in
                    info.withUnsafeBytes { i in
                        withUnsafeBytes(of: &counter) { c in
                            // T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), with T(0) empty.
                            let previous = UnsafeRawBufferPointer(start: t.baseAddress, count: written == 0 ? 0 : t.count)
                            HMACSHA256.authenticate([previous, i, c], key: k, into: t)
                        }
                    }
                }
                okm.withUnsafeMutableBytes { o in o.baseAddress!.advanced(by: written).copyMemory(from: t.baseAddress!, byteCount: n) }
            }
            written += n
            counter &+= 1
        }
        return okm
    }

    public static func deriveKey(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws -> SecretBytes {
        try ikm.withUnsafeBytes { (i) -> SecretBytes in try deriveKey(ikm: i, salt: salt, info: info, length: length) }
    }
}
