import CasesCrypto
import Testing

@testable import AgeFormat

/// Builds an age file with exactly the given stanzas and a valid MAC (so a rejection is
/// structural, not the MAC's).
private func craft(_ stanzas: (SecretBytes) throws -> [AgeStanza], payload: [UInt8] = [1, 2, 3]) throws -> [UInt8] {
    let fileKey = try SecretBytes.random(count: 16)
    let sink = ArrayByteSink()
    let w = try AgeWriter(to: sink, fileKey: fileKey, stanzas: try stanzas(fileKey), armor: false)
    try payload.withUnsafeBytes { try w.write($0) }
    try w.finish()
    return sink.bytes
}

private func replacing(_ file: [UInt8], _ old: String, _ new: String) -> [UInt8] {
    let s = String(decoding: file[0..<headerLength(file)], as: UTF8.self)
    precondition(s.contains(old))
    return Array(s.replacingOccurrences(of: old, with: new).utf8) + file[headerLength(file)...]
}

private func flip(_ file: [UInt8], at i: Int, mask: UInt8 = 0x01) -> [UInt8] {
    var f = file
    f[i] ^= mask
    return f
}

@Suite("AgeDecryptor rejections")
struct RejectionTests {
    let id: AgeX25519Identity
    init() throws { id = try AgeX25519Identity.generate() }

    private func error(_ file: [UInt8], _ ids: [AgeIdentity]? = nil) -> AgeError? {
        ageError { _ = try decrypt(file, ids ?? [.x25519(id)]) }
    }

    // MARK: truncation, missing final chunk, appended bytes

    @Test func truncationAtAndAroundEveryChunkBoundaryIsDamage() throws {
        let plain = pattern(3 * 65_536 + 100)
        let enc = try encrypt(plain, [.x25519(id.recipient)])
        let payloadStart = headerLength(enc) + 16
        var cuts = Set(0..<(payloadStart + 20)) // inside the header, the nonce, the first tag
        for k in 0...4 {
            let boundary = payloadStart + k * 65_552
            for d in -17...17 where boundary + d >= 0 && boundary + d < enc.count { cuts.insert(boundary + d) }
        }
        cuts.insert(enc.count - 1)
        for cut in cuts.sorted() {
            let e = error(Array(enc[0..<cut]))
            #expect(e?.kind == .damaged, "cut at \(cut) of \(enc.count) gave \(String(describing: e))")
        }
    }

    @Test func aFileCutAtAChunkBoundaryIsMissingItsFinalChunk() throws {
        let enc = try encrypt(pattern(2 * 65_536 + 10), [.x25519(id.recipient)])
        let start = headerLength(enc) + 16
        #expect(error(Array(enc[0..<(start + 65_552)])) == .truncated)
        #expect(error(Array(enc[0..<(start + 2 * 65_552)])) == .truncated)
        #expect(error(Array(enc[0..<start])) == .truncated)
        #expect(error(Array(enc[0..<(start - 1)])) == .missingPayloadNonce)
    }

    @Test func anEmptyFinalChunkAfterFullOnesIsRefused() throws {
        // Re-seal a 65536-byte payload as a full non-final chunk plus an empty final one.
        let fileKey = try SecretBytes.random(count: 16)
        let stanza = try Stanzas.wrapX25519(fileKey: fileKey, to: id.recipient)
        var file = AgeHeader.encodeWithoutMAC([stanza])
        let mac = try AgeHeader.computeMAC(file, fileKey: fileKey)
        file += Array(" ".utf8) + Base64.encode(mac, padded: false) + [0x0A]
        let nonce = Random.bytes(16)
        file += nonce
        let key = try payloadKey(fileKey: fileKey, nonce: nonce)
        try key.withUnsafeBytes { k in
            try pattern(65_536).withUnsafeBytes { try ChaCha20Poly1305.seal($0, nonce: streamNonce(counter: 0, last: false), key: k, into: &file) }
            try [UInt8]().withUnsafeBytes { try ChaCha20Poly1305.seal($0, nonce: streamNonce(counter: 1, last: true), key: k, into: &file) }
        }
        #expect(error(file) == .emptyFinalChunk)
    }

    @Test func bytesAppendedAfterTheFinalChunkAreRefused() throws {
        for size in [0, 5, 65_536, 65_537] {
            let enc = try encrypt(pattern(size), [.x25519(id.recipient)])
            for extra in [[UInt8(0)], [UInt8](repeating: 0x41, count: 100), pattern(65_552)] {
                let e = error(enc + extra)
                #expect(e?.kind == .damaged, "size \(size) + \(extra.count) gave \(String(describing: e))")
            }
        }
        // A full final chunk followed by a byte is recognised as trailing data.
        let full = try encrypt(pattern(65_536), [.x25519(id.recipient)])
        #expect(error(full + [0]) == .trailingData)
    }

