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

    /// A fresh code from libsodium's CSPRNG.
    public static func generate() throws -> RecoveryCode {
        var values = Crockford32.randomValues(randomLength)
        values.append(Crockford32.checkValue(values))
        var ascii = values.map { Crockford32.alphabet[$0] }
        values = []
        return RecoveryCode(characters: try SecretBytes.consuming(&ascii))
    }

    /// Parses a typed or filed code: case-insensitive, hyphens and spaces ignored, look-alikes
    /// folded; throws ``VaultError/malformedRecoveryCode`` if the length or check character is wrong.
    public init(parsing typed: SecretBytes) throws {
        var values: [Int] = []
        var ok = true
        typed.withUnsafeBytes { raw in
            for c in raw where c != UInt8(ascii: "-") && c != UInt8(ascii: " ") {
                guard let v = Crockford32.value(of: c) else { ok = false; return }
                values.append(v)
            }
        }
        guard ok, values.count == Self.randomLength + 1, Crockford32.isValid(values) else {
            values.wipeInts()
            throw VaultError.malformedRecoveryCode
        }
        var ascii = values.map { Crockford32.alphabet[$0] }
        values.wipeInts()
        characters = try SecretBytes.consuming(&ascii)
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

extension Array where Element == Int {
    mutating func wipeInts() {
        for i in indices { self[i] = 0 }
        removeAll()
    }
}
