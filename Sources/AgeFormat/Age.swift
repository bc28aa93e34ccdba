/// The age v1 file format (C2SP age, https://c2sp.org/age): constants shared by its parts.
public enum Age {
    /// The version line every v1 header starts with (without its line feed).
    public static let versionLine = "age-encryption.org/v1"
    /// Plaintext bytes per payload chunk (64 KiB).
    public static let chunkSize = 64 * 1024
    /// The scrypt work factor (log2 N) used when encrypting with a passphrase, as `age` does.
    public static let defaultScryptLogN = 18
    /// The highest scrypt work factor accepted when decrypting (2^22: about 4 GiB and seconds
    /// of work). A file asking for more is refused rather than left to exhaust the machine.
    public static let maximumScryptLogN = 22
    /// The longest header this implementation reads (1 MiB, thousands of recipients).
    public static let maximumHeaderSize = 1 << 20

    static let fileKeyLength = 16
    static let tagLength = 16
    static let encryptedChunkSize = chunkSize + tagLength
    static let payloadNonceLength = 16
}
