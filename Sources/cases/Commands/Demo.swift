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
            let fd = open(out, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw errno == EEXIST ? DemoError.exists(out) : DemoError.cannotWrite(out) }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            do {
                try caseload.writeJSONL { try handle.write(contentsOf: $0) }
                try handle.synchronize()
            } catch {
                throw DemoError.cannotWrite(out)
            }
            if global.json { Output.json(["out": out, "count": count, "seed": String(seed)]) }
        }
    }
}

enum DemoError: CasesError {
    case exists(String)
    case cannotWrite(String)

    var kind: FailureKind {
        switch self {
        case .exists: .exists
        case .cannotWrite: .io
        }
    }

    var description: String {
        switch self {
        case .exists(let p): "\(p) already exists; nothing was written. Choose another name with --out."
        case .cannotWrite(let p): "Could not write \(p): check the folder's permissions and free space."
        }
    }
}
