/// Bech32 (BIP 173) as age uses it: the checksum is always computed over the lowercase
/// string, a string is all lowercase or all uppercase, and age lifts the 90-character limit.
public enum Bech32 {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in charset.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// Why a string is not valid Bech32.
    public enum Error: Swift.Error, Equatable, Sendable {
        case invalidCharacter, mixedCase, missingSeparator, emptyHumanReadablePart,
            checksumTooShort, tooLong, invalidChecksum, invalidPadding
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ffffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Encodes 5-bit `values` under `hrp` (given in lowercase; ASCII 33–126). The result is
    /// lowercase; uppercase it for identities.
    public static func encode(hrp: String, values: [UInt8]) -> String {
        String(decoding: encodeASCII(hrp: Array(hrp.utf8), values: values), as: UTF8.self)
    }

    static func encodeASCII(hrp: [UInt8], values: [UInt8]) -> [UInt8] {
        var input = expand(hrp) + values + [0, 0, 0, 0, 0, 0]
        let mod = polymod(input) ^ 1
        input.wipe()
        var out = hrp
        out.append(0x31) // "1"
        for v in values { out.append(charset[Int(v)]) }
        for i in 0..<6 { out.append(charset[Int((mod >> UInt32(5 * (5 - i))) & 31)]) }
        return out
    }

    /// Decodes a Bech32 string into its human-readable part (as written, so uppercase for an
    /// uppercase string) and its 5-bit values. `maxLength` nil means no length limit (age).
    public static func decode(_ string: String, maxLength: Int? = 90) throws -> (hrp: String, values: [UInt8]) {
        let r = try decodeASCII(Array(string.utf8), maxLength: maxLength)
        return (String(decoding: r.hrp, as: UTF8.self), r.values)
    }

    static func decodeASCII(_ s: [UInt8], maxLength: Int?) throws -> (hrp: [UInt8], values: [UInt8]) {
        if let maxLength, s.count > maxLength { throw Error.tooLong }
        var hasLower = false, hasUpper = false
        for c in s {
            guard c >= 33 && c <= 126 else { throw Error.invalidCharacter }
            if c >= 0x61 && c <= 0x7A { hasLower = true }
            if c >= 0x41 && c <= 0x5A { hasUpper = true }
        }
        if hasLower && hasUpper { throw Error.mixedCase }
        guard let sep = s.lastIndex(of: 0x31) else { throw Error.missingSeparator }
        guard sep > 0 else { throw Error.emptyHumanReadablePart }
        guard s.count - sep - 1 >= 6 else { throw Error.checksumTooShort }
        let hrp = Array(s[..<sep])
        let lowerHRP = hrp.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
        var values: [UInt8] = []
        values.reserveCapacity(s.count - sep - 1)
        for c in s[(sep + 1)...] {
            let lower = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
            let v = lower < 128 ? reverse[Int(lower)] : -1
            guard v >= 0 else { values.wipe(); throw Error.invalidCharacter }
            values.append(UInt8(v))
        }
        var check = expand(lowerHRP) + values
        defer { check.wipe() }
        guard polymod(check) == 1 else { values.wipe(); throw Error.invalidChecksum }
        values.removeLast(6)
        return (hrp, values)
    }

    /// Regroups bits: 8 → 5 with padding (`pad` true), or 5 → 8 rejecting padding of more
    /// than 4 bits or non-zero padding bits (`pad` false).
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) throws -> [UInt8] {
        var acc: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        out.reserveCapacity(data.count * from / to + 1)
        let maxValue: UInt32 = (1 << UInt32(to)) - 1
        for v in data {
            guard UInt32(v) >> UInt32(from) == 0 else { out.wipe(); throw Error.invalidCharacter }
            acc = (acc << UInt32(from)) | UInt32(v)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> UInt32(bits)) & maxValue))
            }
            acc &= (1 << UInt32(bits)) - 1
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << UInt32(to - bits)) & maxValue)) }
        } else if bits >= from || acc != 0 {
            out.wipe()
            throw Error.invalidPadding
        }
        acc = 0
        return out
    }

    /// Encodes bytes (8-bit) as Bech32 under a lowercase `hrp`.
    public static func encode(hrp: String, bytes: [UInt8]) -> String {
        var values = (try? convertBits(bytes, from: 8, to: 5, pad: true)) ?? []
        defer { values.wipe() }
        return encode(hrp: hrp, values: values)
    }

    /// Decodes a Bech32 string into its human-readable part and bytes (8-bit).
    public static func decodeBytes(_ string: String, maxLength: Int? = nil) throws -> (hrp: String, bytes: [UInt8]) {
        var r = try decode(string, maxLength: maxLength)
        defer { r.values.wipe() }
        return (r.hrp, try convertBits(r.values, from: 5, to: 8, pad: false))
    }
}
