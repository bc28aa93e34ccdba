import CSodium

/// Argon2id (`crypto_pwhash`) cost parameters, stored beside each passphrase keyslot.
public struct Argon2Parameters: Codable, Equatable, Sendable {
    public var opsLimit: UInt64
    public var memLimit: UInt64

    public init(opsLimit: UInt64, memLimit: UInt64) {
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// libsodium's named profiles. `interactive` is for tests and weak laptops, `moderate` the
    /// default, `sensitive` for a coordinator's vault that is unlocked rarely.
    public enum Profile: String, CaseIterable, Codable, Sendable {
        case interactive, moderate, sensitive
    }

    public init(profile: Profile) {
        switch profile {
        case .interactive:
            self.init(opsLimit: UInt64(crypto_pwhash_opslimit_interactive()), memLimit: UInt64(crypto_pwhash_memlimit_interactive()))
        case .moderate:
            self.init(opsLimit: UInt64(crypto_pwhash_opslimit_moderate()), memLimit: UInt64(crypto_pwhash_memlimit_moderate()))
        case .sensitive:
            self.init(opsLimit: UInt64(crypto_pwhash_opslimit_sensitive()), memLimit: UInt64(crypto_pwhash_memlimit_sensitive()))
        }
    }

    /// The highest cost a stored slot may ask for: sensitive. A tampered slot asking for more
    /// would otherwise make unlocking hang or exhaust memory.
    public static let cap = Argon2Parameters(profile: .sensitive)

    /// Whether these parameters are within the cap and above libsodium's minimums.
    public var isAcceptable: Bool {
        opsLimit >= UInt64(crypto_pwhash_opslimit_min()) && opsLimit <= Self.cap.opsLimit
            && memLimit >= UInt64(crypto_pwhash_memlimit_min()) && memLimit <= Self.cap.memLimit
    }
}

/// Argon2id passphrase hashing into a key.
public enum PasswordHash {
    public static let saltLength = Int(crypto_pwhash_SALTBYTES)

    /// Derives `length` key bytes from `passphrase` and `salt`. Refuses parameters above the cap.
    public static func deriveKey(length: Int, passphrase: SecretBytes, salt: [UInt8], parameters: Argon2Parameters) throws -> SecretBytes {
        Sodium.ready()
        guard salt.count == saltLength else { throw CryptoError.invalidLength("salt") }
        guard parameters.isAcceptable else { throw CryptoError.invalidParameter("Argon2id cost out of range") }
        let key = try SecretBytes(count: length)
        let rc = key.withUnsafeMutableBytes { k in
            passphrase.withUnsafeBytes { p in
                crypto_pwhash(
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(length),
                    p.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(p.count),
                    salt, parameters.opsLimit, Int(parameters.memLimit), crypto_pwhash_ALG_ARGON2ID13)
            }
        }
        guard rc == 0 else { throw CryptoError.outOfMemory }
        return key
    }
}

/// scrypt, as the age format's passphrase stanza uses it (N = 2^logN, r = 8, p = 1).
public enum Scrypt {
    /// Derives `length` bytes. `logN` above 30 is refused here; callers apply their own, lower cap.
    public static func deriveKey(length: Int, passphrase: SecretBytes, salt: [UInt8], logN: Int) throws -> SecretBytes {
        Sodium.ready()
        guard (1...30).contains(logN) else { throw CryptoError.invalidParameter("scrypt work factor") }
        let key = try SecretBytes(count: length)
        let rc = key.withUnsafeMutableBytes { k in
            passphrase.withUnsafeBytes { p in
                crypto_pwhash_scryptsalsa208sha256_ll(
                    p.baseAddress!.assumingMemoryBound(to: UInt8.self), p.count,
                    salt, salt.count, UInt64(1) << UInt64(logN), 8, 1,
                    k.baseAddress!.assumingMemoryBound(to: UInt8.self), length)
            }
        }
        guard rc == 0 else { throw CryptoError.outOfMemory }
        return key
    }
}
