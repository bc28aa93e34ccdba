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
            Every table has the same rows whatever the data: each category of the public list, \
            in its fixed order, and destinations from the vault's list plus `other`. Cells under \
            k are shown as <k, shown cells are rounded, and further cells are withheld (x) \
            wherever a small number could be worked out, from this table or together with every \
            table already published for the same year; a table that no withholding makes safe \
            beside them is refused (exit 65), naming the release it conflicts with.

            The first release of a year freezes what it counts: every later table of that year, \
            in any breakdown, basis or family setting, counts the same frozen people, so someone \
            added afterwards changes nothing already published. Asking again for a table \
            returns the stored release unchanged. --revise re-freezes the period named by \
            --year/--quarter on purpose and publishes the year's tables again; comparing old and \
            new versions can reveal what changed, so use it only to correct errors.

            k may not go below 10 and rounding below 5 (or the vault's higher floors, set with \
            --raise-k-floor/--raise-round-floor); a period still running needs --provisional. \
            Without --year, the last complete year is counted (and said so).

            --dp adds discrete-Laplace noise (ε per release, default 0.5). A year is published \
            either with noise or without, as its first release was. No person's total ε over \
            every release (an intake year plus an arrival year) may pass 1.0 (exit 77). A vault \
            older than this laptop's record of it (releases or events deleted, an older copy put \
            back) publishes nothing (exit 65) until `cases audit accept-rollback` accepts it.

            Every release prints its ledger entry number and chain hash; a reader holding older \
            releases can see if the ledger was ever reset.

            Examples:
              cases stats --year 2021 --by segment,destination
              cases stats --year 2021 --quarter 2 --by destination --format csv --out q2.csv
              cases stats --year 2021 --by destination --dp --epsilon 0.5 --format json
              cases stats --set-destinations GE,LT,UA,AM,DE,PL
              cases stats --ledger
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "The year to count (default: the last complete year).") var year: Int?
    @Option(help: "Only this quarter of the year, 1–4.") var quarter: Int?
    @Option(help: ArgumentHelp("Break down by up to two of: year, quarter, segment, reason, destination, outcome.", valueName: "dim,…"))
    var by: String?
    @Option(help: "Count by year of arrival (default) or of intake.") var basis: CountingBasis = .arrival
    @Option(help: "Suppress cells below k (default and minimum: the vault's floor, 10).") var k: Int?
    @Option(help: "Round shown cells to a multiple of this (default and minimum: the vault's floor, 5).") var round: Int?
    @Flag(help: "Add differential-privacy noise (discrete Laplace).") var dp = false
    @Option(help: "The privacy loss ε of this release, with --dp.") var epsilon: String?
    @Flag(help: "Also count family members, in their own column.") var includeFamily = false
    @Flag(help: "Re-freeze the period and publish its tables again (see above for the risk).") var revise = false
    @Flag(help: "Allow a period that has not ended; the release is marked provisional.") var provisional = false
    @Option(help: "table, csv, json or hxl (HXL-tagged CSV).") var format: ReleaseFormat = .table
    @Option(help: ArgumentHelp("Write the release to this file (must not exist) instead of stdout.", valueName: "file")) var out: String?
    @Flag(help: "List past releases instead of making one.") var ledger = false
    @Flag(help: "Show the vault's statistics settings instead of making a release.") var settings = false
    @Option(help: ArgumentHelp("Name these destinations, in this order, in new periods' tables.", valueName: "CC,…"))
    var setDestinations: String?
    @Option(help: ArgumentHelp("Raise the vault's floor of k for every later release.", valueName: "k")) var raiseKFloor: Int?
    @Option(help: ArgumentHelp("Raise the vault's floor of the rounding base.", valueName: "base")) var raiseRoundFloor: Int?

    func validate() throws {
        if epsilon != nil && !dp { throw ValidationError("--epsilon goes with --dp.") }
        if let q = quarter, !(1...4).contains(q) { throw ValidationError("--quarter must be 1, 2, 3 or 4.") }
    }

    func spec(today: ISODate, floors: StatisticsSettings) throws -> TableSpec {
        let period = try Period(year: year ?? Period.lastCompleteYear(by: today).year, quarter: quarter)
        var dims: [TableDimension] = []
        for name in (by ?? "").split(separator: ",") {
            let folded = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let d = TableDimension(rawValue: folded) else {
                throw StatisticsError.invalidSpec("\"\(folded)\" is not a dimension; use year, quarter, segment, reason, destination or outcome.")
            }
            dims.append(d)
        }
        let mechanism: Mechanism =
            dp ? .discreteLaplace(epsilon: try epsilon.map { try ExactRational(decimal: $0) } ?? TableSpec.defaultEpsilon) : .threshold
        return try TableSpec(
            period: period, dimensions: dims, basis: basis, k: k ?? floors.kFloor, roundingBase: round ?? floors.roundingFloor,
            includeFamily: includeFamily, mechanism: mechanism)
    }

    func run() throws {
        let caseload = try Session(options: global).caseload()
        if ledger { return try listLedger(caseload) }
        if settings || setDestinations != nil || raiseKFloor != nil || raiseRoundFloor != nil { return try changeSettings(caseload) }
        let today = caseload.today()
        let request = ReleaseRequest(
            spec: try spec(today: today, floors: try caseload.statisticsSettings()),
            revision: revise, provisional: provisional, today: today)
        if year == nil && !global.json {
            Terminal.message("No --year given: counting \(request.spec.period.year), the last complete year.")
        }
        let decision = try caseload.publish(request)
        let release = decision.release
        let text = release.rendered(as: global.json && out == nil ? .json : format, position: decision.position)
        if let out {
            try NewFile.write(Data(text.utf8), to: out)
            if global.json {
                Output.json([
                    "release": release.id, "out": out, "stored": !decision.isNew,
                    "ledger_seq": decision.position.sequence, "ledger_head": decision.position.hash,
                ])
            } else {
                Output.line(
                    "Wrote release \(release.id) (ledger entry \(decision.position.sequence)) to \(out)\(decision.isNew ? "" : " (the stored release of this table)")."
                )
            }
        } else {
            FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            if !decision.isNew && !global.json {
                Terminal.message("This table was released before: this is release \(release.id), unchanged. Use --revise to publish a new version.")
            }
        }
        if !decision.republished.isEmpty && !global.json {
            Terminal.message(
                "The revision also published \(decision.republished.count) earlier table(s) of \(request.spec.period.year) again from the new frozen data; `cases stats --ledger` lists them."
            )
        }
    }

    func changeSettings(_ caseload: Caseload) throws {
        let list = setDestinations.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let current = try caseload.changeStatisticsSettings(kFloor: raiseKFloor, roundingFloor: raiseRoundFloor, destinations: list)
        if global.json {
            Output.json(["settings": ["k_floor": current.kFloor, "round_floor": current.roundingFloor, "destinations": current.destinations]])
        } else {
            Output.line("k at least \(current.kFloor); rounding base at least \(current.roundingFloor).")
            Output.line("Destinations named in new periods: \(current.destinations.joined(separator: ", ")), then other.")
        }
    }

    func listLedger(_ caseload: Caseload) throws {
        let entries = try caseload.releaseLedger().entries
        if global.json {
            Output.json([
                "releases": entries.enumerated().compactMap { n, e -> [String: Any]? in
                    guard let r = e.release else { return nil }
                    return [
                        "id": e.id, "period": r.period.description, "spec": r.spec.canonicalForm, "method": r.method,
                        "k": r.k, "round": r.roundingBase, "epsilon": r.epsilon?.decimalString ?? NSNull(), "revision": e.isRevision ?? false,
                        "provisional": r.provisional ?? false, "ledger_seq": n + 1, "ledger_head": e.hash,
                    ]
                }
            ])
        } else if entries.isEmpty {
            Output.line("No releases yet.")
        } else {
            Table.print(
                header: ["SEQ", "RELEASE", "PERIOD", "METHOD", "ε", "TABLE"],
                rows: entries.enumerated().map { n, e in
                    guard let r = e.release else { return [String(n + 1), e.id, "-", "settings", "-", "floors and destinations"] }
                    return [
                        String(n + 1), e.id, r.period.description + (r.provisional == true ? " (provisional)" : ""),
                        r.method + (e.isRevision == true ? " (revision)" : ""), r.epsilon?.decimalString ?? "-",
                        r.dimensions.map(\.rawValue).joined(separator: ",").nilIfEmpty ?? "total",
                    ]
                })
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
