import Foundation

@testable import CasesCore

/// What an adversary holds: every table `cases stats --json` printed, read back from the
/// printed JSON alone (never from the vault).
struct PublishedTables {
    var releases: [Release] = []
    /// Requests refused because no suppression kept an earlier table safe.
    var refused = 0

    /// Reads one printed release; nil when the document is not one.
    static func release(fromJSON text: String) -> Release? {
        guard let doc = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
            let meta = doc["release"] as? [String: Any], let id = meta["id"] as? String,
            let periodText = meta["period"] as? String, let period = try? Period(parsing: periodText),
            let basis = (meta["basis"] as? String).flatMap(CountingBasis.init(rawValue:)),
            let k = meta["k"] as? Int, let round = meta["round"] as? Int,
            let dimensions = (doc["dimensions"] as? [String])?.compactMap(TableDimension.init(rawValue:)),
            let spec = try? TableSpec(
                period: period, dimensions: dimensions, basis: basis, k: k, roundingBase: round,
                includeFamily: meta["include_family"] as? Bool ?? false,
                mechanism: meta["method"] as? String == "dp" ? .discreteLaplace(epsilon: ExactRational(1, 2)) : .threshold),
            let total = doc["total"] as? [String: Any]
        else { return nil }
        func count(_ value: Any?) -> PublishedCount? {
            if let n = value as? Int { return .value(n) }
            guard let s = value as? String else { return nil }
            return s == "x" ? .withheld : .belowThreshold(k: Int(s.dropFirst()) ?? k)
        }
        let cells = (doc["cells"] as? [[String: Any]] ?? []).map { c in
            ReleaseCell(
                categories: dimensions.map { c[$0.rawValue] as? String ?? "" }, count: count(c["count"]) ?? .withheld, family: count(c["family"]))
        }
        let margins = (doc["margins"] as? [[String: Any]] ?? []).compactMap { m -> ReleaseMargin? in
            guard let d = (m["dimension"] as? String).flatMap(TableDimension.init(rawValue:)), let c = m[d.rawValue] as? String else { return nil }
            return ReleaseMargin(dimension: d, category: c, count: count(m["count"]) ?? .withheld, family: count(m["family"]))
        }
        return Release(
            id: id, spec: spec, budgetLeft: nil, headline: doc["headline"] as? String ?? "", cells: cells, margins: margins,
            total: count(total["count"]) ?? .withheld, familyTotal: count(total["family"]))
    }

    /// Every published number of every table, keyed by what it counts (basis, period, family or
    /// principals, and the categories it is limited to), with the value shown.
    var numbers: [(key: String, release: String, shown: PublishedCount)] {
        var out: [(String, String, PublishedCount)] = []
        for r in releases {
            func key(_ fixed: [TableDimension: String], family: Bool) -> String {
                var scope = fixed
                if let q = r.period.quarter { scope[.quarter] = "Q\(q)" }
                scope[.year] = nil
                let parts = scope.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue)=\(scope[$0]!)" }
                return "\(r.spec.basis.rawValue) \(r.period.year) \(family ? "family" : "people") " + parts.joined(separator: ",")
            }
            func add(_ fixed: [TableDimension: String], _ c: PublishedCount, _ f: PublishedCount?) {
                out.append((key(fixed, family: false), r.id, c))
                if let f { out.append((key(fixed, family: true), r.id, f)) }
            }
            for c in r.cells { add(Dictionary(uniqueKeysWithValues: zip(r.dimensions, c.categories)), c.count, c.family) }
            for m in r.margins { add([m.dimension: m.category], m.count, m.family) }
            add([:], r.total, r.familyTotal)
        }
        return out
    }

    /// The adversary's linear program over everything published for `year`, solved by the
    /// linked-protection engine: the narrowest feasible interval of every suppressed number.
    /// The adversary is granted a bound of `familyBound` family members per principal.
    func suppressedIntervals(year: Int, destinations: [String], familyBound: Int = 10) throws -> [(
        release: String, interval: ClosedRange<Int>, k: Int
    )] {
        var result: [(String, ClosedRange<Int>, Int)] = []
        // Intake and arrival tables share no unknowns (`AtomSpace`): one program per basis.
        for basis in CountingBasis.allCases {
            let tables = releases.filter { $0.period.year == year && $0.spec.mechanism == .threshold && $0.spec.basis == basis }
            guard !tables.isEmpty else { continue }
            let atoms = AtomSpace(tables: tables.map(\.spec), destinations: destinations)
            let linked = tables.map { atoms.table(for: $0) }
            for (i, table) in linked.enumerated() {
                var others = linked
                others.remove(at: i)
                let audit = LinkedAudit(
                    atomCount: atoms.totalCount, published: others,
                    familyLinks: atoms.familyLinks(maximumPerPrincipal: familyBound))
                let intervals = try audit.intervals(adding: table)
                for (n, cell) in table.cells.enumerated() where cell.isProtected {
                    // A number the engine gave no interval for counts as pinned to one value.
                    result.append((table.releaseID, intervals[n] ?? 0...0, table.rule.k))
                }
            }
        }
        return result
    }
}

/// JSON lines for `cases import`: principals who arrived on a day, with their categories.
enum ArrivalLines {
    static func line(
        _ n: Int, arrived: String, segment: String = "journalist", reason: String = "criminal_prosecution",
        country: String = "LT", family: Int = 0, opened: String? = nil
    ) -> String {
        let opened = opened ?? String(arrived.prefix(4)) + "-01-02"
        let kids = (0..<family).map { #"{"relation":"child","full_name":"Child \#(n)-\#($0)","birth_year":2015}"# }.joined(separator: ",")
        return
            #"{"opened_on":"\#(opened)","principal":{"full_name":"Test Person \#(n)","birth_year":1980,"citizenship":"RU","segment":"\#(segment)","reason":"\#(reason)","current_country":"RU","contact":{"signal":"+000"},"consent":{"given_on":"\#(opened)","channel":"signal"}},"family":[\#(kids)],"history":[{"stage":"risk_assessment","on":"\#(opened)","assessment":{"level":"high","likelihood":4,"impact":5}},{"stage":"destination","on":"\#(opened)","destination":{"country":"\#(country)","route":"visa_free"}},{"stage":"arrival","on":"\#(arrived)","arrival":{"arrived_on":"\#(arrived)","country":"\#(country)","city":"Somewhere"}}]}"#
    }
}
