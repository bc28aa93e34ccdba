import CasesCrypto

extension AgeHeader {
    /// Whether the file is protected by a passphrase (an scrypt stanza) rather than keys.
    public var isPassphraseProtected: Bool { stanzas.contains { $0.type == "scrypt" } }
}

/// Whole-stream decryption and verification.
public enum AgeDecryptor {
    /// Reads and validates the header of an age file, armored or binary, without any key:
    /// to learn whether it wants a passphrase or an identity. The MAC is not checked here.
    public static func readHeader(from source: any ByteSource) throws -> AgeHeader {
        try AgeHeader.parse(try openInput(BufferedReader(source)))
    }

    /// Decrypts the age file `source` holds (armored or binary, detected) into `sink`.
    ///
    /// Each 64 KiB chunk is authenticated before its plaintext is written, but the file as a
    /// whole is only known to be complete and unaltered when this returns: on any error the
    /// caller must discard what was written (or decrypt into a ``DiscardingByteSink`` first to
    /// verify). `progress` is called after each chunk with the bytes read from `source`.
    public static func decrypt(from source: any ByteSource, to sink: any ByteSink, identities: [AgeIdentity],
                               maximumScryptLogN: Int = Age.maximumScryptLogN,
                               progress: ((_ bytesDone: Int64) -> Void)? = nil) throws {
        let counting = CountingSource(source)
        let input = try openInput(BufferedReader(counting, capacity: 64 * 1024))
        let header = try AgeHeader.parse(input)
        let fileKey = try unwrapFileKey(header, identities: identities, maximumScryptLogN: maximumScryptLogN)
        let key: SecretBytes
        do {
            guard constantTimeEqual(try AgeHeader.computeMAC(header.macInput, fileKey: fileKey), header.mac) else {
                throw AgeError.headerMACMismatch
            }
            var nonce = [UInt8](repeating: 0, count: Age.payloadNonceLength)
            let got = try nonce.withUnsafeMutableBytes { try input.readFully(into: $0) }
            guard got == nonce.count else { throw AgeError.missingPayloadNonce }
            key = try payloadKey(fileKey: fileKey, nonce: nonce)
        } catch let e as AgeError { throw e } catch { throw AgeError.cryptoFailure }
        try decryptPayload(input, key: key, to: sink) { progress?(counting.total) }
    }

    /// Armor detection: skips to the armored bytes when the input starts with a BEGIN line.
    private static func openInput(_ raw: BufferedReader) throws -> BufferedReader {
        if AgeArmor.looksArmored(try raw.peek(2048)) {
            return BufferedReader(ArmorReader(raw), capacity: 64 * 1024)
        }
        return raw
    }

    static func unwrapFileKey(_ header: AgeHeader, identities: [AgeIdentity], maximumScryptLogN: Int) throws -> SecretBytes {
        let stanzas = header.stanzas
        var keys: [AgeX25519Identity] = []
        var passphrases: [SecretBytes] = []
        for id in identities {
            switch id {
            case .x25519(let k): keys.append(k)
            case .passphrase(let p): passphrases.append(p)
            }
        }
        if stanzas.contains(where: { $0.type == "scrypt" }) {
            guard stanzas.count == 1 else { throw AgeError.scryptStanzaNotAlone }
            let (salt, logN) = try Stanzas.validateScrypt(stanzas[0], maximumLogN: maximumScryptLogN)
            guard !passphrases.isEmpty else { throw AgeError.passphraseRequired }
            for p in passphrases {
                if let fileKey = try Stanzas.unwrapScrypt(stanzas[0], salt: salt, logN: logN, passphrase: p) { return fileKey }
            }
            throw AgeError.wrongPassphrase
        }
        var x25519: [(AgeStanza, [UInt8])] = []
        for s in stanzas where s.type == "X25519" { x25519.append((s, try Stanzas.validateX25519(s))) }
        guard !x25519.isEmpty else { throw AgeError.unsupportedRecipientTypes }
        guard !keys.isEmpty else { throw AgeError.identityRequired }
        do {
            for k in keys {
                for (s, share) in x25519 {
                    if let fileKey = try Stanzas.unwrapX25519(s, share: share, identity: k) { return fileKey }
                }
            }
        } catch let e as AgeError { throw e } catch { throw AgeError.cryptoFailure }
        throw AgeError.noMatchingIdentity
    }

    /// STREAM decryption: every chunk authenticated, the final one flagged, nothing after it.
    static func decryptPayload(_ input: BufferedReader, key: SecretBytes, to sink: any ByteSink, afterChunk: () -> Void) throws {
        let full = Age.encryptedChunkSize
        // One byte of look-ahead tells a full final chunk from a full chunk with more to come.
        var buffer = [UInt8](repeating: 0, count: full + 1)
        var plain: [UInt8] = []
        plain.reserveCapacity(Age.chunkSize)
        defer { buffer.wipe(); plain.wipe() }
        var have = 0
        var counter: UInt64 = 0

        func open(_ count: Int, last: Bool) -> Bool {
            plain.removeAll(keepingCapacity: true)
            do {
                try key.withUnsafeBytes { k in
                    try buffer.withUnsafeBytes { b in
                        try ChaCha20Poly1305.open(UnsafeRawBufferPointer(rebasing: b[0..<count]), nonce: streamNonce(counter: counter, last: last),
                                                  key: k, into: &plain)
                    }
                }
                return true
            } catch { return false }
        }

        while true {
            have += try buffer.withUnsafeMutableBytes { try input.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[have...])) }
            if have > full {
                // More follows, so this must be a non-final chunk.
                guard open(full, last: false) else {
                    throw open(full, last: true) ? AgeError.trailingData : AgeError.chunkAuthenticationFailed(chunk: Int64(counter))
                }
                try plain.withUnsafeBytes { try sink.write($0) }
                buffer[0] = buffer[full]
                have = 1
                counter += 1
                afterChunk()
                continue
            }
            // This is the final chunk.
            guard have >= Age.tagLength else { throw AgeError.truncated }
            if have == Age.tagLength {
                // An empty final chunk: allowed only as the sole chunk of an empty payload.
                guard open(have, last: true) else { throw AgeError.chunkAuthenticationFailed(chunk: Int64(counter)) }
                guard counter == 0 else { throw AgeError.emptyFinalChunk }
                afterChunk()
                return
            }
            guard open(have, last: true) else {
                throw open(have, last: false) ? AgeError.truncated : AgeError.chunkAuthenticationFailed(chunk: Int64(counter))
            }
            try plain.withUnsafeBytes { try sink.write($0) }
            afterChunk()
            return
        }
    }
}