    /// Streams longer than the chunks opened at once by default (`AgeDecryptor.chunksAtOnce`):
    /// damage deep inside is named by its chunk, and the end is found as chunk by chunk.
    @Test func damageInALongStreamIsNamedByItsChunk() throws {
        let n = 65_552
        let enc = try encrypt(pattern(40 * 65_536 + 7), [.x25519(id.recipient)])
        let start = headerLength(enc) + 16
        #expect(try decrypt(enc, [.x25519(id)]) == pattern(40 * 65_536 + 7))
        for chunk in [0, 15, 16, 17, 23, 31, 32, 39, 40] {
            #expect(error(flip(enc, at: start + chunk * n + 5)) == .chunkAuthenticationFailed(chunk: Int64(chunk)))
        }
        for k in [16, 17, 32, 40] { #expect(error(Array(enc[0..<(start + k * n)])) == .truncated) }
        let exact = try encrypt(pattern(32 * 65_536), [.x25519(id.recipient)])
        #expect(try decrypt(exact, [.x25519(id)]) == pattern(32 * 65_536))
        #expect(error(exact + [0]) == .trailingData)
    }

    @Test func swappedOrDuplicatedChunksAreRefused() throws {
        let enc = try encrypt(pattern(3 * 65_536 + 100), [.x25519(id.recipient)])
        let start = headerLength(enc) + 16, n = 65_552
        let c = (0..<4).map { k in Array(enc[(start + k * n)..<min(enc.count, start + (k + 1) * n)]) }
        let head = Array(enc[0..<start])
        #expect(error(head + c[1] + c[0] + c[2] + c[3]) == .chunkAuthenticationFailed(chunk: 0))
        #expect(error(head + c[0] + c[0] + c[2] + c[3]) == .chunkAuthenticationFailed(chunk: 1))
        #expect(error(head + c[0] + c[1] + c[3]) == .chunkAuthenticationFailed(chunk: 2))
    }

    // MARK: flipped bits

    @Test func aFlippedBitInAnyChunkNamesThatChunk() throws {
        let enc = try encrypt(pattern(3 * 65_536 + 100), [.x25519(id.recipient)])
        let start = headerLength(enc) + 16
        for k in 0..<4 {
            for offset in [0, 1000, 65_535, 65_551] {
                let i = start + k * 65_552 + offset
                guard i < enc.count else { continue }
                #expect(error(flip(enc, at: i, mask: 0x80)) == .chunkAuthenticationFailed(chunk: Int64(k)))
            }
        }
        // The payload nonce feeds the payload key: chunk 0 fails.
        #expect(error(flip(enc, at: start - 1)) == .chunkAuthenticationFailed(chunk: 0))
    }

    @Test func aFlippedBitAnywhereInTheHeaderNeverDecrypts() throws {
        let other = try AgeX25519Identity.generate()
        let enc = try encrypt(pattern(10), [.x25519(id.recipient), .x25519(other.recipient)])
        for i in 0..<headerLength(enc) {
            for mask: UInt8 in [0x01, 0x20] {
                let e = error(flip(enc, at: i, mask: mask))
                #expect(e != nil && e?.kind != .systemFailure && e?.kind != .invalidInput, "flip at \(i) gave \(String(describing: e))")
            }
        }
    }

    @Test func aFlippedBitInAnotherRecipientsStanzaIsCaughtByTheHeaderMAC() throws {
        let other = try AgeX25519Identity.generate()
        let enc = try encrypt(pattern(10), [.x25519(id.recipient), .x25519(other.recipient)])
        let header = String(decoding: enc[0..<headerLength(enc)], as: UTF8.self)
        let lines = header.split(separator: "\n", omittingEmptySubsequences: false)
        // lines: version, "-> X25519 …" (ours), body, "-> X25519 …" (other), body, "--- …"
        let otherBody = lines[4]
        let swapped = String(otherBody.first == "A" ? "B" : "A") + otherBody.dropFirst()
        // Keep it canonical: change the first character only (6 whole bits).
        let tampered = replacing(enc, String(otherBody), swapped)
        #expect(error(tampered) == .headerMACMismatch)
        // And in our own stanza's body, nothing can unwrap the key any more.
        let ownBody = lines[2]
        let tamperedOwn = replacing(enc, String(ownBody), String(ownBody.first == "A" ? "B" : "A") + ownBody.dropFirst())
        #expect(error(tamperedOwn) == .noMatchingIdentity)
    }

    @Test func aFlippedBitInTheMACIsAMismatch() throws {
        let enc = try encrypt(pattern(10), [.x25519(id.recipient)])
        let macStart = headerLength(enc) - 44
        // Replace the first MAC character with another base64 character.
        var tampered = enc
        tampered[macStart] = enc[macStart] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(error(tampered) == .headerMACMismatch)
    }

    // MARK: identities

    @Test func theWrongIdentityOrPassphraseIsNotAllowed() throws {
        let enc = try encrypt(pattern(10), [.x25519(id.recipient)])
        let stranger = try AgeX25519Identity.generate()
        #expect(error(enc, [.x25519(stranger)]) == .noMatchingIdentity)
        #expect(error(enc, [.passphrase(try secret("x"))]) == .identityRequired)
        #expect(error(enc, []) == .identityRequired)
        let pw = try encrypt(pattern(10), [.passphrase(try secret("right"), logN: 10)])
        #expect(error(pw, [.passphrase(try secret("wrong"))]) == .wrongPassphrase)
        #expect(error(pw, [.x25519(id)]) == .passphraseRequired)
        for e in [AgeError.noMatchingIdentity, .identityRequired, .wrongPassphrase, .passphraseRequired] {
            #expect(e.kind == .notAllowed && e.kind.exitCode == 77)
        }
    }

    // MARK: stanza rules

    @Test func anScryptStanzaBesideAnotherStanzaIsRefusedEvenWithAValidMAC() throws {
        let pass = try secret("p")
        let file = try craft { key in
            [try Stanzas.wrapScrypt(fileKey: key, passphrase: pass, logN: 10), try Stanzas.wrapX25519(fileKey: key, to: self.id.recipient)]
        }
        #expect(error(file) == .scryptStanzaNotAlone)
        #expect(error(file, [.passphrase(pass)]) == .scryptStanzaNotAlone)
        let twoScrypt = try craft { key in
            [try Stanzas.wrapScrypt(fileKey: key, passphrase: pass, logN: 10), try Stanzas.wrapScrypt(fileKey: key, passphrase: pass, logN: 10)]
        }
        #expect(error(twoScrypt, [.passphrase(pass)]) == .scryptStanzaNotAlone)
        #expect(AgeError.scryptStanzaNotAlone.kind == .damaged)
    }

    @Test func scryptWorkFactorAboveTheCapIsRefusedBeforeAnyWork() throws {
        let enc = try encrypt(pattern(10), [.passphrase(try secret("p"), logN: 10)])
        let e = error(replacing(enc, " 10\n", " 23\n"), [.passphrase(try secret("p"))])
        #expect(e == .scryptWorkFactorTooHigh(logN: 23, limit: 22))
        #expect(e?.kind == .unsupported)
        #expect(error(replacing(enc, " 10\n", " 99999999999999999999\n"), [.passphrase(try secret("p"))])?.kind == .unsupported)
    }

    @Test func scryptWorkFactorZeroNegativeOrWithLeadingZeroIsDamage() throws {
        let enc = try encrypt(pattern(10), [.passphrase(try secret("p"), logN: 10)])
        for bad in ["0", "-1", "010", "1a", "+9"] {
            #expect(error(replacing(enc, " 10\n", " \(bad)\n"), [.passphrase(try secret("p"))]) == .invalidScryptWorkFactor)
        }
    }

    @Test func onlyUnknownStanzaTypesAreUnsupported() throws {
        let file = try craft { _ in
            [
                AgeStanza(type: "example.org/pq", arguments: ["x"], body: pattern(32)),
                AgeStanza(type: "piv-p256", arguments: [], body: []),
            ]
        }
        #expect(error(file) == .unsupportedRecipientTypes)
        #expect(AgeError.unsupportedRecipientTypes.kind == .unsupported)
    }

    @Test func unknownStanzasAreSkippedWhenAnX25519StanzaMatches() throws {
        let file = try craft { key in
            [
                AgeStanza(type: "example.org/pq", arguments: ["x"], body: pattern(64)),
                try Stanzas.wrapX25519(fileKey: key, to: self.id.recipient),
            ]
        }
        #expect(try decrypt(file, [.x25519(id)]) == [1, 2, 3])
    }

    @Test func malformedX25519StanzasAreDamage() throws {
        let enc = try encrypt(pattern(10), [.x25519(id.recipient)])
        let lines = String(decoding: enc[0..<headerLength(enc)], as: UTF8.self).split(separator: "\n")
        let arg = String(lines[1].dropFirst("-> X25519 ".count))
        #expect(error(replacing(enc, arg, arg + " extra")) == .malformedHeader("an X25519 stanza has the wrong number of arguments"))
        #expect(error(replacing(enc, arg, String(arg.dropLast(4))))?.kind == .damaged)
        // A low-order share (all zeros) must abort.
        #expect(
            error(replacing(enc, arg, Base64.encodeString([UInt8](repeating: 0, count: 32))))
                == .malformedHeader("an X25519 stanza's share is a low-order point"))
    }

