import CasesCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An X25519 recipient: the public key a backup is encrypted to, written `age1…`.
public struct AgeX25519Recipient: Sendable, Hashable, CustomStringConvertible {
    /// The 32-byte Curve25519 public key.
    public let publicKey: [UInt8]

    public init(publicKey: [UInt8]) throws {
        guard publicKey.count == X25519.length else { throw AgeError.invalidRecipient("the key is not 32 bytes long") }
        self.publicKey = publicKey
    }

    /// Parses `age1…` (lowercase Bech32, human-readable part `age`).
    public init(parsing string: String) throws {
        let decoded: (hrp: String, bytes: [UInt8])
        do { decoded = try Bech32.decodeBytes(string, maxLength: nil) } catch {
            throw AgeError.invalidRecipient("it is not valid Bech32 (a character is wrong or missing)")
        }
        guard decoded.hrp == "age" else { throw AgeError.invalidRecipient("it does not start with age1") }
        try self.init(publicKey: decoded.bytes)
    }

    /// The `age1…` form.
    public var description: String { Bech32.encode(hrp: "age", bytes: publicKey) }

    /// Parses a recipients file as `age -R` reads it: one `age1…` per line, `#` comments and
    /// blank lines allowed (CRLF tolerated).
    public static func parseRecipientsFile(_ contents: String) throws -> [AgeX25519Recipient] {
        var out: [AgeX25519Recipient] = []
        // Split on LF bytes: in Swift strings "\r\n" is one Character.
        for (i, rawLine) in Array(contents.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty || line.first == 0x23 { continue }
            do { out.append(try AgeX25519Recipient(parsing: String(decoding: line, as: UTF8.self))) } catch {
                throw AgeError.invalidRecipient("line \(i + 1) of the recipients file is not an age1… recipient")
            }
        }
        guard !out.isEmpty else { throw AgeError.invalidRecipient("the recipients file lists no recipient") }
        return out
    }
}

/// An X25519 identity: the secret key that opens backups made for its recipient, written
/// `AGE-SECRET-KEY-1…`. The scalar lives in sodium memory only.
public final class AgeX25519Identity: Sendable {
    let secretKey: SecretBytes
    /// The recipient (public key) of this identity.
    public let recipient: AgeX25519Recipient

    /// A new random identity (as `age-keygen` makes).
    public static func generate() throws -> AgeX25519Identity {
        do { return try AgeX25519Identity(secretKey: SecretBytes.random(count: X25519.length)) } catch let e as AgeError { throw e } catch {
            throw AgeError.cryptoFailure
        }
    }

    /// An identity from a 32-byte secret scalar (copied by reference: do not modify it after).
    public init(secretKey: SecretBytes) throws {
        guard secretKey.count == X25519.length else { throw AgeError.invalidIdentity("the key is not 32 bytes long") }
        self.secretKey = secretKey
        do { recipient = try AgeX25519Recipient(publicKey: X25519.publicKey(for: secretKey)) } catch {
            throw AgeError.cryptoFailure
        }
    }

    /// Parses `AGE-SECRET-KEY-1…` (uppercase Bech32), given as ASCII bytes in sodium memory.
    public convenience init(parsing encoded: SecretBytes) throws {
        var ascii = encoded.withUnsafeBytes { [UInt8]($0) }
        defer { ascii.wipe() }
        try self.init(ascii: ascii)
    }

    convenience init(ascii: [UInt8]) throws {
        var decoded: (hrp: [UInt8], values: [UInt8])
        do { decoded = try Bech32.decodeASCII(ascii, maxLength: nil) } catch {
            throw AgeError.invalidIdentity("it is not valid Bech32 (a character is wrong or missing)")
        }
        defer { decoded.values.wipe() }
        guard decoded.hrp == Array("AGE-SECRET-KEY-".utf8) else {
            throw AgeError.invalidIdentity("it does not start with AGE-SECRET-KEY-1 in capitals")
        }
        var bytes: [UInt8]
        do { bytes = try Bech32.convertBits(decoded.values, from: 5, to: 8, pad: false) } catch {
            throw AgeError.invalidIdentity("its padding is invalid")
        }
        guard bytes.count == X25519.length else {
            bytes.wipe()
            throw AgeError.invalidIdentity("the key is not 32 bytes long")
        }
        let key: SecretBytes
        do { key = try SecretBytes.consuming(&bytes) } catch { throw AgeError.cryptoFailure }
        try self.init(secretKey: key)
    }

