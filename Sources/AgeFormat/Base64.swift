/// Standard base64 (RFC 4648 §4), strict: canonical encodings only.
///
/// The age header uses it without `=` padding; the ASCII armor uses it with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Encodes `bytes` (ASCII output), padded with `=` or not.
    static func encode<C: Collection>(_ bytes: C, padded: Bool) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var it = bytes.makeIterator()
        while let a = it.next() {
            let b = it.next(), c = it.next()
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 0x03) << 4 | (b ?? 0) >> 4)])
            if let b {
                out.append(alphabet[Int((b & 0x0F) << 2 | (c ?? 0) >> 6)])
            } else if padded {
                out.append(0x3D)
            }
            if let c {
                out.append(alphabet[Int(c & 0x3F)])
            } else if padded {
                out.append(0x3D)
            }
        }
        return out
    }

    static func encodeString(_ bytes: [UInt8]) -> String {
        String(decoding: encode(bytes, padded: false), as: UTF8.self)
    }

    /// Decodes unpadded canonical base64; nil for any other character, for `=`, for an
    /// impossible length (1 mod 4) or for non-zero unused bits in the last character.
    static func decodeUnpadded<C: Collection>(_ chars: C) -> [UInt8]? where C.Element == UInt8 {
        guard chars.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in chars {
            let v = reverse[Int(c)]
            if v == 0xFF { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                acc &= (1 << UInt32(bits)) - 1
            }
        }
        // Canonical: the leftover bits (2 or 4) must be zero.
        guard acc == 0 else { return nil }
        return out
    }

    /// Decodes padded canonical base64 (length a multiple of 4, `=` only at the end, as
    /// many as needed and no more); nil otherwise.
    static func decodePadded<C: Collection>(_ chars: C) -> [UInt8]? where C.Element == UInt8 {
        guard chars.count % 4 == 0 else { return nil }
        var body = Array(chars)
        var pads = 0
        while pads < 2, body.last == 0x3D { body.removeLast(); pads += 1 }
        // A third `=`, or a quad whose padding does not match its length, is non-canonical.
        if body.last == 0x3D { return nil }
        guard (body.count + pads) % 4 == 0 else { return nil }
        if pads > 0 && body.count % 4 != 4 - pads { return nil }
        return decodeUnpadded(body)
    }
}
