import Foundation
import Testing

/// docs/cases.1 is generated from the binary by Scripts/generate-manual; these tests fail when
/// a command or option was added, renamed or removed without running it again.
@Suite struct ManualPageTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/cases.1")

    /// Every subcommand name and every long option name the binary describes of itself
    /// (`--experimental-dump-help`, what the generator reads), hidden ones left out as the page
    /// leaves them out.
    static func fromBinary() throws -> (commands: Set<String>, options: Set<String>) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        p.arguments = ["--experimental-dump-help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var commands: Set<String> = [], options: Set<String> = []
        func walk(_ command: [String: Any], isRoot: Bool) {
            if !isRoot, let name = command["commandName"] as? String, command["shouldDisplay"] as? Bool != false { commands.insert(name) }
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let n = name["name"] as? String { options.insert(n) }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, isRoot: false) }
        }
        walk(try #require(root["command"] as? [String: Any]), isRoot: true)
        return (commands, options)
    }

    /// The subcommands (`.It Em NAME`) and long options (`.It Fl -NAME`) the page lists.
    static func fromPage(_ text: String) -> (commands: Set<String>, options: Set<String>) {
        var commands: Set<String> = [], options: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix(".It ") {
            let words = line.split(separator: " ").map(String.init)
            if words.count >= 3, words[1] == "Em" { commands.insert(words[2].trimmingCharacters(in: [","])) }
            // `.It Fl h , -help` and `.It Fl -vault Ar path`: a long name keeps one of its dashes.
            if words.count >= 2, words[1] == "Fl" {
                for word in words.dropFirst(2).prefix(while: { $0 != "Ar" }) where word.hasPrefix("-") {
                    options.insert(String(word.dropFirst()))
                }
            }
        }
        return (commands, options)
    }

    @Test func thePageListsEveryCommandAndOptionOfTheBinaryAndNoOther() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        let binary = try Self.fromBinary()
        let page = Self.fromPage(text)
        #expect(binary.commands.count >= 20 && binary.options.count >= 20, "the binary described too little of itself")
        let advice = "run Scripts/generate-manual"
        #expect(
            binary.commands.subtracting(page.commands).isEmpty,
            "docs/cases.1 lacks the commands \(binary.commands.subtracting(page.commands).sorted()): \(advice)")
        #expect(
            page.commands.subtracting(binary.commands).isEmpty,
            "docs/cases.1 lists commands the binary does not have: \(page.commands.subtracting(binary.commands).sorted()): \(advice)")
        #expect(
            binary.options.subtracting(page.options).isEmpty,
            "docs/cases.1 lacks the options \(binary.options.subtracting(page.options).sorted()): \(advice)")
        #expect(
            page.options.subtracting(binary.options).isEmpty,
            "docs/cases.1 lists options the binary does not have: \(page.options.subtracting(binary.options).sorted()): \(advice)")
    }
}
