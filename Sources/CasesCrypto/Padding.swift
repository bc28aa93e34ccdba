import CSodium

/// ISO/IEC 7816-4 padding (`sodium_pad`) to a bucket, so a sealed record's length reveals only
/// its bucket, not the length of the names inside it.
public enum Padding {
    /// The bucket a payload of `length` bytes is padded to: 256 bytes, then powers of two up to
    /// 64 KiB, then multiples of 64 KiB. Always at least one byte longer than `length`.
    public static func bucket(for length: Int) -> Int {
        var size = 256
        while size <= length && size < 65_536 { size *= 2 }
        if size > length { return size }
        return (length / 65_536 + 1) * 65_536
    }

    /// `bytes` padded to its bucket.
    public static func pad(_ bytes: [UInt8]) -> [UInt8] {
        Sodium.ready()
        let block = bucket(for: bytes.count)
        var buf = bytes + [UInt8](repeating: 0, count: block - bytes.count)
        var padded = 0
        let rc = buf.withUnsafeMutableBufferPointer { b in
            sodium_pad(&padded, b.baseAddress!, bytes.count, block, block)
        }
        precondition(rc == 0 && padded == block) // unreachable: the buffer is always one block
        return buf
    }

    /// The payload inside a padded buffer; throws if the padding is malformed.
    ///
    /// Written here rather than `sodium_unpad`, whose constant-time scan of the whole bucket was
    /// a tenth of `list`: every caller unpads only after the AEAD tag verified, so the time
    /// this takes reveals nothing an attacker could not see from the record's bucket.
    public static func unpad(_ bytes: [UInt8]) throws -> [UInt8] {
        let length = try bytes.withUnsafeBufferPointer { try unpaddedLength($0) }
        return Array(bytes[0..<length])
    }

    /// The payload's length inside a padded buffer, for a caller that unpads in place.
    public static func unpaddedLength(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Int {
        var end = bytes.count - 1
        while end >= 0 && bytes[end] == 0 { end -= 1 }
        guard end >= 0, bytes[end] == 0x80 else { throw CryptoError.invalidLength("padded record") }
        return end
    }
}
