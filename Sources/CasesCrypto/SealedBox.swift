import CSodium

/// XChaCha20-Poly1305-IETF with a random 24-byte nonce: confidentiality and integrity for one
/// record, bound to its context by associated data.
///
/// Output layout: `nonce (24) ‖ ciphertext ‖ tag (16)`. A random nonce is safe here because
/// XChaCha's 192-bit nonce makes collisions negligible for any number of records a vault holds.
public enum XChaCha20Poly1305 {
    public static let keyLength = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    public static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    public static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
    /// Bytes a sealed message adds to its plaintext.
    public static var overhead: Int { nonceLength + tagLength }

    /// Encrypts and authenticates `plaintext` with `associatedData`.
    public static func seal(_ plaintext: UnsafeRawBufferPointer, associatedData: [UInt8], key: SecretBytes) throws -> [UInt8] {
        Sodium.ready()
        guard key.count == keyLength else { throw CryptoError.invalidLength("key") }
        var out = [UInt8](repeating: 0, count: nonceLength + plaintext.count + tagLength)
        out.withUnsafeMutableBufferPointer { o in
            randombytes_buf(o.baseAddress!, nonceLength)
            key.withUnsafeBytes { k in
                var clen: UInt64 = 0
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                    o.baseAddress! + nonceLength, &clen,
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                    associatedData, UInt64(associatedData.count),
                    nil, o.baseAddress!, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return out
    }

    /// Encrypts and authenticates `plaintext` into `out`, exactly `plaintext.count + overhead`
    /// bytes: `nonce ‖ ciphertext ‖ tag`. `nonce` must be `nonceLength` bytes fresh from
    /// ``Random`` (a caller sealing many records draws them in bulk, not one system call each).
    public static func seal(
        _ plaintext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer,
        key: SecretBytes, into out: UnsafeMutableRawBufferPointer
    ) throws {
        Sodium.ready()
        guard key.count == keyLength else { throw CryptoError.invalidLength("key") }
        guard nonce.count == nonceLength else { throw CryptoError.invalidLength("nonce") }
        guard out.count == plaintext.count + overhead, let o = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw CryptoError.invalidLength("sealed output")
        }
        o.update(from: nonce.baseAddress!.assumingMemoryBound(to: UInt8.self), count: nonceLength)
        key.withUnsafeBytes { k in
            var clen: UInt64 = 0
            _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                o + nonceLength, &clen,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(associatedData.count),
                nil, o, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Encrypts a byte array; see ``seal(_:associatedData:key:)``.
    public static func seal(_ plaintext: [UInt8], associatedData: [UInt8], key: SecretBytes) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { (p) -> [UInt8] in try seal(p, associatedData: associatedData, key: key) }
    }

    /// Verifies and decrypts into sodium memory (for keys and other secrets).
    public static func openSecret(_ sealed: [UInt8], associatedData: [UInt8], key: SecretBytes) throws -> SecretBytes {
        guard sealed.count >= overhead else { throw CryptoError.authenticationFailed }
        let out = try SecretBytes(count: sealed.count - overhead)
        try out.withUnsafeMutableBytes { (o) in
            try open(sealed, associatedData: associatedData, key: key, into: o)
        }
        return out
    }

    /// Verifies and decrypts into an ordinary array.
    public static func open(_ sealed: [UInt8], associatedData: [UInt8], key: SecretBytes) throws -> [UInt8] {
        try sealed.withUnsafeBytes { try open($0, associatedData: associatedData, key: key) }
    }

    /// Verifies and decrypts bytes read in place (a database row), without copying them first.
    public static func open(_ sealed: UnsafeRawBufferPointer, associatedData: [UInt8], key: SecretBytes) throws -> [UInt8] {
        guard sealed.count >= overhead else { throw CryptoError.authenticationFailed }
        let plainCount = sealed.count - overhead
        var out = [UInt8](repeating: 0, count: max(plainCount, 1)) // never a nil base address
        try out.withUnsafeMutableBytes { (o) in
            try open(sealed, associatedData: associatedData, key: key, checkedOut: o)
        }
        out.removeLast(out.count - plainCount)
        return out
    }

    private static func open(_ sealed: [UInt8], associatedData: [UInt8], key: SecretBytes, into out: UnsafeMutableRawBufferPointer) throws {
        try sealed.withUnsafeBytes { try open($0, associatedData: associatedData, key: key, checkedOut: out) }
    }

    /// Verifies and decrypts into `out` (at least `sealed.count - overhead` bytes), for a
    /// caller that opens many records with one buffer; returns the plaintext's length.
    public static func open(_ sealed: UnsafeRawBufferPointer, associatedData: [UInt8], key: SecretBytes, into out: UnsafeMutableRawBufferPointer)
        throws -> Int
    {
        guard sealed.count >= overhead, out.count >= sealed.count - overhead, out.baseAddress != nil else { throw CryptoError.authenticationFailed }
        try open(sealed, associatedData: associatedData, key: key, checkedOut: out)
        return sealed.count - overhead
    }

    private static func open(
        _ sealed: UnsafeRawBufferPointer, associatedData: [UInt8], key: SecretBytes, checkedOut out: UnsafeMutableRawBufferPointer
    ) throws {
        Sodium.ready()
        guard key.count == keyLength else { throw CryptoError.invalidLength("key") }
        guard let s = sealed.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw CryptoError.authenticationFailed }
        let rc: Int32 = key.withUnsafeBytes { k in
            var mlen: UInt64 = 0
            return crypto_aead_xchacha20poly1305_ietf_decrypt(
                out.baseAddress!.assumingMemoryBound(to: UInt8.self), &mlen, nil,
                s + nonceLength, UInt64(sealed.count - nonceLength),
                associatedData, UInt64(associatedData.count),
                s, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard rc == 0 else { throw CryptoError.authenticationFailed }
    }
}

/// ChaCha20-Poly1305-IETF with a caller-chosen 12-byte nonce, as the age format requires.
public enum ChaCha20Poly1305 {
    public static let keyLength = Int(crypto_aead_chacha20poly1305_ietf_KEYBYTES)
    public static let nonceLength = Int(crypto_aead_chacha20poly1305_ietf_NPUBBYTES)
    public static let tagLength = Int(crypto_aead_chacha20poly1305_ietf_ABYTES)

    /// Encrypts `plaintext` (no associated data) into `ciphertext ‖ tag`.
    public static func seal(_ plaintext: UnsafeRawBufferPointer, nonce: [UInt8], key: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        Sodium.ready()
        guard key.count == keyLength else { throw CryptoError.invalidLength("key") }
        guard nonce.count == nonceLength else { throw CryptoError.invalidLength("nonce") }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: plaintext.count + tagLength))
        out.withUnsafeMutableBufferPointer { o in
            var clen: UInt64 = 0
            _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                o.baseAddress! + start, &clen,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                nil, 0, nil, nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Verifies and decrypts `ciphertext ‖ tag` into `out` (at least the ciphertext's length),
    /// and returns the plaintext's length. Nothing is written unless the tag verifies.
    public static func open(_ sealed: UnsafeRawBufferPointer, nonce: [UInt8], key: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer)
        throws -> Int
    {
        Sodium.ready()
        guard key.count == keyLength else { throw CryptoError.invalidLength("key") }
        guard nonce.count == nonceLength else { throw CryptoError.invalidLength("nonce") }
        guard sealed.count >= tagLength else { throw CryptoError.authenticationFailed }
        let plainCount = sealed.count - tagLength
        guard out.count >= plainCount else { throw CryptoError.invalidLength("output") }
        var mlen: UInt64 = 0
        // libsodium checks the tag before it decrypts, so a forged chunk leaves `out` as it was.
        let rc = crypto_aead_chacha20poly1305_ietf_decrypt(
            out.baseAddress?.assumingMemoryBound(to: UInt8.self), &mlen, nil,
            sealed.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(sealed.count),
            nil, 0, nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        guard rc == 0 else { throw CryptoError.authenticationFailed }
        return plainCount
    }

    /// Verifies and decrypts `ciphertext ‖ tag`, appending the plaintext to `out`.
    public static func open(_ sealed: UnsafeRawBufferPointer, nonce: [UInt8], key: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        Sodium.ready()
        guard key.count == keyLength else { throw CryptoError.invalidLength("key") }
        guard nonce.count == nonceLength else { throw CryptoError.invalidLength("nonce") }
        guard sealed.count >= tagLength else { throw CryptoError.authenticationFailed }
        let start = out.count
        let plainCount = sealed.count - tagLength
        out.append(contentsOf: repeatElement(0, count: plainCount))
        let rc = out.withUnsafeMutableBufferPointer { o in
            var mlen: UInt64 = 0
            return crypto_aead_chacha20poly1305_ietf_decrypt(
                o.baseAddress! + start, &mlen, nil,
                sealed.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(sealed.count),
                nil, 0, nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard rc == 0 else {
            out.removeLast(plainCount)
            throw CryptoError.authenticationFailed
        }
    }
}
