import CasesCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Reads passphrases and recovery codes straight into sodium memory, never into a `String`.
public enum SecretInput {
    /// The longest passphrase accepted, in bytes.
    public static let maximumLength = 1024

    /// The first line of the file at `path` (without its line ending) as a secret.
    ///
    /// Read with `read(2)` into a sodium buffer so no copy lands on the Swift heap.
    public static func firstLine(ofFile path: String) throws -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw SecretInputError.fileMissing(path) }
            throw SecretInputError.unreadable(path)
        }
        defer { close(fd) }
        return try firstLine(fromDescriptor: fd, source: path)
    }

    /// The whole file at `path` (an age identity file), read with `read(2)` straight into sodium
    /// memory: never a Foundation `Data`, which nothing wipes. At most `maximumLength` bytes.
    public static func contents(ofFile path: String, maximumLength: Int = 65536) throws -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw SecretInputError.fileMissing(path) }
            throw SecretInputError.unreadable(path)
        }
        defer { close(fd) }
        let buffer = try SecretBytes(count: maximumLength + 1)
        let length = try buffer.withUnsafeMutableBytes { raw -> Int in
            var length = 0
            while length < raw.count {
                let n = read(fd, raw.baseAddress! + length, raw.count - length)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SecretInputError.unreadable(path)
                }
                if n == 0 { break }
                length += n
            }
            return length
        }
        if length > maximumLength { throw SecretInputError.fileTooLarge(path, maximumLength) }
        return try buffer.slice(0..<length)
    }

    /// The first line read from an open descriptor (a file, a pipe or a terminal in canonical mode).
    /// `onSignal` runs when a signal interrupts the read; it may throw to stop reading (the
    /// partial secret is wiped), else the read goes on.
    public static func firstLine(fromDescriptor fd: Int32, source: String, onSignal: () throws -> Void = {}) throws -> SecretBytes {
        let buffer = try SecretBytes(count: maximumLength + 1)
        var length = 0
        var done = false
        try buffer.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            while !done && length <= maximumLength {
                let n = read(fd, base + length, 1)
                if n < 0 {
                    if errno == EINTR { try onSignal(); continue }
                    throw SecretInputError.unreadable(source)
                }
                if n == 0 { break }
                if base[length] == 10 { base[length] = 0; done = true; break }
                length += 1
            }
            if length > maximumLength { throw SecretInputError.tooLong(source) }
            if length > 0 && base[length - 1] == 13 { length -= 1; base[length] = 0 }
        }
        guard length > 0 else { throw SecretInputError.empty(source) }
        return try buffer.slice(0..<length)
    }
}

/// Why a passphrase or code could not be read.
public enum SecretInputError: CasesError, Equatable {
    case fileMissing(String)
    case unreadable(String)
    case empty(String)
    case tooLong(String)
    case fileTooLarge(String, Int)
    case mismatch

    public var kind: FailureKind {
        switch self {
        case .fileMissing: .notFound
        case .unreadable: .io
        case .empty, .tooLong, .fileTooLarge, .mismatch: .invalidInput
        }
    }

    public var description: String {
        switch self {
        case .fileMissing(let p): "The passphrase file \(p) does not exist; check the path."
        case .unreadable(let p): "Could not read \(p); check that it exists and that you may read it."
        case .empty(let p): "\(p) gave an empty passphrase; put the passphrase on its first line."
        case .fileTooLarge(let p, let n): "\(p) is larger than \(n) bytes, which no key file is; check that it is the right file."
        case .tooLong(let p): "The passphrase from \(p) is longer than \(SecretInput.maximumLength) bytes; use a shorter one."
        case .mismatch: "The two passphrases you typed differ; nothing was changed. Try again."
        }
    }
}
