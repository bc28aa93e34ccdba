import CZxcvbn
import CasesCrypto

/// How many guesses a new passphrase would take, estimated by zxcvbn (its C port), so that
/// `init`, `key add` and `key passwd` refuse one a cracking rig would find.
///
/// Argon2id makes each guess cost about a second on the laptop, but a forensic lab guesses on
/// a copy with many machines: only the passphrase's own entropy protects that copy. zxcvbn
/// counts dictionary words, names, dates, keyboard walks and repeats for what they are, so
/// `Tr0ub4dor&3` scores about 47 bits and five random words about 75.
public enum PassphraseStrength {
    /// The least estimated entropy accepted without `--accept-weak-passphrase`.
    public static let minimumBits = 60.0

    /// zxcvbn's estimate, in bits.
    ///
    /// zxcvbn wants a NUL-terminated string, so the passphrase is copied into sodium memory one
    /// byte longer (wiped when released); zxcvbn's own working copies are on its stack and heap
    /// for the few microseconds it runs. A NUL inside the passphrase ends what zxcvbn sees, which
    /// can only lower the estimate.
    public static func bits(of passphrase: SecretBytes) throws -> Double {
        let terminated = try SecretBytes(count: passphrase.count + 1)
        terminated.withUnsafeMutableBytes { dst in
            passphrase.withUnsafeBytes { src in
                if let base = src.baseAddress, src.count > 0 { dst.baseAddress!.copyMemory(from: base, byteCount: src.count) }
            }
        }
        return terminated.withUnsafeBytes { raw in
            ZxcvbnMatch(raw.baseAddress!.assumingMemoryBound(to: CChar.self), nil, nil)
        }
    }

    /// Refuses a weak passphrase unless `acceptWeak`; returns true when a weak one was let
    /// through, which the caller records in the audit log.
    static func check(_ passphrase: SecretBytes, acceptWeak: Bool) throws -> Bool {
        guard try bits(of: passphrase) < minimumBits else { return false }
        guard acceptWeak else { throw PassphraseError.tooWeak }
        return true
    }
}

/// Why a new passphrase was refused.
public enum PassphraseError: CasesError, Equatable {
    case tooWeak

    public var kind: FailureKind { .invalidInput }
    public var description: String {
        "This passphrase is too easy to guess; use five or more words picked at random (with dice and a word list, not a saying or a song), or pass --accept-weak-passphrase to keep it anyway."
    }
}
