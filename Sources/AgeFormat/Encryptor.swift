import CasesCrypto

/// The 12-byte STREAM nonce: an 11-byte big-endian chunk counter, then the last-chunk flag.
func streamNonce(counter: UInt64, last: Bool) -> [UInt8] {
    var n = [UInt8](repeating: 0, count: 12)
    for i in 0..<8 { n[10 - i] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * i)) }
    n[11] = last ? 1 : 0
    return n
}

func payloadKey(fileKey: SecretBytes, nonce: [UInt8]) throws -> SecretBytes {
    try fileKey.withUnsafeBytes { try HKDF.deriveKey(ikm: $0, salt: nonce, info: Array("payload".utf8), length: 32) }
}

/// Encrypts what is written to it as one age v1 file into `sink`, in constant memory.
///
/// The header is written by `init`; each full 64 KiB chunk is sealed and written as soon as
/// the next byte arrives; `finish()` seals the final chunk (and closes the armor). A file
/// whose `finish()` was never called is incomplete and any age reader refuses it.
public final class AgeWriter: ByteSink {
    private let output: any ByteSink
    private let armor: ArmorWriter?
    private let key: SecretBytes
    private var chunk: [UInt8] = []
    private var sealed: [UInt8] = []
    private var counter: UInt64 = 0
    private var finished = false
    private var failed = false

    /// Starts an age file for `recipients`: one or more X25519 recipients, or exactly one
    /// passphrase. With `armor`, the output is PEM-style ASCII armor.
    public convenience init(to sink: any ByteSink, recipients: [AgeRecipient], armor: Bool = false) throws {
        guard !recipients.isEmpty else { throw AgeError.invalidEncryptionRequest("no recipient was given") }
        let passphrases = recipients.filter { if case .passphrase = $0 { true } else { false } }
        if !passphrases.isEmpty && recipients.count > 1 {
            throw AgeError.invalidEncryptionRequest("a passphrase backup cannot also be made for other recipients or passphrases")
        }
        let fileKey: SecretBytes
        var stanzas: [AgeStanza] = []
        do {
            fileKey = try SecretBytes.random(count: Age.fileKeyLength)
            for r in recipients {
                switch r {
                case .x25519(let recipient):
                    stanzas.append(try Stanzas.wrapX25519(fileKey: fileKey, to: recipient))
                case .passphrase(let passphrase, let logN):
                    guard (1...Age.maximumScryptLogN).contains(logN) else {
                        throw AgeError.invalidEncryptionRequest("the passphrase work factor must be between 2^1 and 2^\(Age.maximumScryptLogN)")
                    }
                    stanzas.append(try Stanzas.wrapScrypt(fileKey: fileKey, passphrase: passphrase, logN: logN))
                }
            }
        } catch let e as AgeError { throw e } catch { throw AgeError.cryptoFailure }
        try self.init(to: sink, fileKey: fileKey, stanzas: stanzas, armor: armor)
    }

    /// Writes a header of exactly `stanzas`, MAC'd under `fileKey` (tests build odd headers).
    init(to sink: any ByteSink, fileKey: SecretBytes, stanzas: [AgeStanza], armor: Bool) throws {
        do {
            var header = AgeHeader.encodeWithoutMAC(stanzas)
            let mac = try AgeHeader.computeMAC(header, fileKey: fileKey)
            header.append(0x20)
            header += Base64.encode(mac, padded: false)
            header.append(0x0A)
            let nonce = Random.bytes(Age.payloadNonceLength)
            header += nonce
            key = try payloadKey(fileKey: fileKey, nonce: nonce)
            if armor {
                let a = ArmorWriter(sink)
                self.armor = a
                output = a
            } else {
                self.armor = nil
                output = sink
            }
            try header.withUnsafeBytes { try output.write($0) }
        } catch let e as AgeError { throw e } catch { throw AgeError.cryptoFailure }
        chunk.reserveCapacity(Age.chunkSize)
        sealed.reserveCapacity(Age.encryptedChunkSize)
    }

    deinit { chunk.wipe() }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after finish")
        guard !failed else { throw AgeError.invalidEncryptionRequest("an earlier write failed") }
        var i = 0
        while i < bytes.count {
            if chunk.count == Age.chunkSize { try seal(last: false) }
            let n = min(Age.chunkSize - chunk.count, bytes.count - i)
            chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]))
            i += n
        }
    }

    /// Seals the final chunk and, for armor, writes the END line. Call exactly once.
    public func finish() throws {
        precondition(!finished, "finish called twice")
        guard !failed else { throw AgeError.invalidEncryptionRequest("an earlier write failed") }
        try seal(last: true)
        try armor?.finish()
        finished = true
    }

    private func seal(last: Bool) throws {
        failed = true
        sealed.removeAll(keepingCapacity: true)
        do {
            try key.withUnsafeBytes { k in
                try chunk.withUnsafeBytes { c in
                    try ChaCha20Poly1305.seal(c, nonce: streamNonce(counter: counter, last: last), key: k, into: &sealed)
                }
            }
        } catch { throw AgeError.cryptoFailure }
        try sealed.withUnsafeBytes { try output.write($0) }
        chunk.wipe()
        chunk.removeAll(keepingCapacity: true)
        counter += 1
        failed = false
    }
}

/// Whole-stream encryption.
public enum AgeEncryptor {
    /// Encrypts everything `source` holds into `sink` as an age v1 file for `recipients`.
    /// `progress` is called after each read with the plaintext bytes read so far.
    public static func encrypt(
        from source: any ByteSource, to sink: any ByteSink, recipients: [AgeRecipient],
        armor: Bool = false, progress: ((_ bytesDone: Int64) -> Void)? = nil
    ) throws {
        let writer = try AgeWriter(to: sink, recipients: recipients, armor: armor)
        var buffer = [UInt8](repeating: 0, count: Age.chunkSize)
        defer { buffer.wipe() }
        var done: Int64 = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += Int64(n)
            progress?(done)
        }
        try writer.finish()
    }
}
