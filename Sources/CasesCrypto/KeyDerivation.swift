import CSodium

/// Sub-keys from a master key with `crypto_kdf_derive_from_key` (BLAKE2b), one per purpose.
///
/// Each purpose has its own 8-byte context and id, so a key for sealing records can never be
/// used as the audit MAC key or the release-ledger key.
public enum SubkeyDerivation {
    public static let masterKeyLength = Int(crypto_kdf_KEYBYTES)

    /// Derives a `length`-byte sub-key for `context` (exactly 8 ASCII bytes) and `id`.
    public static func derive(length: Int = 32, id: UInt64, context: StaticString, from master: SecretBytes) throws -> SecretBytes {
        Sodium.ready()
        guard master.count == masterKeyLength else { throw CryptoError.invalidLength("master key") }
        guard context.utf8CodeUnitCount == Int(crypto_kdf_CONTEXTBYTES) else { throw CryptoError.invalidLength("context") }
        let sub = try SecretBytes(count: length)
        let rc = sub.withUnsafeMutableBytes { s in
            master.withUnsafeBytes { m in
                context.withUTF8Buffer { ctx in
                    ctx.withMemoryRebound(to: CChar.self) { c in
                        crypto_kdf_derive_from_key(
                            s.baseAddress!.assumingMemoryBound(to: UInt8.self), length, id, c.baseAddress!,
                            m.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
        guard rc == 0 else { throw CryptoError.invalidLength("sub-key") }
        return sub
    }
}

/// Keyed BLAKE2b (`crypto_generichash`), used as the audit chain's MAC and as a keyed hash for
/// blind indexes (duplicate detection without plaintext).
public enum KeyedHash {
    /// A `length`-byte keyed BLAKE2b of the concatenation of `parts`.
    public static func mac(_ parts: [[UInt8]], key: SecretBytes, length: Int = 32) -> [UInt8] {
        key.withUnsafeBytes { k in blake2b(parts, key: k, length: length) }
    }

    /// A `length`-byte keyed BLAKE2b of the concatenation of `parts`, read in place: for the
    /// audit chain, which MACs every event an import writes.
    public static func mac(_ parts: [UnsafeRawBufferPointer], key: SecretBytes, length: Int = 32, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count == length)
        key.withUnsafeBytes { k in blake2b(parts, key: k, into: out) }
    }

    /// Unkeyed BLAKE2b-256, for content hashes that hold no secret (the release chain links).
    public static func hash(_ parts: [[UInt8]], length: Int = 32) -> [UInt8] {
        blake2b(parts, key: UnsafeRawBufferPointer(start: nil, count: 0), length: length)
    }

    private static func blake2b(_ parts: [[UInt8]], key: UnsafeRawBufferPointer, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        out.withUnsafeMutableBytes { o in
            blake2b(key: key, into: o) { st in for part in parts { _ = crypto_generichash_update(st, part, UInt64(part.count)) } }
        }
        return out
    }

    private static func blake2b(_ parts: [UnsafeRawBufferPointer], key: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        blake2b(key: key, into: out) { st in
            for part in parts { _ = crypto_generichash_update(st, part.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(part.count)) }
        }
    }

    /// Runs BLAKE2b over what `update` feeds it. The state is an over-aligned C struct that Swift
    /// imports as opaque: allocated raw on the stack (no heap allocation per MAC), wiped after.
    private static func blake2b(key: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, _ update: (OpaquePointer) -> Void) {
        Sodium.ready()
        withUnsafeTemporaryAllocation(byteCount: crypto_generichash_statebytes(), alignment: 64) { state in
            let st = OpaquePointer(state.baseAddress!)
            _ = crypto_generichash_init(st, key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, out.count)
            update(st)
            _ = crypto_generichash_final(st, out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count)
            sodium_memzero(state.baseAddress!, state.count)
        }
    }
}
