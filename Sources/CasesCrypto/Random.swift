import CSodium

/// libsodium's CSPRNG: the only source of randomness in this program. There are no seeds.
public enum Random {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        Sodium.ready()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return out
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        Sodium.ready()
        if let b = buffer.baseAddress { randombytes_buf(b, buffer.count) }
    }

    /// A uniformly distributed integer in `0 ..< upperBound` (no modulo bias).
    public static func uniform(_ upperBound: UInt32) -> UInt32 {
        Sodium.ready()
        return randombytes_uniform(upperBound)
    }

    /// A uniformly distributed 64-bit integer.
    public static func uint64() -> UInt64 {
        let b = bytes(8)
        return b.reduce(0) { ($0 << 8) | UInt64($1) }
    }
}
