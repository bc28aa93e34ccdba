import CasesCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file that `cases` writes beside a vault for a moment, left behind by a process that was
/// killed: an ``AtomicFile``'s `.NAME.partial-HEX` (a vault being created or restored, a backup
/// or a decrypted backup being written) with the `-wal`, `-shm` and `-journal` SQLite adds while
/// a restore checks it, and the `.backup-HEX` folders in which earlier builds wrote a backup's
/// snapshot.
///
/// A vault being created or restored holds every keyslot, so one left behind still opens with
/// the passphrase after the vault itself is shredded. ``VaultShredder`` destroys every leftover
/// beside the vault, and every ``Vault/open(at:)`` the stale ones.
///
/// Stale or live: a writer holds an exclusive `flock` on its file for its whole life
/// (``AtomicFile``), and the kernel drops the lock when the process ends, however it ends; a
/// file whose lock can be taken without waiting is a leftover. (`flock`, not `fcntl` locks: a
/// process loses its `fcntl` locks on a file whenever it closes any descriptor of it, and
/// SQLite opens and closes its own.) Earlier builds took no lock on their snapshot folders, and
/// this one makes none, so every such folder is stale.
final class LeftoverFile {
    let path: String
    private let fd: Int32
    /// Another name links the same file: a publish killed between its `link` and its `unlink`
    /// left the vault or backup it published under its temporary name too. Only this name goes.
    private let linkedElsewhere: Bool
    /// An age file (a backup being written): already encrypted, so only its name goes.
    private let encrypted: Bool
    /// The `.backup-HEX` folder it is in, removed after it.
    let folder: String?
    private var overwrittenWhole = false

    /// Where earlier builds put a backup's snapshot: `.backup-` and 12 hex digits.
    static let snapshotFolderPrefix = ".backup-"
    static let siblingSuffixes = ["-wal", "-shm", "-journal"]

    /// Opens `path` for destruction; nil if it is not a regular file this process may write.
    private init?(path: String, folder: String? = nil) {
        let fd = Glibc.open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { close(fd); return nil }
        self.path = path
        self.fd = fd
        self.folder = folder
        linkedElsewhere = st.st_nlink > 1
        var head = [UInt8](repeating: 0, count: 16)
        let n = pread(fd, &head, head.count, 0)
        let text = String(decoding: head.prefix(max(n, 0)), as: UTF8.self)
        encrypted = text.hasPrefix("age-encryption.o") || text.hasPrefix("-----BEGIN AGE E")
    }

    deinit { close(fd) }

    /// Whether a live writer holds the file's lock (or the file system cannot say: then it is
    /// left alone). Takes the lock if not, and keeps it until this object goes, so that a
    /// writer that created the file meanwhile finds its name gone.
    private func isLive() -> Bool {
        flock(fd, LOCK_EX | LOCK_NB) != 0
    }

    // MARK: - Finding

    /// The leftovers in the folder of `vaultPath`, live ones too with `includingLive`.
    static func find(beside vaultPath: String, includingLive: Bool) -> [LeftoverFile] {
        let folder = AtomicFile.folder(of: vaultPath)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [LeftoverFile] = []
        var groups: [String: [String]] = [:]
        for name in names.sorted() {
            if let main = partialName(of: name) {
                groups[main, default: []].append(name)
            } else if isSnapshotFolder(name) {
                let inner = folder + "/" + name
                let files = (try? FileManager.default.contentsOfDirectory(atPath: inner)) ?? []
                found += files.sorted().compactMap { LeftoverFile(path: inner + "/" + $0, folder: inner) }
            }
        }
        for (main, members) in groups.sorted(by: { $0.key < $1.key }) {
            // The main file's lock speaks for its SQLite side files; side files without it are stale.
            let head = members.contains(main) ? LeftoverFile(path: folder + "/" + main) : nil
            if let head, head.isLive(), !includingLive { continue }
            found += head.map { [$0] } ?? []
            found += members.filter { $0 != main }.compactMap { LeftoverFile(path: folder + "/" + $0) }
        }
        return found
    }