    // MARK: header syntax

    @Test func malformedBase64InAStanzaBodyIsDamage() throws {
        let enc = try encrypt(pattern(10), [.x25519(id.recipient)])
        let body = String(String(decoding: enc[0..<headerLength(enc)], as: UTF8.self).split(separator: "\n")[2])
        #expect(body.count == 43)
        for bad in [body + "=", String(body.dropLast()) + "-", String(body.dropLast()) + "=", String(body.dropLast(3)), "*" + body.dropFirst()] {
            #expect(error(replacing(enc, body, bad))?.kind == .damaged, "\(bad)")
        }
        // Unused low bits set: the last character of a 43-character (32-byte) body carries 2 spare bits.
        let b64 = Array(body.utf8)
        var spare = b64
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let v = table.firstIndex(of: b64.last!)!
        spare[spare.count - 1] = table[v | 1]
        #expect(
            error(replacing(enc, body, String(decoding: spare, as: UTF8.self))) == .malformedHeader("a stanza body is not canonical unpadded base64"))
    }

    @Test func stanzaLineWrappingRulesAreEnforced() throws {
        // 48-byte body = exactly 64 columns: an empty final line is required.
        let file = try craft { key in
            [AgeStanza(type: "grease", arguments: [], body: pattern(48)), try Stanzas.wrapX25519(fileKey: key, to: self.id.recipient)]
        }
        let text = String(decoding: file[0..<headerLength(file)], as: UTF8.self)
        #expect(try decrypt(file, [.x25519(id)]) == [1, 2, 3])
        let line64 = String(text.split(separator: "\n")[2])
        #expect(line64.count == 64)
        // Without the empty line the next "->" line is read as body: damage.
        #expect(error(replacing(file, line64 + "\n\n", line64 + "\n"))?.kind == .damaged)
        // A 65-column line.
        let longBody = try craft { key in
            [AgeStanza(type: "grease", arguments: [], body: pattern(30)), try Stanzas.wrapX25519(fileKey: key, to: self.id.recipient)]
        }
        let short = String(String(decoding: longBody[0..<headerLength(longBody)], as: UTF8.self).split(separator: "\n")[2])
        #expect(error(replacing(longBody, short, short + String(repeating: "A", count: 65 - short.count)))?.kind == .damaged)
    }

    @Test func otherHeaderSyntaxErrorsAreDamageOrUnsupported() throws {
        let enc = try encrypt(pattern(10), [.x25519(id.recipient)])
        #expect(error(replacing(enc, "age-encryption.org/v1\n", "age-encryption.org/v2\n")) == .unsupportedVersion)
        #expect(error(replacing(enc, "\n", "\r\n")) == .malformedHeader("its line endings were changed to CRLF, as a text-mode transfer does"))
        #expect(error(Array("hello world\n".utf8)) == .notAnAgeFile)
        #expect(error([]) == .notAnAgeFile)
        #expect(error(replacing(enc, "-> X25519", "->  X25519"))?.kind == .damaged)
        #expect(error(replacing(enc, "-> X25519", "->X25519"))?.kind == .damaged)
        #expect(error(replacing(enc, "\n--- ", "\n---"))?.kind == .damaged)
        #expect(error(replacing(enc, "\n--- ", "\n--- A"))?.kind == .damaged)
        // A header with no stanza at all.
        let lines = String(decoding: enc[0..<headerLength(enc)], as: UTF8.self).split(separator: "\n")
        let noStanza = Array("age-encryption.org/v1\n\(lines.last!)\n".utf8) + enc[headerLength(enc)...]
        #expect(error(noStanza) == .malformedHeader("it has no recipient stanza"))
        // An endless header is cut off at the size cap.
        var huge = Array("age-encryption.org/v1\n".utf8)
        for _ in 0..<20_000 { huge += Array("-> grease \(String(repeating: "a", count: 60))\n\n".utf8) }
        #expect(error(huge) == .headerTooLarge)
    }

    @Test func errorMessagesAreHumanAndCarryNoSecrets() {
        #expect(AgeError.headerMACMismatch.description == "The backup file is damaged or was altered: the header MAC does not match.")
        #expect(AgeError.noMatchingIdentity.description == "No identity matches this backup: it was made for another key.")
        #expect(AgeError.truncated.kind.exitCode == 65)
        #expect(AgeError.writeFailed(errno: 28).kind.exitCode == 74)
        #expect(AgeError.writeFailed(errno: 28).description.hasPrefix("Could not write: "))
    }
}
