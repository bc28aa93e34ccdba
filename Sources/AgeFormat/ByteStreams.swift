#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where encrypted or plain bytes come from, one read at a time (constant memory).
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns how many, 0 only at end of input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Where bytes go, one write at a time.
public protocol ByteSink: AnyObject {
    /// Writes all of `bytes` (or throws).
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Reads from an open file descriptor (a file, a pipe, standard input). Does not close it.
public final class FileDescriptorByteSource: ByteSource {
    public let fileDescriptor: Int32
    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
                let n = Glibc.read(fileDescriptor, base, buffer.count)
            #else
                let n = Darwin.read(fileDescriptor, base, buffer.count)
            #endif
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw AgeError.readFailed(errno: errno)
        }
    }
}

/// Writes to an open file descriptor. Does not close or sync it: the caller does that.
public final class FileDescriptorByteSink: ByteSink {
    public let fileDescriptor: Int32
    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            #if canImport(Glibc)
                let n = Glibc.write(fileDescriptor, p, left)
            #else
                let n = Darwin.write(fileDescriptor, p, left)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw AgeError.writeFailed(errno: errno)
            }
            if n == 0 { throw AgeError.writeFailed(errno: EIO) }
            p += n
            left -= n
        }
    }
}

/// Reads from a byte array held in memory (for small inputs and tests).
public final class ArrayByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { b in
                buffer.baseAddress!.copyMemory(from: b.baseAddress! + position, byteCount: n)
            }
            position += n
        }
        return n
    }
}

/// Collects everything written into a byte array (for small outputs and tests).
public final class ArrayByteSink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
    /// Overwrites the collected bytes with zeros and empties the sink.
    public func wipe() { bytes.wipe(); bytes.removeAll() }
}

/// Throws everything away: decrypting into it authenticates a whole file and writes nothing.
public final class DiscardingByteSink: ByteSink {
    public private(set) var count: Int64 = 0
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { count += Int64(bytes.count) }
}

/// Counts the bytes read through it, for progress reports.
final class CountingSource: ByteSource {
    let inner: any ByteSource
    private(set) var total: Int64 = 0
    init(_ inner: any ByteSource) { self.inner = inner }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        total += Int64(n)
        return n
    }
}

/// A read buffer over a source with line reading and look-ahead; itself a source.
final class BufferedReader: ByteSource {
    private let inner: any ByteSource
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false

    init(_ inner: any ByteSource, capacity: Int = 16 * 1024) {
        self.inner = inner
        buffer = [UInt8](repeating: 0, count: capacity)
    }

    deinit { buffer.wipe() }

    private var available: Int { end - start }

    /// Reads more from the source; returns false at end of input.
    private func fill() throws -> Bool {
        if eof { return false }
        if start > 0 && start == end { start = 0; end = 0 }
        if end == buffer.count {
            if start > 0 {
                // Compact.
                buffer.withUnsafeMutableBytes { b in
                    b.baseAddress!.copyMemory(from: b.baseAddress! + start, byteCount: end - start)
                }
                end -= start
                start = 0
            } else {
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
        }
        let n = try buffer.withUnsafeMutableBytes { b in
            try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: b[end...]))
        }
        if n == 0 { eof = true; return false }
        end += n
        return true
    }

    /// Up to `count` bytes without consuming them (fewer only at end of input).
    func peek(_ count: Int) throws -> ArraySlice<UInt8> {
        while available < count, try fill() {}
        return buffer[start..<(start + min(count, available))]
    }

    /// A line including its terminating LF. Returns nil at end of input with nothing read.
    /// Throws `tooLong` (from the closure) when no LF appears within `maxLength` bytes, and
    /// returns the partial bytes without LF if the input ends first.
    func readLine(maxLength: Int) throws -> [UInt8]? {
        var scanned = 0
        while true {
            if let i = buffer[(start + scanned)..<end].firstIndex(of: 0x0A) {
                let line = Array(buffer[start...i])
                start = i + 1
                if line.count > maxLength { throw LineTooLong() }
                return line
            }
            scanned = available
            if scanned > maxLength { throw LineTooLong() }
            if try !fill() {
                if available == 0 { return nil }
                let line = Array(buffer[start..<end])
                start = end
                return line
            }
        }
    }

    struct LineTooLong: Error {}

    /// Fills `out` as far as the input allows; returns how many bytes were read.
    func readFully(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < out.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: out[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }

    func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if available == 0 {
            // Large reads bypass the buffer.
            if out.count >= buffer.count {
                if eof { return 0 }
                let n = try inner.read(into: out)
                if n == 0 { eof = true }
                return n
            }
            if try !fill() { return 0 }
        }
        let n = min(out.count, available)
        buffer.withUnsafeBytes { b in out.baseAddress!.copyMemory(from: b.baseAddress! + start, byteCount: n) }
        start += n
        return n
    }
}