    /// Parses an identity file in `age-keygen` format: one `AGE-SECRET-KEY-1…` per line, `#`
    /// comments and blank lines allowed (CRLF tolerated). At least one identity is required.
    public static func parseIdentityFile(_ contents: SecretBytes) throws -> [AgeX25519Identity] {
        var out: [AgeX25519Identity] = []
        try contents.withUnsafeBytes { raw in
            var lineNumber = 0
            var start = 0
            while start <= raw.count {
                var end = start
                while end < raw.count && raw[end] != 0x0A { end += 1 }
                lineNumber += 1
                var stop = end
                if stop > start && raw[stop - 1] == 0x0D { stop -= 1 }
                if stop > start && raw[start] != 0x23 /* # */ {
                    var line = [UInt8](UnsafeRawBufferPointer(rebasing: raw[start..<stop]))
                    defer { line.wipe() }
                    do { out.append(try AgeX25519Identity(ascii: line)) } catch let e as AgeError where e.kind == .invalidInput {
                        throw AgeError.invalidIdentity("line \(lineNumber) of the identity file is not an AGE-SECRET-KEY-1… key")
                    }
                }
                start = end + 1
            }
        }
        guard !out.isEmpty else { throw AgeError.noIdentityInFile }
        return out
    }

    /// The `AGE-SECRET-KEY-1…` form, as ASCII in sodium memory.
    public func encoded() throws -> SecretBytes {
        var bytes = secretKey.withUnsafeBytes { [UInt8]($0) }
        defer { bytes.wipe() }
        var values = try Bech32.convertBits(bytes, from: 8, to: 5, pad: true)
        defer { values.wipe() }
        var ascii = Bech32.encodeASCII(hrp: Array("age-secret-key-".utf8), values: values)
        for i in ascii.indices where ascii[i] >= 0x61 && ascii[i] <= 0x7A { ascii[i] -= 0x20 }
        do { return try SecretBytes.consuming(&ascii) } catch { throw AgeError.cryptoFailure }
    }

    /// An identity file as `age-keygen` writes it: `# created: …`, `# public key: age1…`, the
    /// secret key, each on its own line. `created` is seconds since 1970 (UTC), nil for now.
    public func identityFile(created: Int? = nil) throws -> SecretBytes {
        var t = time_t(created ?? Int(time(nil)))
        var parts = tm()
        gmtime_r(&t, &parts)
        var stamp = [CChar](repeating: 0, count: 32)
        let n = strftime(&stamp, stamp.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        let created = String(decoding: stamp[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var text = Array("# created: \(created)\n# public key: \(recipient)\n".utf8)
        let key = try encoded()
        key.withUnsafeBytes { text.append(contentsOf: $0) }
        text.append(0x0A)
        do { return try SecretBytes.consuming(&text) } catch { throw AgeError.cryptoFailure }
    }
}

/// Who can open an encrypted file.
public enum AgeRecipient: Sendable {
    /// An X25519 public key (`age1…`). Several may be given.
    case x25519(AgeX25519Recipient)
    /// A passphrase, stretched with scrypt at work factor 2^`logN`. Must be the only recipient.
    case passphrase(SecretBytes, logN: Int = Age.defaultScryptLogN)
}

/// What can open an encrypted file.
public enum AgeIdentity: Sendable {
    /// An X25519 secret key (`AGE-SECRET-KEY-1…`).
    case x25519(AgeX25519Identity)
    /// A passphrase for a file with an scrypt stanza (work factor up to 2^`Age.maximumScryptLogN`).
    case passphrase(SecretBytes)
}
