import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The file being imported, opened read-only: the importer never writes, truncates or renames it.
///
/// Reads go straight to `read(2)` in fixed chunks, so memory stays the same whatever the file's
/// size, and the byte count drives the progress bar.
final class ImportFile {
    let path: String
    /// The file's size when opened, for the progress bar (0 for a pipe).
    let size: Int64
    private(set) var bytesRead: Int64 = 0
    private let fd: Int32
    private let ownsDescriptor: Bool

    static let chunkSize = 64 * 1024

    /// Opens `path` read-only; `-` is stdin.
    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
            size = 0
            return
        }
        ownsDescriptor = true
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw ImportError.fileNotFound(path) }
            throw ImportError.unreadable(path)
        }
        guard (st.st_mode & S_IFMT) != S_IFDIR else { throw ImportError.unreadable(path) }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImportError.unreadable(path) }
        self.fd = fd
        size = (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : 0
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Up to `count` bytes into `buffer`; 0 at the end of the file.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 {
                bytesRead += Int64(n)
                return n
            }
            if errno != EINTR { throw ImportError.unreadable(path) }
        }
    }
}

/// Lines of a file, each at most `limit` bytes kept in memory: a longer line is reported as too
/// long and skipped to its end without ever being held whole.
final class LineReader {
    enum Line {
        case text(number: Int, bytes: [UInt8])
        case tooLong(number: Int)
    }

    private let file: ImportFile
    private let limit: Int
    private var buffer = [UInt8](repeating: 0, count: ImportFile.chunkSize)
    private var start = 0
    private var end = 0
    private var number = 0
    private var atEnd = false

    init(file: ImportFile, limit: Int) {
        self.file = file
        self.limit = limit
    }

    /// The next line without its line ending (LF or CRLF), or nil at the end of the file.
    func next() throws -> Line? {
        var line: [UInt8] = []
        var tooLong = false
        var sawAnything = false
        while true {
            if start == end {
                if atEnd { break }
                let n = try buffer.withUnsafeMutableBufferPointer { try file.read(into: $0.baseAddress!, count: $0.count) }
                if n == 0 { atEnd = true; break }
                start = 0
                end = n
            }
            sawAnything = true
            let newline = buffer[start..<end].firstIndex(of: 0x0A)
            let stop = newline ?? end
            if !tooLong {
                if line.count + (stop - start) > limit {
                    tooLong = true
                    line = []
                } else {
                    line.append(contentsOf: buffer[start..<stop])
                }
            }
            if let newline {
                start = newline + 1
                number += 1
                return finish(line, tooLong: tooLong)
            }
            start = end
        }
        guard sawAnything else { return nil }
        number += 1
        return finish(line, tooLong: tooLong)
    }

    private func finish(_ line: [UInt8], tooLong: Bool) -> Line {
        if tooLong { return .tooLong(number: number) }
        var line = line
        if line.last == 0x0D { line.removeLast() }
        if number == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        return .text(number: number, bytes: line)
    }
}
