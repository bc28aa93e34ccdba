import ArgumentParser
import CasesCore
import Foundation

extension CaseImporter.Format: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring many cases in at once from a JSONL or CSV file: all or nothing.",
        discussion: """
            Every row is checked first; if any row is refused, nothing is stored and the report \
            lists each refused row with its line number and the reason (the field, never the \
            value). Probable duplicates (same name and birth year as a case in the vault or an \
            earlier row) are reported and left out unless --allow-duplicates. The file itself is \
            only read, never changed.

            JSONL: one `cases open` document a line, optionally with "opened_on" and "history".
            CSV: one case a row under a header row; `cases import --template csv` prints it.
            Dates as 2021-06-01 (or 01.06.2021); countries as GE or Georgia.

            Examples:
              cases import --template csv > caseload.csv
              cases import caseload.csv --dry-run
              cases import caseload.csv && shred -u caseload.csv
              cases import old-system.jsonl --format jsonl --json

            The spreadsheet is plaintext about people: once imported, destroy it (shred -u), and \
            remember that on SSDs and copy-on-write file systems shredding cannot reach every copy.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The file to import (read only, never changed), or - for stdin.", valueName: "file"))
    var file: String?

    @Option(help: "jsonl or csv (default: from the file's extension).")
    var format: CaseImporter.Format?

    @Flag(help: "Check every row and report, but store nothing.")
    var dryRun = false

    @Flag(help: "Add probable duplicates too (they are still listed in the report).")
    var allowDuplicates = false

    @Option(help: ArgumentHelp("Print an empty template and exit: csv prints the header row, jsonl an example line.", valueName: "format"))
    var template: CaseImporter.Format?

    func validate() throws {
        if template == nil && file == nil {
            throw ValidationError("Name the file to import, or ask for a --template csv.")
        }
    }

    func run() throws {
        if let template {
            Output.line(template == .csv ? CSVCaseLayout.template : Self.jsonlExample)
            return
        }
        guard let file else { return }
        guard let format = format ?? CaseImporter.Format(guessingFrom: file) else { throw ImportError.unknownFormat(file) }
        guard file == "-" || FileManager.default.fileExists(atPath: file) else { throw ImportError.fileNotFound(file) }

        let caseload = try Session(options: global).caseload()
        let importer = CaseImporter(caseload: caseload, options: .init(dryRun: dryRun, allowDuplicates: allowDuplicates))
        let bar = ProgressBar("import ", json: global.json)
        defer { bar.finish() }
        do {
            let report = try importer.importFile(atPath: file, format: format, progress: { bar.update(Int64($0.bytesRead), Int64($0.totalBytes)) })
            bar.finish()
            print(report)
        } catch ImportError.rejected(let report) {
            bar.finish()
            print(report)
            throw ImportError.rejected(report)
        }
    }

    func print(_ r: ImportReport) {
        if global.json {
            var doc: [String: Any] = [
                "imported": r.imported, "valid": r.valid, "rows": r.rows, "dry_run": r.dryRun,
                "rejected": r.rejected.map { ["line": $0.line, "reason": $0.reason] },
                "rejected_count": r.rejectedCount,
                "duplicates": r.duplicates.map { d -> [String: Any] in
                    var o: [String: Any] = ["line": d.line, "added": d.added]
                    if let c = d.existingCase { o["existing_case"] = c }
                    if let l = d.earlierLine { o["earlier_line"] = l }
                    return o
                },
            ]
            if r.rejected.count < r.rejectedCount { doc["rejected_truncated"] = true }
            Output.json(doc)
            return
        }
        for x in r.rejected { Output.line("line \(x.line): \(x.reason)") }
        if r.rejected.count < r.rejectedCount { Output.line("… and \(r.rejectedCount - r.rejected.count) more rejected row(s).") }
        for d in r.duplicates {
            let of = d.existingCase.map { "case \($0)" } ?? d.earlierLine.map { "line \($0)" } ?? "another case"
            Output.line("line \(d.line): probable duplicate of \(of) (\(d.added ? "added anyway" : "left out"))")
        }
        Output.line(r.summary)
    }

    static let jsonlExample =
        #"{"opened_on": "2021-03-02", "principal": {"full_name": "…", "birth_year": 1987, "citizenship": "RU", "segment": "journalist", "reason": "criminal_prosecution", "contact": {"signal": "…"}, "consent": {"given_on": "2021-03-02", "channel": "signal"}}, "family": [], "history": [{"stage": "risk_assessment", "on": "2021-03-10", "assessment": {"level": "high", "likelihood": 4, "impact": 5}}]}"#
}
