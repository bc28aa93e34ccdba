import CSodium

/// Bytes that must never reach the Swift heap, a log or a core dump: keys and passphrases.
///
/// Backed by `sodium_malloc` (guard pages, `mlock` where allowed) and wiped by `sodium_free`
/// when released. The type prints as `SecretBytes(redacted)` and offers no `String` view, so
/// a secret cannot end up in an interpolated error message by accident.
// Sendable by hand: the pointer and count never change after init; callers write the bytes
// (`withUnsafeMutableBytes`) only while filling a secret no other thread holds yet, and
// `sodium_free` runs in deinit, when no thread holds it any more.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let pointer: UnsafeMutableRawPointer
    /// How many bytes the secret holds.
    public let count: Int

    /// A zero-filled secret of `count` bytes.
    public init(count: Int) throws {
        Sodium.ready()
        guard let p = sodium_malloc(max(count, 1)) else { throw CryptoError.outOfMemory }
        sodium_memzero(p, max(count, 1))
        pointer = p
        self.count = count
    }

    /// A secret filled from libsodium's CSPRNG.
    public static func random(count: Int) throws -> SecretBytes {
        let s = try SecretBytes(count: count)
        randombytes_buf(s.pointer, count)
        return s
    }

    /// Copies `bytes` into sodium memory. The caller remains responsible for wiping its copy.
    public convenience init(copying bytes: UnsafeRawBufferPointer) throws {
        try self.init(count: bytes.count)
        if bytes.count > 0, let base = bytes.baseAddress { pointer.copyMemory(from: base, byteCount: bytes.count) }
    }

    /// Copies `bytes` into sodium memory and wipes the array's storage.
    public static func consuming(_ bytes: inout [UInt8]) throws -> SecretBytes {
        defer { bytes.wipe() }
        let s = try SecretBytes(count: bytes.count)
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { s.pointer.copyMemory(from: base, byteCount: raw.count) }
        }
        return s
    }

    deinit { sodium_free(pointer) }

    /// Reads the secret. Do not let the pointer escape the closure.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Writes the secret in place. Do not let the pointer escape the closure.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: pointer, count: count))
    }

    /// A new secret holding bytes `range` of this one.
    public func slice(_ range: Range<Int>) throws -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return try SecretBytes(copying: UnsafeRawBufferPointer(start: pointer + range.lowerBound, count: range.count))
    }

    /// Constant-time equality.
    public func isEqual(to other: SecretBytes) -> Bool {
        count == other.count && sodium_memcmp(pointer, other.pointer, count) == 0
    }

    public var description: String { "SecretBytes(redacted)" }
    public var debugDescription: String { description }
}

extension Array where Element == UInt8 {
    /// Overwrites the array's bytes with zeros in a way the optimiser will not remove.
    public mutating func wipe() {
        withUnsafeMutableBytes { raw in if let b = raw.baseAddress { sodium_memzero(b, raw.count) } }
    }
}
