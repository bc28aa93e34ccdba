import CasesCrypto

/// A high-entropy code that unlocks the vault when every passphrase is lost: 25 random
/// Crockford base32 characters (125 bits) and a check character, shown once by `cases init`.
///
/// Held in sodium memory as its ASCII characters; the command line writes those bytes straight
/// to the terminal, never through a `String`.
public struct RecoveryCode: Sendable {
    /// The normalised characters (no hyphens), in sodium memory.
    public let characters: SecretBytes
    static let randomLength = 25

    /// A fresh code from libsodium's CSPRNG, made in sodium memory: no digit of it is ever in a
    /// Swift array.
    public static func generate() throws -> RecoveryCode {
        let characters = try SecretBytes(count: randomLength + 1)
        characters.withUnsafeMutableBytes { out in
            for i in 0..<randomLength { out[i] = Crockford32.alphabet[Int(Random.uniform(32))] }
            out[randomLength] = Crockford32.alphabet[Crockford32.checkValue(valuesOf(UnsafeRawBufferPointer(rebasing: out[0..<randomLength])))]
        }
        return RecoveryCode(characters: characters)
    }

    /// Parses a typed or filed code: case-insensitive, hyphens and spaces ignored, look-alikes
    /// folded; throws ``VaultError/malformedRecoveryCode`` if the length or check character is
    /// wrong. Normalised straight into sodium memory.
    public init(parsing typed: SecretBytes) throws {
        let normalised = try SecretBytes(count: Self.randomLength + 1)
        let ok = typed.withUnsafeBytes { raw in
            normalised.withUnsafeMutableBytes { out -> Bool in
                var n = 0
                for c in raw where c != UInt8(ascii: "-") && c != UInt8(ascii: " ") {
                    guard let v = Crockford32.value(of: c), n < out.count else { return false }
                    out[n] = Crockford32.alphabet[v]
                    n += 1
                }
                return n == out.count && Crockford32.isValid(Self.valuesOf(UnsafeRawBufferPointer(out)))
            }
        }
        guard ok else { throw VaultError.malformedRecoveryCode }
        characters = normalised
    }

    /// The characters' values, read in place.
    private static func valuesOf(_ ascii: UnsafeRawBufferPointer) -> LazyMapCollection<UnsafeRawBufferPointer, Int> {
        ascii.lazy.map { Int(Crockford32.values[Int($0)]) }
    }

    private init(characters: SecretBytes) { self.characters = characters }

    /// The code grouped for display, `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-X`, as bytes in sodium memory.
    public func grouped() throws -> SecretBytes {
        let n = characters.count
        let out = try SecretBytes(count: n + (n - 1) / 5)
        characters.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                var j = 0
                for i in 0..<n {
                    if i > 0 && i % 5 == 0 { dst[j] = UInt8(ascii: "-"); j += 1 }
                    dst[j] = src[i]; j += 1
                }
            }
        }
        return out
    }
}
