import Foundation
import Testing

/// A vault of a test build from before format 1.0 is refused by every command with one
/// sentence and exit 65, and not one byte beside or in it changes.
@Suite struct OlderFormatCLITests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vault-test-build-format8.cases")
    static let sentence = "This vault was made by an older test build of cases and cannot be opened by this version; nothing in it was changed."

    static func folderContents(_ folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            out[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return out
    }

    @Test(arguments: [["list"], ["audit", "verify"], ["key", "list"], ["show", "V9BD-FX27M"]])
    func anOlderTestBuildsVaultIsRefusedWithOneSentenceAndExit65(_ command: [String]) throws {
        let h = try CLIHarness()
        let folder = (h.vault as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(at: Self.fixture, to: URL(fileURLWithPath: h.vault))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: h.vault)
        // The fixture's own passphrase: the refusal must not depend on a wrong one.
        let pass = h.folder + "/fixture-pass"
        try Data("correct horse battery staple 42\n".utf8).write(to: URL(fileURLWithPath: pass))
        let before = try Self.folderContents(folder)

        let r = try h.run(command, env: ["CASES_PASSPHRASE_FILE": pass])
        #expect(r.code == 65, "\(command): \(r.err)")
        #expect(r.err == "error: \(Self.sentence)\n", "\(command)")
        #expect(r.out.isEmpty)
        #expect(try Self.folderContents(folder) == before, "\(command) changed the vault's folder")

        let j = try h.run(["list", "--json"], env: ["CASES_PASSPHRASE_FILE": pass])
        #expect(j.code == 65)
        #expect(j.err.contains("\"code\":\"invalid_input\""))
    }
}
