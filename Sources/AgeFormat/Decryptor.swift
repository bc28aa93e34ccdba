import CasesCrypto
import Dispatch

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
    ///
    /// `chunksAtOnce` chunks are read and opened together, on every core (a parameter so that
    /// tests run every stream through the parallel path with small files).
    public static func decrypt(
        from source: any ByteSource, to sink: any ByteSink, identities: [AgeIdentity],
        maximumScryptLogN: Int = Age.maximumScryptLogN, chunksAtOnce: Int = chunksAtOnce,
        progress: ((_ bytesDone: Int64) -> Void)? = nil
    ) throws {
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
        try decryptPayload(input, key: key, to: sink, chunksAtOnce: max(chunksAtOnce, 1)) { progress?(counting.total) }
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

    /// Chunks opened together by default: 1 MiB, enough to keep two cores busy.
    public static let chunksAtOnce = 16

    /// STREAM decryption: every chunk authenticated, the final one flagged, nothing after it.
    ///
    /// Chunks are read `chunksAtOnce` at a time; when more follow them, none of them is the
    /// final one, and they are opened on every core (each chunk's nonce is its own number, so
    /// the order of opening does not matter) and written in order. The end of the stream, once
    /// in the buffer, is opened chunk by chunk. Either way the first chunk that fails is the
    /// one named, and the chunks before it have been written, as when opening one at a time.
    static func decryptPayload(
        _ input: BufferedReader, key: SecretBytes, to sink: any ByteSink, chunksAtOnce batch: Int,
        afterChunk: () -> Void
    ) throws {
        let full = Age.encryptedChunkSize
        // One byte of look-ahead tells a full final chunk from a full chunk with more to come.
        var buffer = [UInt8](repeating: 0, count: batch * full + 1)
        var plain = [UInt8](repeating: 0, count: batch * Age.chunkSize)
        defer { buffer.wipe(); plain.wipe() }
        var have = 0
        var counter: UInt64 = 0

        try key.withUnsafeBytes { k in
            func open(
                _ b: UnsafeRawBufferPointer, _ p: UnsafeMutableRawBufferPointer, offset: Int, count: Int,
                number: UInt64, last: Bool, slot: Int
            ) -> Int? {
                openChunk(b, p, key: k, offset: offset, count: count, number: number, last: last, slot: slot)
            }
            // Why a non-final chunk did not open: if it opens as the final one, bytes follow the end.
            func notOpened(_ b: UnsafeRawBufferPointer, _ p: UnsafeMutableRawBufferPointer, offset: Int, number: UInt64, slot: Int) -> AgeError {
                open(b, p, offset: offset, count: full, number: number, last: true, slot: slot) != nil
                    ? .trailingData : .chunkAuthenticationFailed(chunk: Int64(number))
            }
            func write(_ p: UnsafeMutableRawBufferPointer, slot: Int, count: Int) throws {
                try sink.write(UnsafeRawBufferPointer(rebasing: p[(slot * Age.chunkSize)..<(slot * Age.chunkSize + count)]))
            }

            while true {
                have += try buffer.withUnsafeMutableBytes { try input.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[have...])) }
                if have > batch * full {
                    // More follows, so these are all non-final chunks.
                    let opened = UnsafeMutableBufferPointer<Bool>.allocate(capacity: batch)
                    opened.initialize(repeating: false)
                    defer { opened.deallocate() }
                    try buffer.withUnsafeBytes { b in
                        try plain.withUnsafeMutableBytes { p in
                            // Each thread reads its own chunk and writes its own slot and flag.
                            nonisolated(unsafe) let (shared, k, b, p) = (opened, k, b, p)
                            let first = counter
                            DispatchQueue.concurrentPerform(iterations: batch) { i in
                                shared[i] =
                                    openChunk(b, p, key: k, offset: i * full, count: full, number: first + UInt64(i), last: false, slot: i) != nil
                            }
                            for i in 0..<batch {
                                let number = counter + UInt64(i)
                                guard opened[i] else { throw notOpened(b, p, offset: i * full, number: number, slot: i) }
                                try write(p, slot: i, count: Age.chunkSize)
                                afterChunk()
                            }
                        }
                    }
                    buffer[0] = buffer[batch * full]
                    have = 1
                    counter += UInt64(batch)
                    continue
                }
                // The rest of the stream is in the buffer: non-final chunks, then the final one.
                try buffer.withUnsafeBytes { b in
                    try plain.withUnsafeMutableBytes { p in
                        var offset = 0
                        while have - offset > full {
                            guard open(b, p, offset: offset, count: full, number: counter, last: false, slot: 0) != nil else {
                                throw notOpened(b, p, offset: offset, number: counter, slot: 0)
                            }
                            try write(p, slot: 0, count: Age.chunkSize)
                            offset += full
                            counter += 1
                            afterChunk()
                        }
                        let rest = have - offset
                        guard rest >= Age.tagLength else { throw AgeError.truncated }
                        if rest == Age.tagLength {
                            // An empty final chunk: allowed only as the sole chunk of an empty payload.
                            guard open(b, p, offset: offset, count: rest, number: counter, last: true, slot: 0) != nil else {
                                throw AgeError.chunkAuthenticationFailed(chunk: Int64(counter))
                            }
                            guard counter == 0 else { throw AgeError.emptyFinalChunk }
                            afterChunk()
                            return
                        }
                        guard let n = open(b, p, offset: offset, count: rest, number: counter, last: true, slot: 0) else {
                            let asNonFinal = open(b, p, offset: offset, count: rest, number: counter, last: false, slot: 0) != nil
                            throw asNonFinal ? AgeError.truncated : AgeError.chunkAuthenticationFailed(chunk: Int64(counter))
                        }
                        try write(p, slot: 0, count: n)
                        afterChunk()
                    }
                }
                return
            }
        }
    }

    /// Opens `count` bytes at `offset` of `buffer` as chunk `number` into plaintext slot `slot`
    /// of `plain`: the plaintext's length, or nil when it does not authenticate.
    private static func openChunk(
        _ buffer: UnsafeRawBufferPointer, _ plain: UnsafeMutableRawBufferPointer, key: UnsafeRawBufferPointer,
        offset: Int, count: Int, number: UInt64, last: Bool, slot: Int
    ) -> Int? {
        try? ChaCha20Poly1305.open(
            UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)]),
            nonce: streamNonce(counter: number, last: last), key: key,
            into: UnsafeMutableRawBufferPointer(rebasing: plain[(slot * Age.chunkSize)...]))
    }
}
