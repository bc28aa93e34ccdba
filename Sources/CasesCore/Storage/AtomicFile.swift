import CasesCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file that appears at its path only when complete: written under a temporary name in the
/// same folder (0600), flushed, then linked into place with `link(2)`, which refuses to replace
/// an existing file. An error leaves no partial output and never overwrites.
///
/// A process killed while it writes leaves the temporary file (`.NAME.partial-HEX`), which may
/// be a vault with every keyslot (one being created or restored). ``LeftoverFile`` finds it
/// again: for as long as this object lives it holds an exclusive `flock` on the file, which the
/// kernel drops however the process ends, so a file whose lock is free is a leftover.
final class AtomicFile {
    let path: String
    let temporaryPath: String
    private(set) var descriptor: Int32
    /// Holds the `flock` after ``closeDescriptor()`` (a lock belongs to the open file, not to
    /// one descriptor of it).
    private let lock: Int32
    private var published = false

    /// What a temporary name adds after `.NAME`.
    static let partialMarker = ".partial-"

    /// Creates the temporary file; throws ``StorageError/exists`` at once if `path` exists.
    init(path: String) throws {
        if FileManager.default.fileExists(atPath: path) { throw StorageError.exists(path) }
        self.path = path
        let folder = Self.folder(of: path)
        var attempt = 0
        while true {
            let temporary = folder + "/." + (path as NSString).lastPathComponent + Self.partialMarker + Data(Random.bytes(6)).hexString
            let fd = Glibc.open(temporary, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw StorageError.io("cannot create a file in \(folder)") }
            // A sweep in another process may have found the file in the moment before the lock
            // and removed it as a leftover (it unlinks while it holds the lock): then the file
            // has no name any more, and another is made.
            // (A file system without `flock` gives no lock, and then no sweep touches the file.)
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
            var st = stat()
            if fstat(fd, &st) == 0, st.st_nlink > 0 {
                temporaryPath = temporary
                descriptor = fd
                lock = fcntl(fd, F_DUPFD_CLOEXEC, 0)
                break
            }
            close(fd)
            attempt += 1
            guard attempt < 8 else { throw StorageError.io("cannot create a file in \(folder)") }
        }
    }

    static func folder(of path: String) -> String {
        let f = (path as NSString).deletingLastPathComponent
        return f.isEmpty ? "." : f
    }

    /// Flushes, links into place and removes the temporary name.
    func publish() throws {
        guard fsync(descriptor) == 0 else { throw StorageError.io("cannot flush \(temporaryPath) to disk") }
        close(descriptor)
        descriptor = -1
        if link(temporaryPath, path) != 0 {
            if errno == EEXIST { throw StorageError.exists(path) }
            throw StorageError.io("cannot create \(path)")
        }
        published = true
        unlink(temporaryPath)
        try Self.fsyncFolder(Self.folder(of: path))
    }

    /// Closes the descriptor without publishing, so another library can write the temporary file.
    func closeDescriptor() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
    }

    /// Publishes a temporary file that someone else wrote and closed.
    func publishClosed() throws {
        let fd = Glibc.open(temporaryPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.io("cannot reopen \(temporaryPath)") }
        descriptor = fd
        try publish()
    }

    static func fsyncFolder(_ folder: String) throws {
        let fd = Glibc.open(folder, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.io("cannot open \(folder) to flush it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StorageError.io("cannot flush \(folder) to disk") }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        // Destroyed, not only unlinked, while the lock is still held: it may be a vault with
        // every keyslot (a restore that failed its checks), whose bytes would stay on the disk.
        if !published { LeftoverFile.destroy(temporaryPath) }
        if lock >= 0 { close(lock) }
    }
}

/// Files that could not be written.
public enum StorageError: CasesError, Equatable {
    case exists(String)
    case missing(String)
    case io(String)

    public var kind: FailureKind {
        switch self {
        case .exists: .exists
        case .missing: .notFound
        case .io: .io
        }
    }

    public var description: String {
        switch self {
        case .exists(let p): "\(p) already exists; nothing was written. Choose another name or move the old file away."
        case .missing(let p): "\(p) does not exist; check the path."
        case .io(let what): "Could not write: \(what). Nothing was changed; free some disk space or check permissions, then try again."
        }
    }
}

/// Writes a new file (0600) that appears only when complete and never replaces another.
public enum NewFile {
    /// Writes a secret (an identity file, say) without passing it through a `String`.
    public static func write(_ secret: SecretBytes, to path: String) throws {
        try secret.withUnsafeBytes { try write(bytes: $0, to: path) }
    }

    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write(bytes: $0, to: path) }
    }

    static func write(bytes raw: UnsafeRawBufferPointer, to path: String) throws {
        try write(to: path) { write in try write(raw) }
    }

    /// Streams a new file: `body` is handed a writer to call as often as it likes.
    public static func write(to path: String, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let file = try AtomicFile(path: path)
        try body { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(file.descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw StorageError.io(errno == ENOSPC ? "the disk is full" : "cannot write \(path)") }
                offset += n
            }
        }
        try file.publish()
    }
}
