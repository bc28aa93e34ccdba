import ArgumentParser
import CasesCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Invented data for trying cases out, training and tests.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic caseload as JSONL, ready for `cases import`.",
            discussion: """
                The people are invented: random combinations of common Russian, Belarusian, \
                Ukrainian and other names (Latin and Cyrillic script), reserved e-mail domains, \
                unassigned phone prefixes. Histories run over 2021–2025. The same --count and \
                --seed always give the same bytes.

                Examples:
                  cases demo generate --count 10000 --seed 42 --out demo.jsonl
                  cases demo generate --count 50 --seed 7 | cases import - --format jsonl --dry-run
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "How many cases.")
        var count: Int

        @Option(help: "Any whole number; the same seed gives the same caseload.")
        var seed: UInt64

        @Option(help: ArgumentHelp("Write to this new file (refuses to overwrite) instead of stdout.", valueName: "file"))
        var out: String?

        func validate() throws {
            guard (0...10_000_000).contains(count) else { throw ValidationError("--count must be from 0 to 10,000,000.") }
        }

        func run() throws {
            let caseload = SyntheticCaseload(count: count, seed: seed)
            guard let out else {
                try caseload.writeJSONL { FileHandle.standardOutput.write($0) }
                return
            }
            try NewFile.write(to: out) { write in
                try caseload.writeJSONL { data in try data.withUnsafeBytes { try write($0) } }
            }
            if global.json { Output.json(["out": out, "count": count, "seed": String(seed)]) }
        }
    }
}
