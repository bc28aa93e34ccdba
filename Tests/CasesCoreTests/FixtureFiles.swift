import Foundation

/// The files under `Tests/Fixtures/`, found from this source file's path: they are data, not part
/// of any target, so nothing compiles or bundles them.
enum FixtureFiles {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// A vault of a test build from before format 1.0 (format 8), made by that build.
    static let olderTestBuildVault = "vault-test-build-format8.cases"

    /// A copy of fixture `name` at `path`, 0600 in a 0700 folder, as a vault is kept.
    static func copy(_ name: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(at: url(name), to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// Every file in `folder`, by name, with its bytes.
    static func contents(of folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            out[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return out
    }
}
