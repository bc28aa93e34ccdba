import ArgumentParser
import CasesCore
import Foundation

extension ReleaseFormat: ExpressibleByArgument {}
extension CountingBasis: ExpressibleByArgument {}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Anonymized statistics that a hostile reader cannot use to find anyone.",
        discussion: """
            Counts principals (one person, one cell; family members only with \
            --include-family) by year or quarter of arrival (or of intake with --basis intake), \
            broken down by at most two of: year, quarter, segment, reason, destination, outcome. \
            Cells under k are shown as <k, shown cells are rounded, categories too small to show \
            are merged into `other`, and further cells are withheld (x) wherever a suppressed \
            number could be worked out from the totals.

            Every release is kept, sealed, in the vault's release ledger. Asking again for the \
            same table returns the stored release unchanged, so two releases can never be \
            subtracted to expose one new person. --revise publishes a new version on purpose.

            --dp adds discrete-Laplace noise (ε per release, default 0.5, from a budget of 1.0 \
            per year); when the year's budget is spent, no more noisy releases (exit 77). A vault \
            older than this laptop's record of it (releases or events deleted, an older copy put \
            back) publishes nothing (exit 65) until `cases audit accept-rollback` accepts it.

            Examples:
              cases stats --year 2021 --by segment,destination
              cases stats --year 2021 --by destination --dp --epsilon 0.5 --format csv --out 2021.csv
              cases stats --ledger
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "The year to count (default: last year).") var year: Int?
    @Option(help: "Only this quarter of the year, 1–4.") var quarter: Int?
    @Option(help: ArgumentHelp("Break down by up to two of: year, quarter, segment, reason, destination, outcome.", valueName: "dim,…"))
    var by: String?
    @Option(help: "Count by year of arrival (default) or of intake.") var basis: CountingBasis = .arrival
    @Option(help: "Suppress cells below k (at least 5).") var k: Int = TableSpec.defaultK
    @Option(help: "Round shown cells to a multiple of this.") var round: Int = TableSpec.defaultRoundingBase
    @Flag(help: "Add differential-privacy noise (discrete Laplace).") var dp = false
    @Option(help: "The privacy loss ε of this release, with --dp.") var epsilon: String?
    @Flag(help: "Also count family members, in their own column.") var includeFamily = false
    @Flag(help: "Publish a new version of a table released before (spends budget with --dp).") var revise = false
    @Option(help: "table, csv, json or hxl (HXL-tagged CSV).") var format: ReleaseFormat = .table
    @Option(help: ArgumentHelp("Write the release to this file (must not exist) instead of stdout.", valueName: "file")) var out: String?
    @Flag(help: "List past releases instead of making one.") var ledger = false

    func validate() throws {
        if epsilon != nil && !dp { throw ValidationError("--epsilon goes with --dp.") }
        if let q = quarter, !(1...4).contains(q) { throw ValidationError("--quarter must be 1, 2, 3 or 4.") }
    }

    func spec(today: ISODate) throws -> TableSpec {
        let period = try Period(year: year ?? today.year - 1, quarter: quarter)
        var dims: [TableDimension] = []
        for name in (by ?? "").split(separator: ",") {
            let folded = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let d = TableDimension(rawValue: folded) else {
                throw StatisticsError.invalidSpec("\"\(folded)\" is not a dimension; use year, quarter, segment, reason, destination or outcome.")
            }
            dims.append(d)
        }
        let mechanism: Mechanism = dp ? .discreteLaplace(epsilon: try epsilon.map { try ExactRational(decimal: $0) } ?? TableSpec.defaultEpsilon) : .threshold
        return try TableSpec(period: period, dimensions: dims, basis: basis, k: k, roundingBase: round, includeFamily: includeFamily, mechanism: mechanism)
    }

    func run() throws {
        let caseload = try Session(options: global).caseload()
        if ledger { return try listLedger(caseload) }
        let decision = try caseload.publish(try spec(today: caseload.today()), revision: revise)
        let release = decision.entry.release
        let text = release.rendered(as: global.json && out == nil ? .json : format)
        if let out {
            try NewFile.write(Data(text.utf8), to: out)
            if global.json {
                Output.json(["release": release.id, "out": out, "stored": !decision.isNew])
            } else {
                Output.line("Wrote release \(release.id) to \(out)\(decision.isNew ? "" : " (the stored release of this table)").")
            }
        } else {
            FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            if !decision.isNew && !global.json {
                Terminal.message("This table was released before: this is release \(release.id), unchanged. Use --revise to publish a new version.")
            }
        }
    }

    func listLedger(_ caseload: Caseload) throws {
        let entries = try caseload.releaseLedger().entries
        if global.json {
            Output.json(["releases": entries.map { e -> [String: Any] in
                ["id": e.id, "period": e.period.description, "spec": e.canonicalSpec, "method": e.mechanism,
                 "k": e.k, "round": e.roundingBase, "epsilon": e.epsilon?.decimalString ?? NSNull(), "revision": e.isRevision]
            }])
        } else if entries.isEmpty {
            Output.line("No releases yet.")
        } else {
            Table.print(header: ["RELEASE", "PERIOD", "METHOD", "ε", "TABLE"], rows: entries.map {
                [$0.id, $0.period.description, $0.mechanism + ($0.isRevision ? " (revision)" : ""), $0.epsilon?.decimalString ?? "-",
                 $0.release.dimensions.map(\.rawValue).joined(separator: ",").nilIfEmpty ?? "total"]
            })
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
