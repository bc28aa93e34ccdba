/// ASCII armor (strict PEM, RFC 7468 §3, label "AGE ENCRYPTED FILE").
public enum AgeArmor {
    public static let beginLine = "-----BEGIN AGE ENCRYPTED FILE-----"
    public static let endLine = "-----END AGE ENCRYPTED FILE-----"
    static let columns = 64
    static let bytesPerLine = columns / 4 * 3

    static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// Whether `prefix` (the first bytes of a file) looks armored: optional whitespace, then
    /// the BEGIN line's first characters.
    static func looksArmored<C: Collection>(_ prefix: C) -> Bool where C.Element == UInt8 {
        let rest = prefix.drop(while: isWhitespace)
        let begin = Array(beginLine.utf8)
        return !rest.isEmpty && rest.count >= begin.count && Array(rest.prefix(begin.count)) == begin
    }
}

/// Writes armor around whatever is written to it; `finish()` writes the last line and END.
final class ArmorWriter: ByteSink {
    private let sink: any ByteSink
    private var pending: [UInt8] = []
    private var out: [UInt8] = []
    private var finished = false

    init(_ sink: any ByteSink) {
        self.sink = sink
        out.append(contentsOf: Array("\(AgeArmor.beginLine)\n".utf8))
        pending.reserveCapacity(AgeArmor.bytesPerLine)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished)
        var i = 0
        while i < bytes.count {
            let n = min(AgeArmor.bytesPerLine - pending.count, bytes.count - i)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]))
            i += n
            if pending.count == AgeArmor.bytesPerLine {
                out += Base64.encode(pending, padded: true)
                out.append(0x0A)
                pending.removeAll(keepingCapacity: true)
                if out.count >= 64 * 1024 { try flush() }
            }
        }
    }

    private func flush() throws {
        try out.withUnsafeBytes { try sink.write($0) }
        out.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        precondition(!finished)
        finished = true
        if !pending.isEmpty {
            out += Base64.encode(pending, padded: true)
            out.append(0x0A)
        }
        out.append(contentsOf: Array("\(AgeArmor.endLine)\n".utf8))
        try flush()
    }
}

/// Reads the bytes inside armor, strictly: optional whitespace, BEGIN, lines of exactly 64
/// columns of padded canonical base64 except a shorter last one, END, optional whitespace.
/// LF or CRLF line endings.
final class ArmorReader: ByteSource {
    private let reader: BufferedReader
    private var decoded: [UInt8] = []
    private var position = 0
    private var state = State.begin
    private var sawData = false

    private enum State { case begin, body, afterShortLine, done }

    init(_ reader: BufferedReader) { self.reader = reader }

    private func nextLine() throws -> [UInt8]? {
        let l: [UInt8]?
        do { l = try reader.readLine(maxLength: AgeArmor.columns + 2) } catch is BufferedReader.LineTooLong {
            throw AgeError.malformedArmor("a line is longer than 64 columns")
        }
        guard var l else { return nil }
        if l.last == 0x0A { l.removeLast(); if l.last == 0x0D { l.removeLast() } }
        return l
    }

    private func advance() throws {
        decoded.removeAll(keepingCapacity: true)
        position = 0
        switch state {
        case .begin:
            // Leading whitespace, then the BEGIN line.
            while let c = try reader.peek(1).first, AgeArmor.isWhitespace(c) { try skipOne() }
            guard let l = try nextLine(), l == Array(AgeArmor.beginLine.utf8) else {
                throw AgeError.malformedArmor("the BEGIN line is missing or wrong")
            }
            state = .body
            try advance()
        case .body, .afterShortLine:
            guard let l = try nextLine() else { throw AgeError.malformedArmor("the END line is missing (the file was cut short)") }
            if l == Array(AgeArmor.endLine.utf8) {
                guard sawData else { throw AgeError.malformedArmor("there is nothing between BEGIN and END") }
                try finishTrailer()
                return
            }
            guard state == .body else { throw AgeError.malformedArmor("a short line is not the last line") }
            guard !l.isEmpty, l.count <= AgeArmor.columns, l.count % 4 == 0, let bytes = Base64.decodePadded(l), !bytes.isEmpty else {
                throw AgeError.malformedArmor("a line is not canonical base64 of the right length")
            }
            if bytes.count < AgeArmor.bytesPerLine { state = .afterShortLine }
            decoded = bytes
            sawData = true
        case .done:
            return
        }
    }

    private func skipOne() throws {
        var byte: UInt8 = 0
        _ = try withUnsafeMutableBytes(of: &byte) { try reader.read(into: $0) }
    }

    private func finishTrailer() throws {
        state = .done
        // Only whitespace may follow END.
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            guard chunk[0..<n].allSatisfy(AgeArmor.isWhitespace) else {
                throw AgeError.malformedArmor("there is data after the END line")
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while position == decoded.count {
            if state == .done { return 0 }
            try advance()
        }
        let n = min(buffer.count, decoded.count - position)
        decoded.withUnsafeBytes { d in buffer.baseAddress!.copyMemory(from: d.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}
