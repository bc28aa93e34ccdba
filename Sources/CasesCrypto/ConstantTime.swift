import CSodium

/// Whether two MACs or tags are equal, in time that depends only on their length
/// (`sodium_memcmp`): a comparison that stops at the first differing byte tells someone
/// who can time many tries how much of a forged MAC is right.
///
/// Every comparison of a MAC, a tag or a secret in `cases` goes through here (or through
/// ``SecretBytes/isEqual(to:)``, which is the same for sodium memory).
public func constantTimeEqual<A: Sequence<UInt8>, B: Sequence<UInt8>>(_ a: A, _ b: B) -> Bool {
    // Arrays and Data hand over their storage; any other sequence is copied first.
    let result = a.withContiguousStorageIfAvailable { x in
        b.withContiguousStorageIfAvailable { y in constantTimeEqual(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) }
    }
    if let inPlace = result ?? nil { return inPlace }
    let x = Array(a), y = Array(b)
    return x.withUnsafeBytes { xs in y.withUnsafeBytes { ys in constantTimeEqual(xs, ys) } }
}

/// The same, over raw buffers.
public func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0, let x = a.baseAddress, let y = b.baseAddress else { return true }
    return sodium_memcmp(x, y, a.count) == 0
}
