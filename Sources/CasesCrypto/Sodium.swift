import CSodium

/// The one place libsodium is initialised.
///
/// `sodium_init` is idempotent and thread-safe, but every entry point of this module calls
/// ``Sodium/ready()`` so that no primitive can run before the library has picked its
/// implementations and seeded its random source.
public enum Sodium {
    private static let initialised: Bool = sodium_init() >= 0

    /// Initialises libsodium once; crashes loudly if the library cannot start, because nothing
    /// secure can happen without it.
    @inline(__always)
    public static func ready() {
        precondition(initialised, "libsodium could not be initialised") // unreachable on a working system
    }
}

/// What can go wrong in a primitive; callers translate these into their own feature's words.
public enum CryptoError: Error, Equatable, Sendable {
    /// The authentication tag did not match: the bytes were altered, or the key is wrong.
    case authenticationFailed
    /// A key, nonce, salt or buffer had the wrong length.
    case invalidLength(String)
    /// `sodium_malloc` or the key derivation could not get the memory it needs.
    case outOfMemory
    /// A parameter was outside what this program accepts (for example a KDF cost above its cap).
    case invalidParameter(String)
}
