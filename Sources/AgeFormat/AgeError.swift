#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything that can go wrong reading or writing an age file, in words a caseworker can act
/// on. No case carries key material, passphrases or plaintext.
public enum AgeError: Error, Equatable, Sendable, CustomStringConvertible {
    // The file is not what it should be (exit 65).
    case notAnAgeFile
    case malformedHeader(String)
    case headerTooLarge
    case headerMACMismatch
    case scryptStanzaNotAlone
    case invalidScryptWorkFactor
    case malformedArmor(String)
    case missingPayloadNonce
    case truncated
    case emptyFinalChunk
    case chunkAuthenticationFailed(chunk: Int64)
    case trailingData

    // The key or passphrase given cannot open it (exit 77).
    case noMatchingIdentity
    case wrongPassphrase
    case passphraseRequired
    case identityRequired

    // It uses something this program does not (exit 65).
    case unsupportedVersion
    case unsupportedRecipientTypes
    case scryptWorkFactorTooHigh(logN: Int, limit: Int)

    // What the caller gave is not valid (exit 65).
    case invalidRecipient(String)
    case invalidIdentity(String)
    case noIdentityInFile
    case invalidEncryptionRequest(String)

    // The system failed (exit 74).
    case readFailed(errno: Int32)
    case writeFailed(errno: Int32)
    case cryptoFailure

    /// How a caller should treat the error.
    public enum Kind: Sendable, Equatable {
        /// The file is damaged, truncated, altered, or not an age file.
        case damaged
        /// Wrong passphrase, or no identity given matches the file.
        case notAllowed
        /// Valid, but uses a version, recipient type or work factor this program refuses.
        case unsupported
        /// A recipient, identity file or encryption request given by the caller is invalid.
        case invalidInput
        /// Reading, writing or the system's memory failed.
        case systemFailure

        /// The sysexits code `cases` uses for this kind (see docs/cli.md).
        public var exitCode: Int32 {
            switch self {
            case .damaged, .unsupported, .invalidInput: 65
            case .notAllowed: 77
            case .systemFailure: 74
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .notAnAgeFile, .malformedHeader, .headerTooLarge, .headerMACMismatch, .scryptStanzaNotAlone,
            .invalidScryptWorkFactor, .malformedArmor, .missingPayloadNonce, .truncated, .emptyFinalChunk,
            .chunkAuthenticationFailed, .trailingData:
            .damaged
        case .noMatchingIdentity, .wrongPassphrase, .passphraseRequired, .identityRequired:
            .notAllowed
        case .unsupportedVersion, .unsupportedRecipientTypes, .scryptWorkFactorTooHigh:
            .unsupported
        case .invalidRecipient, .invalidIdentity, .noIdentityInFile, .invalidEncryptionRequest:
            .invalidInput
        case .readFailed, .writeFailed, .cryptoFailure:
            .systemFailure
        }
    }

    public var description: String {
        switch self {
        case .notAnAgeFile:
            "This is not an age-encrypted backup file, or its beginning is damaged."
        case .malformedHeader(let why):
            "The backup file is damaged or was altered: its header is malformed (\(why))."
        case .headerTooLarge:
            "The backup file is damaged or was altered: its header is implausibly large."
        case .headerMACMismatch:
            "The backup file is damaged or was altered: the header MAC does not match."
        case .scryptStanzaNotAlone:
            "The backup file is damaged or was altered: a passphrase stanza appears beside other stanzas, which age forbids."
        case .invalidScryptWorkFactor:
            "The backup file is damaged or was altered: its passphrase work factor is not a valid number."
        case .malformedArmor(let why):
            "The backup file is damaged or was altered: its ASCII armor is malformed (\(why))."
        case .missingPayloadNonce:
            "The backup file is incomplete: it ends right after its header, with no contents."
        case .truncated:
            "The backup file is incomplete: it ends before its final chunk (it was cut short or chunks were removed)."
        case .emptyFinalChunk:
            "The backup file is damaged or was altered: it ends with an empty chunk, which age forbids."
        case .chunkAuthenticationFailed(let chunk):
            "The backup file is damaged or was altered: chunk \(chunk) of its contents failed authentication."
        case .trailingData:
            "The backup file is damaged or was altered: there is extra data after its final chunk."
        case .noMatchingIdentity:
            "No identity matches this backup: it was made for another key."
        case .wrongPassphrase:
            "The passphrase is wrong for this backup."
        case .passphraseRequired:
            "This backup is protected by a passphrase, not a key: give its passphrase."
        case .identityRequired:
            "This backup was made for a key, not a passphrase: give the identity file of one of its recipients."
        case .unsupportedVersion:
            "This backup uses an age format version this program cannot read."
        case .unsupportedRecipientTypes:
            "This backup was made only for kinds of recipient this program does not support (such as a plugin, post-quantum or hardware key), or its header was damaged."
        case .scryptWorkFactorTooHigh(let logN, let limit):
            "This backup's passphrase asks for a work factor of 2^\(logN), above the limit of 2^\(limit) this program accepts."
        case .invalidRecipient(let why):
            "This is not a valid age recipient (age1…): \(why)."
        case .invalidIdentity(let why):
            "This is not a valid age identity (AGE-SECRET-KEY-1…): \(why)."
        case .noIdentityInFile:
            "The identity file holds no age secret key (AGE-SECRET-KEY-1…)."
        case .invalidEncryptionRequest(let why):
            "The backup cannot be written: \(why)."
        case .readFailed(let code):
            "Could not read: \(Self.systemMessage(code))."
        case .writeFailed(let code):
            "Could not write: \(Self.systemMessage(code))."
        case .cryptoFailure:
            "The cryptographic library failed (out of secure memory?)."
        }
    }

    private static func systemMessage(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "error \(code)" }
        return String(cString: s)
    }
}
