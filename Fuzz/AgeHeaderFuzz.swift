// libFuzzer target for the age header, stanza and armor parsers (and, behind them, the
// payload reader). Built with the AgeFormat sources in one module by Fuzz/run-age.sh, so it
// can check internal invariants. Not part of the Swift package.
import CasesCrypto

// The C2SP spec's example identity: seeds encrypted to its recipient reach the payload.
private let specIdentity: AgeX25519Identity = {
    var ascii = Array("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX".utf8)
    return try! AgeX25519Identity(parsing: SecretBytes.consuming(&ascii))
}()

private let passphrase: SecretBytes = {
    var p = Array("fuzz".utf8)
    return try! SecretBytes.consuming(&p)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func ageHeaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // 1. Header (armored or binary). A header that parses must re-serialise to exactly the
    //    bytes its MAC covers: the parser accepts only the canonical encoding.
    if let header = try? AgeDecryptor.readHeader(from: ArrayByteSource(bytes)) {
        precondition(!header.stanzas.isEmpty, "a header without stanzas was accepted")
        precondition(AgeHeader.encodeWithoutMAC(header.stanzas) == header.macInput, "non-canonical header accepted")
        precondition(header.mac.count == 32)
    }

    // 2. The armor reader alone: whatever it yields must re-armor to valid armor that
    //    decodes back to the same bytes.
    let raw = BufferedReader(ArrayByteSource(bytes))
    if AgeArmor.looksArmored((try? raw.peek(2048)) ?? []) {
        let reader = ArmorReader(raw)
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1000)
        var ok = true
        while true {
            guard let n = try? buf.withUnsafeMutableBytes({ try reader.read(into: $0) }) else { ok = false; break }
            if n == 0 { break }
            out += buf[0..<n]
        }
        if ok {
            let sink = ArrayByteSink()
            let w = ArmorWriter(sink)
            try! out.withUnsafeBytes { try w.write($0) }
            try! w.finish()
            let again = ArmorReader(BufferedReader(ArrayByteSource(sink.bytes)))
            var back: [UInt8] = []
            while let n = try? buf.withUnsafeMutableBytes({ try again.read(into: $0) }), n > 0 { back += buf[0..<n] }
            precondition(back == out, "armor round trip changed the bytes")
        }
    }

    // 3. Full decryption with a known identity and a cheap passphrase cap (no slow scrypt).
    _ = try? AgeDecryptor.decrypt(
        from: ArrayByteSource(bytes), to: DiscardingByteSink(),
        identities: [.x25519(specIdentity), .passphrase(passphrase)], maximumScryptLogN: 4)

    // 4. Key and recipient parsers on the same bytes.
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? Bech32.decode(text, maxLength: nil)
    _ = try? AgeX25519Recipient.parseRecipientsFile(text)
    if let s = try? SecretBytes(copying: UnsafeRawBufferPointer(start: data, count: size)) {
        _ = try? AgeX25519Identity.parseIdentityFile(s)
    }
    return 0
}
