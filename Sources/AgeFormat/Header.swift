import CasesCrypto

/// One recipient stanza of an age header: `-> TYPE ARG…` and a binary body.
public struct AgeStanza: Sendable, Equatable {
    /// The first argument, naming the recipient type (`X25519`, `scrypt`, …).
    public var type: String
    /// The remaining arguments.
    public var arguments: [String]
    public var body: [UInt8]

    public init(type: String, arguments: [String], body: [UInt8]) {
        self.type = type
        self.arguments = arguments
        self.body = body
    }
}

/// A parsed age v1 header: its stanzas, its MAC and the exact bytes the MAC covers.
public struct AgeHeader: Sendable, Equatable {
    public var stanzas: [AgeStanza]
    public var mac: [UInt8]
    /// The header from its first byte up to and including `---`.
    var macInput: [UInt8]

    /// The serialised header without its MAC: everything up to and including `---`.
    static func encodeWithoutMAC(_ stanzas: [AgeStanza]) -> [UInt8] {
        var out = Array("\(Age.versionLine)\n".utf8)
        for s in stanzas {
            out.append(contentsOf: Array("->".utf8))
            for arg in [s.type] + s.arguments { out.append(0x20); out.append(contentsOf: Array(arg.utf8)) }
            out.append(0x0A)
            let b64 = Base64.encode(s.body, padded: false)
            var i = 0
            while true {
                let n = min(64, b64.count - i)
                out.append(contentsOf: b64[i..<(i + n)])
                out.append(0x0A)
                i += n
                if n < 64 { break } // a full last line is followed by an empty one
            }
        }
        out.append(contentsOf: Array("---".utf8))
        return out
    }

    /// Parses and validates the header at the start of `reader`, leaving the reader at the
    /// first payload byte. Does not check the MAC (that needs the file key).
    static func parse(_ reader: BufferedReader) throws -> AgeHeader {
        var consumed: [UInt8] = []
        var budget = Age.maximumHeaderSize

        func line(_ first: Bool = false) throws -> [UInt8] {
            let l: [UInt8]?
            do { l = try reader.readLine(maxLength: first ? 128 : budget) } catch is BufferedReader.LineTooLong {
                throw first ? AgeError.notAnAgeFile : AgeError.headerTooLarge
            }
            guard let l, l.last == 0x0A else {
                throw first ? AgeError.notAnAgeFile : AgeError.malformedHeader("the header ends before its MAC line")
            }
            budget -= l.count
            if budget < 0 { throw AgeError.headerTooLarge }
            return l
        }

        let prefix = Array("age-encryption.org/".utf8)
        let head = try reader.peek(prefix.count)
        guard Array(head) == prefix else { throw AgeError.notAnAgeFile }
        let version = try line(true)
        guard version == Array("\(Age.versionLine)\n".utf8) else {
            if version == Array("\(Age.versionLine)\r\n".utf8) {
                throw AgeError.malformedHeader("its line endings were changed to CRLF, as a text-mode transfer does")
            }
            throw AgeError.unsupportedVersion
        }
        consumed += version

        var stanzas: [AgeStanza] = []
        while true {
            let l = try line()
            if l.starts(with: Array("---".utf8)) {
                // "--- " + 43 base64 characters + LF.
                guard l.count == 4 + 43 + 1, l[3] == 0x20,
                    let mac = Base64.decodeUnpadded(l[4..<47]), mac.count == 32
                else { throw AgeError.malformedHeader("the MAC line is malformed") }
                guard !stanzas.isEmpty else { throw AgeError.malformedHeader("it has no recipient stanza") }
                consumed += l[0..<3]
                return AgeHeader(stanzas: stanzas, mac: mac, macInput: consumed)
            }
            guard l.starts(with: Array("-> ".utf8)) else {
                throw AgeError.malformedHeader("a line is neither a stanza nor the MAC line")
            }
            consumed += l
            let args = l[3..<(l.count - 1)].split(separator: 0x20, omittingEmptySubsequences: false)
            for arg in args {
                guard !arg.isEmpty, arg.allSatisfy({ $0 >= 33 && $0 <= 126 }) else {
                    throw AgeError.malformedHeader("a stanza argument is empty or not printable ASCII")
                }
            }
            var encodedBody: [UInt8] = []
            while true {
                let b = try line()
                consumed += b
                let text = b.dropLast()
                guard text.count <= 64 else { throw AgeError.malformedHeader("a stanza line is longer than 64 columns") }
                encodedBody += text
                if text.count < 64 { break }
            }
            guard let body = Base64.decodeUnpadded(encodedBody) else {
                throw AgeError.malformedHeader("a stanza body is not canonical unpadded base64")
            }
            let strings = args.map { String(decoding: $0, as: UTF8.self) }
            stanzas.append(AgeStanza(type: strings[0], arguments: Array(strings.dropFirst()), body: body))
        }
    }

    /// HMAC-SHA256 of `macInput` under HKDF(file key, salt empty, info "header").
    static func computeMAC(_ macInput: [UInt8], fileKey: SecretBytes) throws -> [UInt8] {
        let key = try fileKey.withUnsafeBytes { try HKDF.deriveKey(ikm: $0, salt: [], info: Array("header".utf8), length: 32) }
        return key.withUnsafeBytes { k in macInput.withUnsafeBytes { m in HMACSHA256.authenticate(m, key: k) } }
    }
}
