import CasesCrypto
import Foundation
import Testing

@testable import AgeFormat

/// A fresh temporary folder, removed by `cleanup()`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("agetest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

func secret(_ s: String) throws -> SecretBytes {
    var b = Array(s.utf8)
    return try SecretBytes.consuming(&b)
}

func pattern(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var x = UInt32(seed) &* 2654435761 | 1
    for i in 0..<count {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5
        out[i] = UInt8(truncatingIfNeeded: x)
    }
    return out
}

func encrypt(_ plain: [UInt8], _ recipients: [AgeRecipient], armor: Bool = false) throws -> [UInt8] {
    let sink = ArrayByteSink()
    try AgeEncryptor.encrypt(from: ArrayByteSource(plain), to: sink, recipients: recipients, armor: armor)
    return sink.bytes
}

func decrypt(_ file: [UInt8], _ identities: [AgeIdentity]) throws -> [UInt8] {
    // Every file is decrypted with its chunks opened as many at a time as by default, and one,
    // two and three at a time, so that small files take the parallel path too: the bytes
    // written, or the error, must be the same each way.
    var outcomes: [(bytes: [UInt8], error: AgeError?)] = []
    for n in [AgeDecryptor.chunksAtOnce, 1, 2, 3] {
        let sink = ArrayByteSink()
        do {
            try AgeDecryptor.decrypt(from: ArrayByteSource(file), to: sink, identities: identities, chunksAtOnce: n)
            outcomes.append((sink.bytes, nil))
        } catch let e as AgeError {
            outcomes.append((sink.bytes, e))
        }
    }
    for (n, o) in zip([1, 2, 3], outcomes.dropFirst()) {
        #expect(o.error == outcomes[0].error && o.bytes == outcomes[0].bytes, "\(n) chunks at a time: \(String(describing: o.error))")
    }
    if let e = outcomes[0].error { throw e }
    return outcomes[0].bytes
}

/// The AgeError thrown by `body`, or nil if it returned (or threw something else).
func ageError(_ body: () throws -> Void) -> AgeError? {
    do { try body() } catch let e as AgeError { return e } catch { return nil }
    return nil
}

/// Runs a program; returns its exit status, stdout and stderr.
@discardableResult
func run(_ executable: String, _ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: Data, err: Data) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    p.standardInput = inPipe
    try p.run()
    if let stdin { inPipe.fileHandleForWriting.write(stdin) }
    try inPipe.fileHandleForWriting.close()
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    let err = errPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, out, err)
}

/// The full path of `name` on PATH, or nil.
func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// The header length of a binary age file (up to and including the MAC line's LF).
func headerLength(_ file: [UInt8]) -> Int {
    let marker = Array("\n--- ".utf8)
    for i in 0..<(file.count - marker.count) where Array(file[i..<(i + marker.count)]) == marker {
        return file[(i + 1)...].firstIndex(of: 0x0A)! + 1
    }
    fatalError("no MAC line")
}