    /// The main temporary name `name` belongs to (itself, or the file whose `-wal`, `-shm` or
    /// `-journal` it is), if it is one ``AtomicFile`` makes: `.NAME.partial-` and 12 hex digits.
    static func partialName(of name: String) -> String? {
        guard name.hasPrefix("."), let marker = name.range(of: AtomicFile.partialMarker, options: .backwards) else { return nil }
        let tail = name[marker.upperBound...]
        guard tail.count >= 12, tail.prefix(12).allSatisfy(\.isHexDigitLowercase) else { return nil }
        let rest = tail.dropFirst(12)
        guard rest.isEmpty || siblingSuffixes.contains(String(rest)) else { return nil }
        return String(name[..<marker.upperBound] + tail.prefix(12))
    }

    static func isSnapshotFolder(_ name: String) -> Bool {
        name.hasPrefix(snapshotFolderPrefix) && name.count == snapshotFolderPrefix.count + 12
            && name.dropFirst(snapshotFolderPrefix.count).allSatisfy(\.isHexDigitLowercase)
    }

    // MARK: - Destroying

    /// Destroys the stale leftovers beside `vaultPath`. Best effort: a file that cannot be
    /// written stays, and nothing here makes an open fail.
    static func sweep(beside vaultPath: String) {
        destroy(find(beside: vaultPath, includingLive: false))
    }

    /// Destroys an ``AtomicFile``'s temporary file and SQLite's side files of it.
    static func destroy(_ temporaryPath: String) {
        destroy(([temporaryPath] + siblingSuffixes.map { temporaryPath + $0 }).compactMap { LeftoverFile(path: $0) })
    }

    /// The keyslots of every file first, then the rest of each, then the names.
    static func destroy(_ files: [LeftoverFile]) {
        for f in files { f.destroyKeyslots() }
        for f in files { f.destroyRest() }
    }

    /// Overwrites with noise the pages where a vault copy keeps its keyslots: those SQLite
    /// finds, and the leading pages, where they are in any vault; any other file (a WAL, a
    /// journal) whole. Flushed before it returns.
    func destroyKeyslots() {
        guard !linkedElsewhere, !encrypted else { return }
        var st = stat()
        fstat(fd, &st)
        var header = [UInt8](repeating: 0, count: 18)
        let isDatabase = pread(fd, &header, 18, 0) == 18 && header.prefix(16).elementsEqual(MagicCheckingSink.magic)
        guard isDatabase else {
            overwrite(from: 0, to: st.st_size)
            fsync(fd)
            overwrittenWhole = true
            return
        }
        let sides = Self.siblingSuffixes.map { path + $0 }.filter { access($0, F_OK) != 0 }
        let (pageSize, located) = VaultShredder.locateKeyslots(path)
        // SQLite's read makes an empty WAL and shared memory for a file in WAL mode.
        for side in sides { unlink(side) }
        let size = Int(header[16]) << 8 | Int(header[17])
        let page = located.isEmpty ? (size == 1 ? 65536 : max(size, 512)) : pageSize
        for p in Set(located).union(1...VaultShredder.leadingPages).sorted() {
            overwrite(from: off_t(p - 1) * off_t(page), to: min(off_t(p) * off_t(page), st.st_size))
        }
        fsync(fd)
    }

    /// Overwrites the whole file with noise, flushes it, and removes the name (and its folder,
    /// once empty).
    func destroyRest() {
        if !linkedElsewhere && !encrypted && !overwrittenWhole {
            var st = stat()
            fstat(fd, &st)
            overwrite(from: 0, to: st.st_size)
            fsync(fd)
        }
        unlink(path)
        if let folder { rmdir(folder) }
    }

    private func overwrite(from start: off_t, to end: off_t) {
        var offset = start
        while offset < end {
            let n = Int(min(end - offset, 1 << 20))
            let noise = Random.bytes(n)
            guard pwrite(fd, noise, n, offset) == n else { return }
            offset += off_t(n)
        }
    }
}

extension Character {
    fileprivate var isHexDigitLowercase: Bool { ("0"..."9").contains(self) || ("a"..."f").contains(self) }
}
